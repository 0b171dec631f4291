package dev.allocspec.impl;

/**
 * Negative controls only: a purge that runs where it must not, for the jcstress race tests to show they catch it.
 */
enum PurgeFault {
    /** No fault: the allocator as it is. */
    NONE,
    /**
     * {@code purge()} counts the dirty mappings purged under the cache's lock, then lets the lock go and only then
     * advises them, after a short spin: an allocation that takes one of them meanwhile has its new owner's bytes
     * zeroed (jemalloc purges outside its lock, but only after taking the extents out of the cache; this does not).
     */
    LARGE_PURGE_OUTSIDE_THE_LOCK,
    /**
     * A pooled pass advises the block on top of the stack where it lies, after a short spin, instead of popping the
     * free blocks first: an allocation that pops it meanwhile has its new owner's bytes zeroed, and a block left on
     * the stack loses its link word (what {@code Pool}'s design comment says popping first is for).
     */
    POOLED_PURGE_IN_PLACE;

    /** Spins for about 20 us: widens the window in which another thread can take what a faulty purge will advise. */
    static void widenTheWindow() {
        long spinUntil = System.nanoTime() + 20_000;
        while (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
        }
    }
}
