package io.github.linkguard.examples.ledger;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The ledger over HTTP. */
@RestController
public class LedgerController {

    private final LedgerService ledger;

    public LedgerController(LedgerService ledger) {
        this.ledger = ledger;
    }

    @GetMapping("/accounts/{id}")
    public Map<String, Object> account(@PathVariable long id) {
        Account account = ledger.account(id);
        return Map.of("id", account.getId(), "owner", account.getOwner(), "balance", account.getBalance());
    }

    @GetMapping("/total")
    public Map<String, Object> total() {
        return Map.of("total", ledger.total());
    }

    @PostMapping("/transfers")
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> transfer(@RequestParam String requestId, @RequestParam long from, @RequestParam long to,
            @RequestParam long amount) {
        Transfer transfer = ledger.transfer(requestId, from, to, amount);
        return Map.of("id", transfer.getId(), "requestId", transfer.getRequestId());
    }
}
