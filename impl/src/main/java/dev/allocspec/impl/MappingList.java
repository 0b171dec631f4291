package dev.allocspec.impl;

/**
 * An intrusive doubly linked list of large mappings, newest first, through one pair of link fields of each
 * {@link Chunk}: the cache keeps three of them (a size bin, every cached mapping in the order freed, the dirty ones in
 * the order freed) without allocating a node per free. Not thread-safe: the cache's lock guards every list.
 */
final class MappingList {

    /** The size bin links ({@code binNewer}, {@code binOlder}). */
    static final int BIN = 0;
    /** The order-freed links. */
    static final int FREED = 1;
    /** The dirty-order links. */
    static final int DIRTY = 2;

    /** Which pair of links this list threads through. */
    private final int link;
    private Chunk newest;
    private Chunk oldest;

    MappingList(int link) {
        this.link = link;
    }

    boolean isEmpty() {
        return newest == null;
    }

    Chunk newest() {
        return newest;
    }

    Chunk oldest() {
        return oldest;
    }

    void pushNewest(Chunk mapping) {
        setNewer(mapping, null);
        setOlder(mapping, newest);
        if (newest != null) {
            setNewer(newest, mapping);
        } else {
            oldest = mapping;
        }
        newest = mapping;
    }

    void remove(Chunk mapping) {
        Chunk newer = newer(mapping);
        Chunk older = older(mapping);
        if (newer != null) {
            setOlder(newer, older);
        } else {
            newest = older;
        }
        if (older != null) {
            setNewer(older, newer);
        } else {
            oldest = newer;
        }
        setNewer(mapping, null);
        setOlder(mapping, null);
    }

    private Chunk newer(Chunk c) {
        return switch (link) {
            case BIN -> c.binNewer;
            case FREED -> c.freedNewer;
            default -> c.dirtyNewer;
        };
    }

    private Chunk older(Chunk c) {
        return switch (link) {
            case BIN -> c.binOlder;
            case FREED -> c.freedOlder;
            default -> c.dirtyOlder;
        };
    }

    private void setNewer(Chunk c, Chunk to) {
        switch (link) {
            case BIN -> c.binNewer = to;
            case FREED -> c.freedNewer = to;
            default -> c.dirtyNewer = to;
        }
    }

    private void setOlder(Chunk c, Chunk to) {
        switch (link) {
            case BIN -> c.binOlder = to;
            case FREED -> c.freedOlder = to;
            default -> c.dirtyOlder = to;
        }
    }
}
