package io.github.linkguard.examples.listings;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link ListingsOverHttp} at REPEATABLE READ, the server's default: listings the replay cannot prove run again. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RepeatableReadListingsTest extends ListingsOverHttp {
}
