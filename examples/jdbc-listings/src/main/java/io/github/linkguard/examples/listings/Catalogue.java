package io.github.linkguard.examples.listings;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The catalogue's service: listings that read one query at a time, and the one write, a new book. */
@Service
public class Catalogue {

    /** A review of a book. */
    public record Review(long id, int stars) {
    }

    /** A book and its reviews. */
    public record Book(long id, String title, String requestId, List<Review> reviews) {
    }

    /** A shelf and its books. */
    public record Shelf(long id, String name, List<Book> books) {
    }

    private final JdbcTemplate jdbc;

    public Catalogue(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the tables and the shelves, if not there yet. */
    public void open(int shelves) {
        jdbc.execute("CREATE TABLE IF NOT EXISTS shelf (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL)");
        jdbc.execute("CREATE TABLE IF NOT EXISTS book (id BIGINT AUTO_INCREMENT PRIMARY KEY, shelf_id BIGINT NOT NULL, "
                + "title VARCHAR(80) NOT NULL, request_id VARCHAR(80) NOT NULL UNIQUE, INDEX (shelf_id))");
        jdbc.execute("CREATE TABLE IF NOT EXISTS review (id BIGINT AUTO_INCREMENT PRIMARY KEY, book_id BIGINT NOT NULL, "
                + "stars INT NOT NULL, INDEX (book_id))");
        for (int id = 1; id <= shelves; id++) {
            jdbc.update("INSERT IGNORE INTO shelf VALUES (?, ?)", id, "shelf " + id);
        }
    }

    /** Every shelf with its books and their reviews: 1 + shelves + books queries, in one read-only transaction. */
    @Transactional(readOnly = true)
    public List<Shelf> shelves() {
        List<Shelf> shelves = new ArrayList<>();
        for (Long id : jdbc.queryForList("SELECT id FROM shelf ORDER BY id", Long.class)) {
            shelves.add(load(id));
        }
        return shelves;
    }

    /** One shelf with its books and their reviews: 1 + 1 + books queries. */
    @Transactional(readOnly = true)
    public Shelf shelf(long id) {
        return load(id);
    }

    private Shelf load(long id) {
        String name = jdbc.queryForObject("SELECT name FROM shelf WHERE id = ?", String.class, id);
        List<Book> books = jdbc.query("SELECT id, title, request_id FROM book WHERE shelf_id = ? ORDER BY id",
                (row, n) -> new Book(row.getLong(1), row.getString(2), row.getString(3), new ArrayList<>()), id);
        for (Book book : books) {
            book.reviews().addAll(jdbc.query("SELECT id, stars FROM review WHERE book_id = ? ORDER BY id",
                    (row, n) -> new Review(row.getLong(1), row.getInt(2)), book.id()));
        }
        return new Shelf(id, name, books);
    }

    /** Adds a book to a shelf with its first review; {@code requestId} names the request, once. */
    @Transactional
    public Book add(String requestId, long shelf, String title, int stars) {
        jdbc.update("INSERT INTO book (shelf_id, title, request_id) VALUES (?, ?, ?)", shelf, title, requestId);
        long id = jdbc.queryForObject("SELECT id FROM book WHERE request_id = ?", Long.class, requestId);
        jdbc.update("INSERT INTO review (book_id, stars) VALUES (?, ?)", id, stars);
        return new Book(id, title, requestId, List.of());
    }
}
