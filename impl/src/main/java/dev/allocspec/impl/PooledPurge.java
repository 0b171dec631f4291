package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.PurgePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * When the free blocks of the purged pooled classes (4 KiB, 16 KiB, if the policy purges pooled blocks:
 * {@link PurgePolicy#purgesPooled}) are purged: all of them on {@code purge()}, and a class's at the first purge point
 * at least the decay delay after its previous pass (or the allocator's creation), as the reference states. The passes
 * themselves are {@link Pool#purgeFree}.
 *
 * <p>Why a pass per delay rather than a time per free block: a block's free is the small-block hot path, which must
 * not read a clock or touch a shared counter; and counting a class's unpurged blocks means summing every thread
 * cache's counts, so it is done only when a pass is due. {@link #due} is one volatile read: what every large call
 * pays.
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
    /** Guarded by this: per pool (same index), when its last pass was (or the allocator was made). */
    private final long[] passAt;
    /** {@link PurgeFault#NONE} but in the negative control that shows the pooled purge race test bites. */
    private final PurgeFault fault;
    /** The earliest of {@link #passAt}: a pass is due once the delay has passed since it. */
    private volatile long earliestPass;
    /** Guarded by this. */
    private long purgedBytes;

    PooledPurge(Pool[] all, PurgePolicy policy, MemorySource memory, ToLongFunction<Pool> dirtyBlocks, long now,
                PurgeFault fault) {
        for (Pool pool : all) {
            if (policy.purgesPooled(pool.sizeClass)) {
                pools.add(pool);
            }
        }
        this.policy = policy;
        this.memory = memory;
        this.dirtyBlocks = dirtyBlocks;
        this.passAt = new long[pools.size()];
        java.util.Arrays.fill(passAt, now);
        this.earliestPass = now;
        this.fault = fault;
    }

    /** Whether a purge point at {@code now} would pass some class: the only check a large call pays. */
    boolean due(long now) {
        return !pools.isEmpty() && policy.decayed(earliestPass, now);
    }

    /**
     * A purge point at {@code now}: each class whose last pass is a decay delay old is passed if it has unpurged free
     * blocks, and its count starts over.
     *
     * @param flushOwnCache moves the calling thread's cached blocks of a pool to its stack before a pass; null for a
     *                      thread with no cache (the decay thread)
     */
    synchronized void atPurgePoint(long now, Consumer<Pool> flushOwnCache) {
        for (int i = 0; i < pools.size(); i++) {
            if (policy.decayed(passAt[i], now)) {
                if (dirtyBlocks.applyAsLong(pools.get(i)) > 0) {
                    pass(i, flushOwnCache);
                }
                passAt[i] = now;
            }
        }
        updateEarliest();
    }

    /** {@code purge()}: every class's free blocks, now. */
    synchronized void purgeAll(long now, Consumer<Pool> flushOwnCache) {
        for (int i = 0; i < pools.size(); i++) {
            pass(i, flushOwnCache);
            passAt[i] = now;
        }
        updateEarliest();
    }

    synchronized long purgedBytes() {
        return purgedBytes;
    }

    private void pass(int i, Consumer<Pool> flushOwnCache) {
        Pool pool = pools.get(i);
        if (flushOwnCache != null) {
            flushOwnCache.accept(pool);
        }
        purgedBytes += pool.purgeFree(memory, fault);
    }

    private void updateEarliest() {
        long earliest = Long.MAX_VALUE;
        boolean any = false;
        for (long at : passAt) {
            if (!any || at - earliest < 0) {
                earliest = at;
                any = true;
            }
        }
        if (any) {
            earliestPass = earliest;
        }
    }
}
