package io.github.linkguard.spring.boot.rerun;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a read-only unit of work (a {@code @Transactional(readOnly = true)} method or class, a repository
 * method) that must run at most once: it has effects outside the database (sends a message, calls another
 * service, counts something in memory), so LinkGuard's starter does not run it again after a lost link.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RunOnce {
}
