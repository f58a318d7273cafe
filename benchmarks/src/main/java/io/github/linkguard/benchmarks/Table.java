package io.github.linkguard.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table, as the benchmarks print them and docs/BENCHMARKS.md shows them. */
public final class Table {

    private final String title;
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    public Table(String title, String... header) {
        this.title = title;
        this.header = header;
    }

    public Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + header.length);
        }
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    /** A number with {@code decimals} places, the same on every locale. */
    public static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A signed difference, such as {@code +12.3}. */
    public static String signed(double value, int decimals) {
        return (value >= 0 ? "+" : "") + number(value, decimals);
    }

    public static String met(boolean met) {
        return met ? "yes" : "**no**";
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("### ").append(title).append("\n\n");
        line(out, header);
        out.append('|');
        for (int i = 0; i < header.length; i++) {
            out.append("---|");
        }
        out.append('\n');
        rows.forEach(row -> line(out, row));
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell).append(" |");
        }
        out.append('\n');
    }
}
