package dev.allocspec.impl;

/**
 * An intrusive doubly linked list of large mappings, newest first, through one pair of links of each mapping's
 * {@link Chunk.CacheLinks}: the cache keeps three of them (a size bin, every cached mapping in the order freed, the
 * dirty ones in the order freed) without allocating a node per free. Not thread-safe: the cache's lock guards every
 * list.
 */
final class MappingList {

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
        Chunk.CacheLinks links = mapping.cacheLinks;
        links.newer[link] = null;
        links.older[link] = newest;
        if (newest != null) {
            newest.cacheLinks.newer[link] = mapping;
        } else {
            oldest = mapping;
        }
        newest = mapping;
    }

    void remove(Chunk mapping) {
        Chunk.CacheLinks links = mapping.cacheLinks;
        Chunk newer = links.newer[link];
        Chunk older = links.older[link];
        if (newer != null) {
            newer.cacheLinks.older[link] = older;
        } else {
            newest = older;
        }
        if (older != null) {
            older.cacheLinks.newer[link] = newer;
        } else {
            oldest = newer;
        }
        links.newer[link] = null;
        links.older[link] = null;
    }
}
