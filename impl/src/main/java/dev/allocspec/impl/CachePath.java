package dev.allocspec.impl;

/**
 * The thread caches' paths off the fast path, as {@link LockFreeBlockAllocator#internalPathCounts()} names and counts
 * them: what a check's runs must reach before they can say anything about these paths (small
 * {@link ThreadCacheSettings} make all of them reachable in a few dozen operations).
 */
public enum CachePath {
    /** An empty bin takes a batch of blocks from the shared stack (growing the pool if that is empty too). */
    REFILL("cache refill"),
    /** A full bin gives its bottom batch back to the shared stack before it takes a freed block. */
    FULL_BIN_FLUSH("full-bin flush"),
    /** jemalloc's tcache GC: every bin gives back three quarters of what it never used since the last pass. */
    LOW_WATER_PASS("low-water pass"),
    /** The cache of a thread that has ended is drained into the shared stacks. */
    RECLAIM("ended thread's cache reclaimed");

    private final String label;

    CachePath(String label) {
        this.label = label;
    }

    /** The name the counts use. */
    public String label() {
        return label;
    }
}
