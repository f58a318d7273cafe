package io.github.linkguard.examples.ledger;

import org.springframework.data.jpa.repository.JpaRepository;

/** Transfers, one per client request. */
public interface TransferRepository extends JpaRepository<Transfer, Long> {

    long countByRequestId(String requestId);
}
