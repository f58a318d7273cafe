package io.github.linkguard.spring.boot;

import io.github.linkguard.LinkGuardDataSource;

/**
 * Adjusts the LinkGuard builder of a DataSource bean after the {@code linkguard.*} properties were applied,
 * e.g. to set a {@link io.github.linkguard.RetryRule}. Declare it as a bean.
 */
@FunctionalInterface
public interface LinkGuardDataSourceCustomizer {

    /**
     * @param beanName the DataSource bean's name (also the {@code datasource} tag of its meters)
     * @param builder the builder, with the properties applied
     */
    void customize(String beanName, LinkGuardDataSource.Builder builder);
}
