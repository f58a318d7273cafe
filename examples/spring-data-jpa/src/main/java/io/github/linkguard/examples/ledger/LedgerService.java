package io.github.linkguard.examples.ledger;

import java.util.NoSuchElementException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The ledger's work, one transaction per call, as Spring applications write it. */
@Service
public class LedgerService {

    private final AccountRepository accounts;
    private final TransferRepository transfers;

    public LedgerService(AccountRepository accounts, TransferRepository transfers) {
        this.accounts = accounts;
        this.transfers = transfers;
    }

    @Transactional(readOnly = true)
    public Account account(long id) {
        return accounts.findById(id).orElseThrow(() -> new NoSuchElementException("no account " + id));
    }

    @Transactional(readOnly = true)
    public long total() {
        return accounts.total();
    }

    /**
     * Moves {@code amount} between two accounts and records the transfer: all of it or nothing. Both
     * accounts are locked, the lower id first, so that concurrent transfers neither lose an update nor
     * deadlock.
     */
    @Transactional
    public Transfer transfer(String requestId, long from, long to, long amount) {
        Account first = locked(Math.min(from, to));
        Account second = from == to ? first : locked(Math.max(from, to));
        Account source = first.getId() == from ? first : second;
        Account target = source == first ? second : first;
        source.add(-amount);
        target.add(amount);
        return transfers.save(new Transfer(requestId, from, to, amount));
    }

    private Account locked(long id) {
        return accounts.lockById(id).orElseThrow(() -> new NoSuchElementException("no account " + id));
    }

    /** Opens accounts until there are {@code count}, each with {@code balance}. */
    @Transactional
    public void open(int count, long balance) {
        for (long existing = accounts.count(); existing < count; existing++) {
            accounts.save(new Account("owner " + (existing + 1), balance));
        }
    }
}
