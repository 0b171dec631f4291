package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.PurgePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * When the free blocks of the purged pooled classes (4 KiB, 16 KiB, if the policy purges pooled blocks: {@link PurgePolicy#purgesPooled}) are purged:
 * all of them on {@code purge()}, and a class's at a purge point once it has had unpurged free blocks at every purge
 * point for the decay delay, counted from the first that saw them (the reference states the same rule). The passes
 * themselves are {@link Pool#purgeFree}.
 *
 * <p>The calling thread's own cached blocks of a class are flushed to the shared stack before its pass (the cache keeps
 * the order, so the logical free list is unchanged); other threads' cached blocks stay dirty until their caches give
 * them back. A decay thread's tick has no cache to flush.
 */
final class PooledPurge {

    private final List<Pool> pools = new ArrayList<>();
    private final PurgePolicy policy;
    private final MemorySource memory;
    /** Unpurged free blocks of a pool (free minus purged; exact when quiescent). */
    private final ToLongFunction<Pool> dirtyBlocks;
    /** Guarded by this: per pool (same index), whether a purge point has seen it dirty since its last pass. */
    private final boolean[] stamped;
    /** Guarded by this: per pool, when the first of those purge points was. */
    private final long[] dirtySince;
    /** Guarded by this. */
    private long purgedBytes;

    PooledPurge(Pool[] all, PurgePolicy policy, MemorySource memory, ToLongFunction<Pool> dirtyBlocks) {
        for (Pool pool : all) {
            if (policy.purgesPooled(pool.sizeClass)) {
                pools.add(pool);
            }
        }
        this.policy = policy;
        this.memory = memory;
        this.dirtyBlocks = dirtyBlocks;
        this.stamped = new boolean[pools.size()];
        this.dirtySince = new long[pools.size()];
    }

    /**
     * A purge point at {@code now}: purges each class dirty at every purge point for the decay delay.
     *
     * @param flushOwnCache moves the calling thread's cached blocks of a pool to its stack before a pass; null for a
     *                      thread with no cache (the decay thread)
     */
    synchronized void atPurgePoint(long now, Consumer<Pool> flushOwnCache) {
        for (int i = 0; i < pools.size(); i++) {
            Pool pool = pools.get(i);
            if (dirtyBlocks.applyAsLong(pool) == 0) {
                stamped[i] = false;
            } else if (!stamped[i]) {
                stamped[i] = true;
                dirtySince[i] = now;
            } else if (policy.decayed(dirtySince[i], now)) {
                pass(i, flushOwnCache);
            }
        }
    }

    /** {@code purge()}: every class's free blocks. */
    synchronized void purgeAll(Consumer<Pool> flushOwnCache) {
        for (int i = 0; i < pools.size(); i++) {
            pass(i, flushOwnCache);
        }
    }

    synchronized long purgedBytes() {
        return purgedBytes;
    }

    private void pass(int i, Consumer<Pool> flushOwnCache) {
        Pool pool = pools.get(i);
        if (flushOwnCache != null) {
            flushOwnCache.accept(pool);
        }
        purgedBytes += pool.purgeFree(memory);
        stamped[i] = false;
    }
}
