package dev.allocspec.impl;

/**
 * Negative controls only: one deliberate fault in a path of the thread caches that short runs with the default
 * {@link ThreadCacheSettings} never reach. Each loses one block where it moves blocks to the shared stack, so the
 * invariant walk's conservation check catches it as soon as the path runs; that the checks reach the path is what
 * the control shows.
 */
enum CachePathFault {
    /** No fault: the allocator as it is. */
    NONE,
    /** A flush of a full bin pushes all but the bottom block it took from the bin. */
    FULL_BIN_FLUSH_LOSES_A_BLOCK,
    /** A low-water pass pushes all but the bottom block it took from a bin. */
    LOW_WATER_PASS_LOSES_A_BLOCK,
    /** The drain of an ended thread's cache pushes all but the bottom block of each bin. */
    RECLAIM_LOSES_A_BLOCK
}
