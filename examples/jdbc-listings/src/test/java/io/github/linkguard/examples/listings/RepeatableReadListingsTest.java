package io.github.linkguard.examples.listings;

import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@link ListingsOverHttp} at REPEATABLE READ, the server's default: listings the replay cannot prove run again.
 * A listing grows to some 200 statements while sessions are killed every 300 ms, a thousand times a real
 * failure rate: on a busy two-core machine one attempt in three is killed too, so re-runs may go up to the
 * bound's maximum (10) here; at the default (2) a few listings of a slow run used them all up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "linkguard.rerun.max-reruns=10")
class RepeatableReadListingsTest extends ListingsOverHttp {
}
