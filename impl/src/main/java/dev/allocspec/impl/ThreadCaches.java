package dev.allocspec.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Moves blocks between the thread caches of one allocator and its shared stacks: the batch refill of an empty bin in
 * one CAS, the chain flush of a full one in one CAS, jemalloc's low-water pass, and the reclaiming of caches whose
 * thread has ended. Finding the cache an operation uses is {@link ThreadCacheLookup}'s job.
 *
 * <p><b>Threads that end.</b> Every cache is registered with its owner thread ({@link ThreadCacheLookup}). Caches
 * whose owner has terminated are drained into the shared stacks: all of them before any pool grows, so no pool grows
 * while such a cache holds a free block of its class (short-lived threads otherwise each leave a cache of blocks
 * behind and the pools grow instead); and a few at a time ({@link #SWEEP_STEP} registrations looked at, continuing
 * where the last sweep stopped) whenever a new thread registers its cache and on each low-water pass, so threads that
 * live for a few operations each leave few caches behind, while neither a new thread nor a pass pays for every live
 * thread (a walk over all registrations on every pass made each thread's operations slower with every idle thread
 * that holds a cache: BENCHMARKS.md, "One thread among idle threads that hold caches"). Reading a dead thread's cache
 * is safe: the thread's last action happens-before {@code isAlive()} returning false (JLS 17.4.4), and
 * {@link ThreadCache#claimForReclaim()} makes exactly one thread drain it.
 */
final class ThreadCaches {

    /**
     * Refills a pool's empty shared stack: from the caches of threads that ended if they hold any free block, else by
     * growing the pool (the allocator's growth, with its memory and directory).
     */
    @FunctionalInterface
    interface Replenisher {
        void replenish(Pool pool);
    }

    static final int MIN_SLOTS = 256;
    /** Registrations one sweep looks at: a new thread's registration and a low-water pass each run one sweep. */
    static final int SWEEP_STEP = 16;

    /** Held by the one thread sweeping; the others skip their sweep rather than wait. */
    private final ReentrantLock sweeping = new ReentrantLock();
    /** Where the next sweep goes on (guarded by {@link #sweeping}); weakly consistent, so it survives removals. */
    private Iterator<ThreadCache> sweepCursor = Collections.emptyIterator();
    /** Registrations looked at by sweeps and full reclaims so far; for tests that bound a sweep's work. */
    private final LongAdder examined = new LongAdder();
    private final ThreadCacheLookup lookup;
    private final Pool[] pools;
    private final ChunkDirectory directory;
    private final Replenisher replenisher;
    /** Cache operations of one thread between two low-water passes ({@link ThreadCacheSettings}). */
    private final int lowWaterInterval;
    /** {@link CachePathFault#NONE} but in the negative controls that show the checks reach these paths. */
    private final CachePathFault fault;
    /** How often each path off the fast path ran (for the checks' coverage line); counted on those paths only. */
    private final LongAdder refills = new LongAdder();
    private final LongAdder fullBinFlushes = new LongAdder();
    private final LongAdder lowWaterPasses = new LongAdder();
    private final LongAdder reclaimedCaches = new LongAdder();

    ThreadCaches(Pool[] pools, ChunkDirectory directory, Replenisher replenisher, ThreadCacheSettings settings,
                 boolean lockStripes, CachePathFault fault) {
        this.pools = pools;
        this.directory = directory;
        this.replenisher = replenisher;
        this.lowWaterInterval = settings.lowWaterInterval();
        this.fault = fault;
        this.lookup = new ThreadCacheLookup(settings, lockStripes, this::sweep);
    }

    /** Where an operation finds its cache. */
    ThreadCacheLookup lookup() {
        return lookup;
    }

    /**
     * How many times each path off the fast path has run: refills of an empty bin, flushes of a full one, low-water
     * passes, and drains of the caches of threads that ended.
     */
    Map<String, Long> pathCounts() {
        return Map.of(CachePath.REFILL.label(), refills.sum(), CachePath.FULL_BIN_FLUSH.label(), fullBinFlushes.sum(),
                CachePath.LOW_WATER_PASS.label(), lowWaterPasses.sum(), CachePath.RECLAIM.label(),
                reclaimedCaches.sum());
    }

    /**
     * Takes the top block of a class's bin for allocation, refilling the bin from the shared stack (growing the pool
     * if that is empty too) first. Returns the block; its chunk is then in {@code cache.takenChunk}.
     */
    long take(ThreadCache cache, int classIndex) {
        ThreadCache.Bin bin = cache.bins[classIndex];
        if (bin.count == 0) {
            refill(cache, classIndex);
        }
        int top = --bin.count;
        long block = bin.blocks[top];
        cache.takenChunk = bin.chunks[top];
        if (top < bin.lowWater) {
            bin.lowWater = top;
        }
        // Only after the block has left the bin: a low-water pass here flushes the bin, never the taken block.
        countOperation(cache);
        return block;
    }

    /** Puts a freed block on top of its class's bin, flushing the bin's bottom half first if it is full. */
    void give(ThreadCache cache, int classIndex, long block, Chunk chunk) {
        ThreadCache.Bin bin = cache.bins[classIndex];
        if (bin.isFull()) {
            fullBinFlushes.increment();
            flush(cache, classIndex, bin.batch, fault == CachePathFault.FULL_BIN_FLUSH_LOSES_A_BLOCK);
        }
        bin.push(block, chunk);
        countOperation(cache);
    }

    /** Moves the shared stack's top blocks, in order, under the empty bin: one CAS for the batch. */
    private void refill(ThreadCache cache, int classIndex) {
        ThreadCache.Bin bin = cache.bins[classIndex];
        Pool pool = pools[classIndex];
        refills.increment();
        long[] taken = new long[bin.batch];
        int n;
        while ((n = pool.stack.popChain(taken.length, taken, pool)) == 0) {
            replenisher.replenish(pool); // the bin and the shared stack are both empty
        }
        for (int i = n - 1; i >= 0; i--) { // the first block taken (the stack's top) ends on the bin's top
            bin.push(taken[i], directory.pooledChunkOf(taken[i], bin.sizeClass));
        }
        cache.countMoved(classIndex, n);
    }

    /** Moves every block of a class's bin, in order, onto the shared stack (before a purge pass takes them). */
    void flushAll(ThreadCache cache, int classIndex) {
        flush(cache, classIndex, cache.bins[classIndex].count, false);
    }

    /**
     * Moves the bin's bottom {@code m} blocks, in order, onto the shared stack: linked here, pushed with one CAS.
     * {@code losesABlock} is the negative controls' fault ({@link CachePathFault}): the bottom block is not pushed.
     */
    private void flush(ThreadCache cache, int classIndex, int m, boolean losesABlock) {
        ThreadCache.Bin bin = cache.bins[classIndex];
        Pool pool = pools[classIndex];
        int moved = Math.min(m, bin.count);
        if (moved == 0) {
            return;
        }
        FreeBlockLayout links = pool.stack.links;
        int bottom = losesABlock && moved > 1 ? 1 : 0;
        for (int i = moved - 1; i > bottom; i--) { // we own these blocks: nobody reads their links until the push
            links.spNext(bin.blocks[i], bin.blocks[i - 1]);
        }
        pool.stack.pushChain(bin.blocks[moved - 1], bin.blocks[bottom]);
        System.arraycopy(bin.blocks, moved, bin.blocks, 0, bin.count - moved);
        System.arraycopy(bin.chunks, moved, bin.chunks, 0, bin.count - moved);
        bin.count -= moved;
        bin.lowWater = Math.min(bin.lowWater, bin.count);
        cache.countMoved(classIndex, -moved);
    }

    /**
     * Counts one operation of a cache, held by the calling thread; every {@link ThreadCacheSettings#lowWaterInterval()}
     * operations a low-water pass and a sweep, out of line.
     */
    void countOperation(ThreadCache cache) {
        if (--cache.untilLowWaterPass == 0) {
            lowWaterPassAndSweep(cache);
        }
    }

    private void lowWaterPassAndSweep(ThreadCache cache) {
        cache.untilLowWaterPass = lowWaterInterval;
        lowWaterPass(cache);
        sweep();
    }

    /** jemalloc's tcache GC: a bin that never drained below L blocks since the last pass gives back 3/4 of L. */
    private void lowWaterPass(ThreadCache cache) {
        lowWaterPasses.increment();
        for (int i = 0; i < cache.bins.length; i++) {
            ThreadCache.Bin bin = cache.bins[i];
            if (bin.lowWater > 0) {
                flush(cache, i, (3 * bin.lowWater + 3) / 4, fault == CachePathFault.LOW_WATER_PASS_LOSES_A_BLOCK);
            }
            bin.lowWater = bin.count;
        }
    }

    /**
     * Drains the caches of all threads that have ended into the shared stacks; O(registered threads). Runs before a
     * pool grows.
     *
     * @return whether it drained any cache
     */
    boolean reclaimDead() {
        boolean drained = false;
        for (Iterator<ThreadCache> it = lookup.registrations(); it.hasNext(); ) {
            drained |= drainIfEnded(it);
        }
        return drained;
    }

    /**
     * Looks at the next {@link #SWEEP_STEP} registrations, going on from where the last sweep stopped and starting
     * over at the end, and drains those of threads that have ended. Skipped if another thread is sweeping.
     */
    void sweep() {
        if (!sweeping.tryLock()) {
            return;
        }
        try {
            boolean restarted = false;
            for (int looked = 0; looked < SWEEP_STEP; looked++) {
                if (!sweepCursor.hasNext()) {
                    if (restarted) {
                        return; // fewer registrations than a step: each looked at once
                    }
                    sweepCursor = lookup.registrations();
                    restarted = true;
                    if (!sweepCursor.hasNext()) {
                        return;
                    }
                }
                drainIfEnded(sweepCursor);
            }
        } finally {
            sweeping.unlock();
        }
    }

    /** Drains the iterator's next cache into the shared stacks if its thread has ended and no other thread has. */
    private boolean drainIfEnded(Iterator<ThreadCache> registrations) {
        ThreadCache cache = registrations.next();
        examined.increment();
        if (!cache.claimForReclaim()) {
            return false;
        }
        registrations.remove();
        lookup.forget(cache);
        reclaimedCaches.increment();
        for (int i = 0; i < cache.bins.length; i++) {
            flush(cache, i, cache.bins[i].count, fault == CachePathFault.RECLAIM_LOSES_A_BLOCK);
            long delta = cache.liveDelta(i);
            pools[i].live.add(delta); // the shared counter takes over what the dead cache counted
            cache.countMoved(i, -delta);
        }
        return true;
    }

    /** Registrations looked at by sweeps and full reclaims so far, for tests in this package. */
    long examined() {
        return examined.sum();
    }

    /** Live blocks of a class counted by the caches (allocated minus freed through them). */
    long liveDelta(int classIndex) {
        long sum = 0;
        for (ThreadCache cache : lookup.all()) {
            sum += cache.liveDelta(classIndex);
        }
        return sum;
    }

    /** Every block cached in a class's bins (quiescent only). */
    List<Long> cached(int classIndex) {
        List<Long> blocks = new ArrayList<>();
        for (ThreadCache cache : lookup.all()) {
            ThreadCache.Bin bin = cache.bins[classIndex];
            for (int i = 0; i < bin.count; i++) {
                blocks.add(bin.blocks[i]);
            }
        }
        return blocks;
    }

}
