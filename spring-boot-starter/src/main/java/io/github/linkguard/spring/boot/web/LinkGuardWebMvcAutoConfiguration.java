package io.github.linkguard.spring.boot.web;

import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * In a Spring MVC application, puts the {@link LostLinkExceptionResolver} just before Spring's
 * {@code DefaultHandlerExceptionResolver}, so that a lost database link is answered with 503 instead of an
 * empty 200. {@code linkguard.web.lost-link-response=false} leaves Spring MVC as it is.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({WebMvcConfigurer.class, DisconnectedClientHelper.class})
@ConditionalOnBooleanProperty(name = {"linkguard.enabled", "linkguard.web.lost-link-response"}, matchIfMissing = true)
public class LinkGuardWebMvcAutoConfiguration {

    @Bean
    WebMvcConfigurer linkGuardLostLinkResponses() {
        return new WebMvcConfigurer() {
            @Override
            public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
                int index = 0;
                while (index < resolvers.size() && !(resolvers.get(index) instanceof DefaultHandlerExceptionResolver)) {
                    index++;
                }
                resolvers.add(index, new LostLinkExceptionResolver());
            }
        };
    }
}
