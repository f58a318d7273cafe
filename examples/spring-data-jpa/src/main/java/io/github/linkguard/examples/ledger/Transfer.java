package io.github.linkguard.examples.ledger;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** A transfer between two accounts, under the client's request id (one transfer per request). */
@Entity
public class Transfer {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(unique = true, nullable = false)
    private String requestId;

    private long fromAccount;

    private long toAccount;

    private long amount;

    protected Transfer() {
    }

    public Transfer(String requestId, long fromAccount, long toAccount, long amount) {
        this.requestId = requestId;
        this.fromAccount = fromAccount;
        this.toAccount = toAccount;
        this.amount = amount;
    }

    public Long getId() {
        return id;
    }

    public String getRequestId() {
        return requestId;
    }

    public long getAmount() {
        return amount;
    }
}
