package io.github.linkguard.examples.ledger;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/** Accounts; every method runs in Spring Data's read-only transaction unless the service opened one. */
public interface AccountRepository extends JpaRepository<Account, Long> {

    /** An account locked for the rest of the transaction ({@code SELECT ... FOR UPDATE}). */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select a from Account a where a.id = :id")
    Optional<Account> lockById(@Param("id") long id);

    /** The sum of all balances, which transfers never change. */
    @Query("select coalesce(sum(a.balance), 0) from Account a")
    long total();
}
