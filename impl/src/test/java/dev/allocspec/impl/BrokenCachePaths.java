package dev.allocspec.impl;

/**
 * Negative controls for the thread caches' paths off the fast path: the lock-free allocator with one of them losing a
 * block ({@link CachePathFault}), for the checks in other modules to show they reach that path.
 */
public final class BrokenCachePaths {

    private BrokenCachePaths() {
    }

    /** A flush of a full bin loses its bottom block. */
    public static LockFreeBlockAllocator.Builder fullBinFlushLosesABlock(LockFreeBlockAllocator.Builder builder) {
        return builder.cachePathFaultForNegativeControl(CachePathFault.FULL_BIN_FLUSH_LOSES_A_BLOCK);
    }

    /** A low-water pass loses the bottom block of each bin it flushes. */
    public static LockFreeBlockAllocator.Builder lowWaterPassLosesABlock(LockFreeBlockAllocator.Builder builder) {
        return builder.cachePathFaultForNegativeControl(CachePathFault.LOW_WATER_PASS_LOSES_A_BLOCK);
    }

    /** The drain of an ended thread's cache loses the bottom block of each bin. */
    public static LockFreeBlockAllocator.Builder reclaimLosesABlock(LockFreeBlockAllocator.Builder builder) {
        return builder.cachePathFaultForNegativeControl(CachePathFault.RECLAIM_LOSES_A_BLOCK);
    }
}
