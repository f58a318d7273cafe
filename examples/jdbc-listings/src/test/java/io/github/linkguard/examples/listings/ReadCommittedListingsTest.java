package io.github.linkguard.examples.listings;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link ListingsOverHttp} at READ COMMITTED, set by the pool: listings go on after a loss. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.hikari.transaction-isolation=TRANSACTION_READ_COMMITTED")
class ReadCommittedListingsTest extends ListingsOverHttp {
}
