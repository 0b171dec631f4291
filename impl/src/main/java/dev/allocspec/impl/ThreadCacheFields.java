package dev.allocspec.impl;

/**
 * The fields of a {@link ThreadCache}, behind the padding that keeps other threads' caches off their cache line
 * ({@link PadBefore}); {@code ThreadCache} adds the padding after them and the behaviour.
 */
abstract class ThreadCacheFields extends PadBefore {

    final ThreadCache.Bin[] bins;
    /** The thread this cache belongs to; null for a stripe cache, which any thread may acquire. */
    final Thread owner;
    /** A stripe cache's try-lock: 1 while a thread uses it (accessed through {@code ThreadCache.IN_USE} only). */
    int inUse;
    /**
     * 1 once a thread has claimed this ended thread's cache to drain it, so that exactly one does (accessed through
     * {@code ThreadCache.RECLAIMED} only).
     */
    int reclaimed;
    /**
     * Per class: blocks moved from the shared stack into this cache's bin minus blocks moved back (opaque writes; read
     * by stats). Every block that leaves the bin is allocated and every block that enters it by a free was freed, so
     * {@code netIn - count} is what this thread allocated minus what it freed, with no counter on the fast path.
     */
    final long[] netIn;
    /** Cache operations left before the next low-water pass; counted down, so the check reads no other object. */
    int untilLowWaterPass;
    /** The chunk of the block {@code ThreadCaches.take} returned last. */
    Chunk takenChunk;
    /**
     * The pooled chunk of the block this thread freed last: frees tend to hit the same chunk, and a pooled chunk's
     * range never changes while the allocator is open, so a hit is exact and saves the page-map lookup.
     */
    Chunk lastChunk;

    ThreadCacheFields(Thread owner, ThreadCache.Bin[] bins, int lowWaterInterval) {
        this.owner = owner;
        this.bins = bins;
        this.netIn = new long[bins.length];
        this.untilLowWaterPass = lowWaterInterval;
    }
}
