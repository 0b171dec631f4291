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
    LARGE_PURGE_OUTSIDE_THE_LOCK
}
