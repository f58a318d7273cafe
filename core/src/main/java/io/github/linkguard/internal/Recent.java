package io.github.linkguard.internal;

import java.util.ArrayList;
import java.util.List;

/** The last few things that happened (incidents, remedies), for endpoints: a bounded ring, newest first. */
public final class Recent<T> {

    private final Object[] items;
    private int next;
    private int count;

    /** Remembers at most {@code capacity} items. */
    public Recent(int capacity) {
        this.items = new Object[capacity];
    }

    /** Remembers {@code item}, forgetting the oldest if full. */
    public synchronized void add(T item) {
        items[next] = item;
        next = (next + 1) % items.length;
        count = Math.min(count + 1, items.length);
    }

    /** What is remembered, newest first. */
    @SuppressWarnings("unchecked")
    public synchronized List<T> newestFirst() {
        List<T> newestFirst = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            newestFirst.add((T) items[(next - i + items.length) % items.length]);
        }
        return newestFirst;
    }
}
