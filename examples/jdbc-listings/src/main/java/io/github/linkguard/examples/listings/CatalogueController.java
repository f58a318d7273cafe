package io.github.linkguard.examples.listings;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The catalogue over HTTP. */
@RestController
public class CatalogueController {

    private final Catalogue catalogue;

    public CatalogueController(Catalogue catalogue) {
        this.catalogue = catalogue;
    }

    @GetMapping("/shelves")
    public List<Catalogue.Shelf> shelves() {
        return catalogue.shelves();
    }

    @GetMapping("/shelves/{id}")
    public Catalogue.Shelf shelf(@PathVariable long id) {
        return catalogue.shelf(id);
    }

    @PostMapping("/books")
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> add(@RequestParam String requestId, @RequestParam long shelf,
            @RequestParam String title, @RequestParam int stars) {
        Catalogue.Book book = catalogue.add(requestId, shelf, title, stars);
        return Map.of("id", book.id(), "requestId", book.requestId());
    }
}
