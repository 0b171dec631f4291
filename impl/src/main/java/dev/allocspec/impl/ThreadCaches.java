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
 * The thread caches of one allocator: each platform thread's {@link ThreadCache}, the moves between a cache and the
 * shared stacks (batch refill in one CAS, chain flush in one CAS, jemalloc's low-water pass), and the reclaiming of
 * caches whose thread has ended.
 *
 * <p><b>Virtual threads share stripe caches.</b> A cache per virtual thread would pin blocks in as many short-lived
 * caches as there are virtual threads, and without any cache every operation of a virtual thread hits the shared stack
 * (BENCHMARKS.md, "Churn on virtual threads", has the figures). Virtual threads therefore share a fixed set of {@link ThreadCache#stripe(ThreadCacheSettings) stripe caches}: about
 * two per core, each taken with a try-lock for one operation. A thread tries the stripe its id picks and the next one;
 * if both are in use it goes to the shared stack for that operation, so nothing ever waits on a stripe (a virtual
 * thread parked while holding one, e.g. on the locked strategy's lock, only sends others to the shared stack).
 *
 * <p><b>Threads that end.</b> Every cache is registered with its owner thread. Caches whose owner has terminated are
 * drained into the shared stacks: all of them before any pool grows, so no pool grows while such a cache holds a free
 * block of its class (short-lived threads otherwise each leave a cache of blocks behind and the pools grow
 * instead); and a few at a time ({@link #SWEEP_STEP} registrations looked at, continuing where the last sweep stopped)
 * whenever a new thread registers its cache and on each low-water pass, so threads that live for a few operations each
 * leave few caches behind, while neither a new thread nor a pass pays for every live thread (a walk over all
 * registrations on every pass made each thread's operations slower with every idle thread that holds a cache:
 * BENCHMARKS.md, "One thread among idle threads that hold caches"). Reading a dead thread's cache is safe: the thread's last action
 * happens-before {@code isAlive()} returning false (JLS 17.4.4), and {@link ThreadCache#claimForReclaim()} makes
 * exactly one thread drain it.
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

    /** The slots for the fast lookup of a thread's cache at first; its id picks them (see {@link #current()}). */
    static final int MIN_SLOTS = 256;
    /** The most slots the table grows to (256 KiB of references). */
    static final int MAX_SLOTS = 1 << 16;
    /** Slots a thread may hold its cache in: the one its id picks and the next ones, wrapping around. */
    static final int PROBES = 4;
    /** Registrations one sweep looks at: a new thread's registration and a low-water pass each run one sweep. */
    static final int SWEEP_STEP = 16;
    /** Stripes a virtual thread tries (its own, then the next) before it goes to the shared stack. */
    static final int STRIPE_PROBES = 2;

    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    /**
     * The fast path of {@link #current()}: a thread's cache sits in one of the {@link #PROBES} slots from
     * {@code threadId % length}. Plain reads and writes, and replaced by a larger table as threads register; every
     * race on it is benign (see {@link #current()}).
     */
    private ThreadCache[] bySlot = new ThreadCache[MIN_SLOTS];
    private final ConcurrentLinkedQueue<ThreadCache> registry = new ConcurrentLinkedQueue<>();
    /**
     * The primary thread's cache, checked by {@link #current()} before the slot table; null while there is none. Read
     * plainly by every thread, written only when it is null (by a thread claiming it) and when its owner's cache is
     * drained (cleared); every race on it is benign (see {@link #current()}).
     */
    private Primary primary;
    /** Caches in the registry: the slot table grows to keep at least four slots per registered cache. */
    private final AtomicInteger registered = new AtomicInteger();
    /** Held by the one thread sweeping; the others skip their sweep rather than wait. */
    private final ReentrantLock sweeping = new ReentrantLock();
    /** Where the next sweep goes on (guarded by {@link #sweeping}); weakly consistent, so it survives removals. */
    private Iterator<ThreadCache> sweepCursor = Collections.emptyIterator();
    /** Registrations looked at by sweeps and full reclaims so far; for tests that bound a sweep's work. */
    private final LongAdder examined = new LongAdder();
    /** The caches virtual threads share, a power of two of them; each used under its try-lock. */
    private final ThreadCache[] stripes;
    /** False only in the negative control that shows the one-user-per-stripe check bites: stripes without a lock. */
    private final boolean lockStripes;
    private final Pool[] pools;
    private final ChunkDirectory directory;
    private final Replenisher replenisher;
    private final ThreadCacheSettings settings;
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
        this.settings = settings;
        this.lowWaterInterval = settings.lowWaterInterval();
        this.lockStripes = lockStripes;
        this.fault = fault;
        this.stripes = new ThreadCache[stripeCount(Runtime.getRuntime().availableProcessors())];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = ThreadCache.stripe(settings);
        }
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
     * Stripes for a machine with {@code cores} cores: the power of two at or above twice the cores, at most 64. Each
     * stripe pins at most what one thread cache does (about 1.4 MiB), so 32 stripes on 16 cores pin at most 45 MiB.
     */
    static int stripeCount(int cores) {
        return Math.min(64, Integer.highestOneBit(Math.max(2, 2 * cores) - 1) << 1);
    }

    /**
     * The cache this thread uses for one operation: a platform thread's own cache, created on first use; for a
     * virtual thread a stripe cache it now holds alone and must {@link ThreadCache#release() release} when the
     * operation ends, normally or not, or null when the stripes it tried are in use (the operation then goes to the
     * shared stack).
     *
     * <p>Fast path: the slots the thread's id picks, used only if the cache there belongs to this thread; otherwise
     * the ThreadLocal (two ThreadLocal lookups were a large part of an allocate and free pair: BENCHMARKS.md, "Before and
     * after the thread caches"). Benign races: slots, and the table itself, are read and written plainly by
     * every thread, so a reader may see a stale table, a stale entry or another thread's cache; it uses a cache only
     * if {@code cache.owner == currentThread}. {@code owner} is final, so a cache seen through a slot has its owner
     * set, and a cache owned by this thread was put there by this thread, earlier in its own program order. A miss
     * only sends the thread to the ThreadLocal, which then claims a slot for it again. A slot is claimed only while it
     * is empty or its holder's thread has ended, so a live thread keeps its slot; a thread all of whose slots are held
     * by live threads keeps finding its cache through the ThreadLocal until one ends or the table grows (at one
     * registered cache per four slots). A virtual thread never owns a cache, so it always takes the slow path to the
     * stripes.
     *
     * <p>Before the slots: the {@link Primary primary} thread's cache, one load and a compare away, so that the first
     * thread to use the caches (in many programs the only one that allocates) does not pay for the table; every other
     * thread pays one load more (see {@link Primary}).
     */
    ThreadCache current() {
        ThreadCache cache = own();
        return cache != null ? cache : located(Thread.currentThread());
    }

    /**
     * The calling thread's own cache if the thread is the primary or its cache sits in its home slot, else null: the
     * lookup on the allocator's fast path, small enough to inline there; {@link #current()} goes on from here.
     */
    ThreadCache own() {
        Thread thread = Thread.currentThread();
        Primary primary = this.primary;
        if (primary != null && primary.owner == thread) {
            return primary.cache;
        }
        ThreadCache[] slots = bySlot;
        ThreadCache cache = slots[slotIndex(slots, thread, 0)];
        if (cache == null || cache.owner != thread) {
            return null;
        }
        if (primary == null) {
            claimPrimaryIfFree(cache); // the primary ended and was drained: the next thread to come by takes it
        }
        return cache;
    }

    /**
     * {@link #own()}, or for a virtual thread a stripe it now holds and must {@link ThreadCache#releaseIfStripe()
     * release}; null otherwise (a platform thread whose cache is elsewhere, or every stripe tried in use).
     */
    ThreadCache ownOrStripe() {
        ThreadCache cache = own();
        return cache != null ? cache : stripeIfVirtual();
    }

    /** For a virtual thread, a stripe it now holds (see {@link #stripeFor}); null for a platform thread. */
    ThreadCache stripeIfVirtual() {
        Thread thread = Thread.currentThread();
        return thread.isVirtual() ? stripeFor(thread) : null;
    }

    /** {@link #current()} past {@link #own()}: the thread's other slots, or the ThreadLocal and a stripe. */
    private ThreadCache located(Thread thread) {
        ThreadCache cache = slotted(bySlot, thread, 0);
        if (cache == null) {
            cache = currentSlow(thread);
        }
        if (cache != null && !cache.isStripe()) {
            claimPrimaryIfFree(cache);
        }
        return cache;
    }

    /**
     * Makes {@code cache}'s owner, the calling thread, the primary if there is none. Benign race: two threads may
     * claim at once and the last write stays; a claim only ever names the claiming thread, which is alive, and a
     * drain clears only a holder whose owner has ended ({@link #forgetPrimary}).
     */
    private void claimPrimaryIfFree(ThreadCache cache) {
        if (primary == null) {
            primary = new Primary(cache.owner, cache);
        }
    }

    /**
     * The primary thread and its cache: the first platform thread to use the caches, or the first after the previous
     * primary ended and its cache was drained. Its own record, not a field of the cache: the cache's line is written
     * by its owner on every operation, and other threads checking its owner there on every operation of theirs made
     * two threads' churn twice as slow; this record is immutable, so every thread keeps its line.
     *
     * <p>Why it exists: it replaces the two slot lookups of an allocate+free pair by one load each, while a thread
     * that is not primary pays one load more (BENCHMARKS.md, "The primary thread finds its cache in one load"). Final
     * fields: a thread that reads the reference sees both set.
     */
    private record Primary(Thread owner, ThreadCache cache) {
    }

    /**
     * The thread's cache in its slots from probe {@code first} on, or null: what {@link #current()} finds without the
     * ThreadLocal.
     */
    private static ThreadCache slotted(ThreadCache[] slots, Thread thread, int first) {
        for (int probe = first; probe < PROBES; probe++) {
            ThreadCache cache = slots[slotIndex(slots, thread, probe)];
            if (cache == null) {
                break; // a thread claims the first free slot it finds, so it is not further on (or no longer there)
            }
            if (cache.owner == thread) {
                return cache;
            }
        }
        return null;
    }

    /** The slot of a thread's {@code probe}-th try: its id picks the first, wrapping around the table. */
    private static int slotIndex(ThreadCache[] slots, Thread thread, int probe) {
        return ((int) thread.threadId() + probe) & (slots.length - 1);
    }

    private ThreadCache currentSlow(Thread thread) {
        if (thread.isVirtual()) {
            return stripeFor(thread);
        }
        ThreadCache cache = local.get();
        if (cache == null) {
            // A new thread: sweep for caches of threads that ended first, so that threads that each live for a few
            // operations (fewer than a low-water pass needs) do not strand their cached blocks one cache at a time.
            sweep();
            cache = new ThreadCache(thread, settings);
            local.set(cache);
            registry.add(cache);
            growSlotsFor(registered.incrementAndGet());
        }
        claimSlot(bySlot, cache);
        return cache;
    }

    /**
     * Makes a cache the first of its slots' caches that {@link #current()} finds: unless a slot before the first free
     * one (empty, or held by an ended thread) already holds it, it takes that free one. A copy left further on is
     * harmless; {@link #forgetSlot} clears them all.
     */
    private static void claimSlot(ThreadCache[] slots, ThreadCache cache) {
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = slotIndex(slots, cache.owner, probe);
            ThreadCache holder = slots[slot];
            if (holder == cache) {
                return;
            }
            if (holder == null || !holder.owner.isAlive()) {
                slots[slot] = cache;
                return;
            }
        }
    }

    /**
     * Replaces the slot table by one twice as large, holding the live registered caches, while there are fewer than
     * four slots per registered cache. Two threads growing at once each publish a table; caches the lost one held are
     * claimed again on their owner's next lookup.
     */
    private void growSlotsFor(int caches) {
        ThreadCache[] slots = bySlot;
        if (slots.length >= MAX_SLOTS || 4L * caches <= slots.length) {
            return;
        }
        ThreadCache[] larger = new ThreadCache[slots.length * 2];
        for (ThreadCache cache : registry) {
            if (cache.owner.isAlive()) {
                claimSlot(larger, cache);
            }
        }
        bySlot = larger;
    }

    /** Whether a thread's cache is in the slot table, where {@link #current()} finds it without the ThreadLocal. */
    boolean inSlots(Thread thread) {
        return slotted(bySlot, thread, 0) != null;
    }

    /**
     * The first stripe a virtual thread may have, of those its id picks, now held by it until its
     * {@link ThreadCache#release() release}; null if they are all in use.
     */
    ThreadCache stripeFor(Thread thread) {
        int first = stripeIndex(thread);
        for (int probe = 0; probe < STRIPE_PROBES; probe++) {
            ThreadCache stripe = stripes[(first + probe) & (stripes.length - 1)];
            if (!lockStripes || stripe.tryAcquire()) {
                return stripe;
            }
        }
        return null;
    }

    /** The stripe a thread tries first. */
    int stripeIndex(Thread thread) {
        return (int) thread.threadId() & (stripes.length - 1);
    }

    /** Stripe {@code index} (taken modulo the stripe count), for tests in this package. */
    ThreadCache stripe(int index) {
        return stripes[index & (stripes.length - 1)];
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

    void lowWaterPassAndSweep(ThreadCache cache) {
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
        for (Iterator<ThreadCache> it = registry.iterator(); it.hasNext(); ) {
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
                    sweepCursor = registry.iterator();
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
        registered.decrementAndGet();
        forgetSlot(cache);
        forgetPrimary(cache);
        reclaimedCaches.increment();
        for (int i = 0; i < cache.bins.length; i++) {
            flush(cache, i, cache.bins[i].count, fault == CachePathFault.RECLAIM_LOSES_A_BLOCK);
            long delta = cache.liveDelta(i);
            pools[i].live.add(delta); // the shared counter takes over what the dead cache counted
            cache.countMoved(i, -delta);
        }
        return true;
    }

    /**
     * Clears the primary if it is this drained cache, so that a live thread can claim it. Racy, and harmless: only the
     * owner ever writes a holder naming it, before it ended, and its end happens-before the drain (JLS 17.4.4), so the
     * read here sees that holder or a later one; a claim that races with the clear names a live thread.
     */
    private void forgetPrimary(ThreadCache cache) {
        Primary holder = primary;
        if (holder != null && holder.cache == cache) {
            primary = null;
        }
    }

    /** Whether {@code thread} is the primary thread, whose cache {@link #current()} finds before the slot table. */
    boolean isPrimary(Thread thread) {
        Primary holder = primary;
        return holder != null && holder.owner == thread;
    }

    /** Clears a drained cache's slots; racy, and harmless: a lost update leaves a dead owner, which never matches. */
    private void forgetSlot(ThreadCache cache) {
        ThreadCache[] slots = bySlot;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = slotIndex(slots, cache.owner, probe);
            if (slots[slot] == cache) {
                slots[slot] = null;
            }
        }
    }

    /** Registrations looked at by sweeps and full reclaims so far, for tests in this package. */
    long examined() {
        return examined.sum();
    }

    /** Live blocks of a class counted by the caches (allocated minus freed through them). */
    long liveDelta(int classIndex) {
        long sum = 0;
        for (ThreadCache cache : all()) {
            sum += cache.liveDelta(classIndex);
        }
        return sum;
    }

    /** Every block cached in a class's bins (quiescent only). */
    List<Long> cached(int classIndex) {
        List<Long> blocks = new ArrayList<>();
        for (ThreadCache cache : all()) {
            ThreadCache.Bin bin = cache.bins[classIndex];
            for (int i = 0; i < bin.count; i++) {
                blocks.add(bin.blocks[i]);
            }
        }
        return blocks;
    }

    /** The caches of live and not yet reclaimed threads, then the stripes. */
    private List<ThreadCache> all() {
        List<ThreadCache> all = new ArrayList<>(registry);
        all.addAll(List.of(stripes));
        return all;
    }
}
