package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Negative controls for purge: the lock-free allocator with a purge that runs where it must not ({@link PurgeFault}),
 * and a memory source whose purge gives nothing back, for the checks in other modules to show they catch them.
 */
public final class BrokenPurge {

    private BrokenPurge() {
    }

    /**
     * {@code memory} with a purge that does nothing: purges are counted, the pages keep their bytes and stay resident,
     * and a stale reader sees them.
     */
    public static MemorySource keepsBytes(MemorySource memory) {
        return new MemorySource() {
            @Override
            public long pageSize() {
                return memory.pageSize();
            }

            @Override
            public MemorySegment obtain(long bytes, Arena scope) {
                return memory.obtain(bytes, scope);
            }

            @Override
            public void purge(MemorySegment mapping) {
                // the planted fault
            }

            @Override
            public String description() {
                return memory.description() + ", purge a no-op";
            }
        };
    }

    /** {@code purge()} advises the dirty mappings after letting the cache's lock go. */
    public static LockFreeBlockAllocator.Builder largePurgeOutsideTheLock(LockFreeBlockAllocator.Builder builder) {
        return builder.purgeFaultForNegativeControl(PurgeFault.LARGE_PURGE_OUTSIDE_THE_LOCK);
    }

    /** A pooled purge pass advises the block on top of the stack where it lies instead of popping it first. */
    public static LockFreeBlockAllocator.Builder pooledPurgeInPlace(LockFreeBlockAllocator.Builder builder) {
        return builder.purgeFaultForNegativeControl(PurgeFault.POOLED_PURGE_IN_PLACE);
    }
}
