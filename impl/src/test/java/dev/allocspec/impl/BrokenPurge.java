package dev.allocspec.impl;

/**
 * Negative controls for the purge races: the lock-free allocator with a purge that runs where it must not
 * ({@link PurgeFault}), for the jcstress tests in another module to show they catch it.
 */
public final class BrokenPurge {

    private BrokenPurge() {
    }

    /** {@code purge()} advises the dirty mappings after letting the cache's lock go. */
    public static LockFreeBlockAllocator.Builder largePurgeOutsideTheLock(LockFreeBlockAllocator.Builder builder) {
        return builder.purgeFaultForNegativeControl(PurgeFault.LARGE_PURGE_OUTSIDE_THE_LOCK);
    }
}
