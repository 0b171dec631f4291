package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.ClosedScopes;
import dev.allocspec.spec.InternalPaths;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.Rejections;
import dev.allocspec.spec.SelfChecking;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The optimised allocator of the family: jalib's design on real off-heap memory, thread-safe and lock-free where the
 * hardware allows. It makes the same single-threaded decisions as the reference allocator (the specification; see
 * {@link BlockAllocator} and {@code INVARIANTS.md}), so the same operations give every block the same (arena index,
 * offset).
 *
 * <h2>Overview</h2>
 * <pre>
 * allocate(n, a):  class = smallest class >= max(n, a)      (above 16384: raw)
 *   cache on (default): platform thread: its own cache; virtual thread: a stripe cache it try-locks (both busy: none)
 *                  b = top of the cache's bin; empty bin: refill = popChain(batch), ONE CAS (replenish if empty)
 *                  state(b) := live(n)                       (release store: the bin is this thread's alone)
 *   no cache:      loop { b = pool[class].stack.pop(); if b != EMPTY: break; replenish(pool) }
 *                  CAS state(b): FREE -> live(n)             (fails only if the stack is broken)
 *   either way:    hand out b's last segment if it had size n, else a new slice (Chunk.segment)
 *   replenish:     drain the caches of threads that ended; if none held a block of the class: pool.grow()
 * free(seg):       chunk = directory.containing(seg.address) (page map: a few loads)
 *                  check interior, size; CAS state(b): live(n) -> FREE   (exactly one concurrent free wins)
 *                  push b on the cache's bin (full: flush its bottom half, ONE CAS) or on pool.stack
 * large (raw):     allocate: under the LargeMappingCache's one lock, the best-fitting cached mapping, state := live(n);
 *                  none fits: mmap one with a scope of its own. free: under the lock, state live(n) -> FREE (else
 *                  double free or wrong size), cache the mapping (still mapped, still in the directory); then the
 *                  purge point: cap (unmap the oldest freed), ratio and decay (madvise) by the PurgePolicy
 * pooled purge:    4 KiB and 16 KiB classes, on purge() and decay (PooledPurge): pop every free block off the stack
 *                  (own cache flushed first), madvise, keep them below the stack (Pool); replenish takes them back
 *                  before it grows
 * </pre>
 * Each class's free stack is a {@link FreeStack} over a {@link StampedTop} in an off-heap control segment; the free
 * list lives in the free blocks ({@link FreeBlockLayout}). A chunk's blocks are linked and pushed with one CAS. The
 * thread caches ({@link ThreadCaches}, jemalloc's tcache) keep the native CAS off the common path and preserve the
 * single-threaded order exactly, so refinement against the reference holds with them on or off.
 *
 * <h2>Memory is never unmapped under a call</h2>
 * Pooled chunks are given back only by {@link #close()}, and it may run while other threads are still calling (the
 * contract: each such call completes or throws {@link IllegalStateException}). What keeps that safe: the links in free
 * blocks are read and written only through a segment tied to the chunks' shared scope ({@link FreeBlockLayout#in}),
 * whose close protocol makes an access racing with the close throw instead of touching unmapped memory; the stack
 * tops, which the native CAS reaches by raw address, live in a control segment that only the garbage collector gives
 * back, when the allocator is unreachable; and a raw block obtained while {@code close()} ran is given back by the
 * allocation itself, which then throws. A large mapping is unmapped before {@code close()} only when the retained cap
 * evicts it from the cache: it is free then, forgotten by the directory first and its own scope closed, so every stale
 * segment of it throws instead of reaching the range; a purge ({@code madvise}) runs only on a cached mapping under the
 * cache's lock, which {@code close()} takes before it unmaps anything.
 *
 * <h2>Stats under concurrency</h2>
 * {@code stats()} reads counters that are updated next to, not atomically with, the stacks: exact when no operation
 * is in flight. A class's {@code free} is {@code carved - live}; {@link #checkInvariants()} walks each stack and
 * checks that count against it.
 */
public final class LockFreeBlockAllocator implements BlockAllocator, SelfChecking, InternalPaths {

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(LockFreeBlockAllocator.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CasStrategy strategy;
    private final String strategyReason;
    private final ChunkPolicy policy;
    private final MemorySource memory;
    private final long pageSize;
    private final Arena poolScope = Arena.ofShared();
    private final Pool[] pools;
    private final ChunkDirectory directory = new ChunkDirectory();
    /**
     * Set once by {@link #close()} (through {@link #casClosed}); a field of its own rather than an
     * {@code AtomicBoolean}, so that the check on every call is one load, not two dependent ones.
     */
    private volatile boolean closed;
    /** Why a segment with a closed scope is refused: a raw block freed twice, after close, or not ours. */
    private final ClosedScopes closedScopes = new ClosedScopes();
    /** Bases of large mappings being unmapped: forgotten by the directory, scope not yet closed. */
    private final Set<Long> retiringRaw = ConcurrentHashMap.newKeySet();
    /** Free large mappings kept for reuse, and the purge policy's rules over them. */
    private final LargeMappingCache large;
    /** The purge policy's rules over the free blocks of the 4 KiB and 16 KiB classes. */
    private final PooledPurge pooledPurge;
    /** The per-thread caches in front of the shared stacks, or null when the allocator runs without them. */
    private final ThreadCaches caches;
    /** Where an operation finds its cache: {@code caches.lookup()}, held here for one load less on the fast path. */
    private final ThreadCacheLookup cacheLookup;

    private LockFreeBlockAllocator(Builder builder) {
        CasStrategy.Choice choice = builder.strategy != null
                ? new CasStrategy.Choice(builder.strategy, "forced by the caller") : CasStrategy.choose();
        if (!choice.strategy().isAvailable()) {
            throw new UnsupportedOperationException(choice.strategy() + " cannot run here ("
                    + choice.reason() + "): " + choice.strategy().unavailableReason());
        }
        this.strategy = choice.strategy();
        this.strategyReason = choice.reason();
        this.policy = builder.policy;
        this.memory = builder.memory;
        this.pageSize = memory.pageSize();
        List<SizeClass> classes = SizeClass.pooled();
        // The tops live until the allocator is unreachable, not until close(): the native CAS reaches them by raw
        // address, and a call racing with close() may still be about to CAS (see the class comment).
        MemorySegment control = memory.obtain(classes.size() * StackTopLayout.PADDED_SIZE, Arena.ofAuto());
        FreeBlockLayout links = FreeBlockLayout.in(poolScope);
        this.pools = new Pool[classes.size()];
        for (int i = 0; i < pools.length; i++) {
            MemorySegment word = control.asSlice(i * StackTopLayout.PADDED_SIZE, StackTopLayout.PADDED_SIZE);
            StampedTop top = StampedTop.over(word, strategy);
            pools[i] = new Pool(classes.get(i), builder.freeStacks.create(classes.get(i), top, links), directory);
        }
        this.caches = builder.threadCache ? new ThreadCaches(pools, directory, this::replenish,
                builder.threadCacheSettings, builder.lockStripes, builder.cachePathFault) : null;
        this.cacheLookup = caches == null ? null : caches.lookup();
        this.large = new LargeMappingCache(builder.purgePolicy, memory, this::pooledBytes, this::unmapLarge,
                builder.decayThread, builder.purgeFault);
        this.pooledPurge = new PooledPurge(pools, builder.purgePolicy, memory,
                pool -> pool.carved.get() - liveBlocks(pool) - pool.purgedCount(), large.now(), builder.purgeFault);
        if (builder.decayThread) {
            DecayThread.register(this, builder.purgePolicy.decayDelay());
        }
    }

    /** An allocator with the automatically chosen strategy (see {@link CasStrategy}) and the default policy. */
    public static LockFreeBlockAllocator create() {
        return builder().build();
    }

    /**
     * An allocator with a forced strategy and the default policy.
     *
     * @throws UnsupportedOperationException with the reason, if the strategy cannot run here
     */
    public static LockFreeBlockAllocator create(CasStrategy strategy) {
        return builder().strategy(strategy).build();
    }

    /** A builder for a chosen strategy, chunk policy or memory source. */
    public static Builder builder() {
        return new Builder();
    }

    /** The strategy in use. */
    public CasStrategy strategy() {
        return strategy;
    }

    /**
     * The strategy in use, its instruction path and why it was chosen, e.g. {@code "NATIVE_CAS128 (x86-64 lock
     * cmpxchg16b via FFM critical downcall (linux-x86_64)): chosen automatically: ..."}.
     */
    public String strategyReport() {
        return strategy + " (" + strategy.instructionPath() + "): " + strategyReason;
    }

    /** The chunk policy in use. */
    public ChunkPolicy policy() {
        return policy;
    }

    /** The purge policy in use. */
    public PurgePolicy purgePolicy() {
        return large.policy();
    }

    /**
     * The fast path: a valid pooled request of a thread with a cache at hand (its own, found by
     * {@link ThreadCacheLookup#own()}, or for a virtual thread a stripe it now holds), from a bin that is neither empty nor
     * at its low water. Every other case, and every rejection, is {@link #allocateInGeneral}, out of line. What the fast
     * path calls is small (see {@link #makeLive}), so the JIT inlines all of it however the allocator was used
     * while it profiled; and the general path's call site is cold in every profile in which the fast path's cases
     * are common, so the JIT leaves it out of line and callers can inline this method (what decides it, measured:
     * docs/benchmarks/small-pair/REPORT.md, "After mixed use").
     *
     * <p>The fast path makes no call that can come back with the heap changed: a due low-water pass sends the operation
     * to the general path instead ({@link ThreadCache#countFastOperation()}; a call on a rarely taken branch of the fast
     * path, the pass itself, made the pair measurably slower: docs/benchmarks/small-pair). A stripe is
     * released without a try/finally, which would double the fast path's code: what can throw while one is held is a
     * corrupt stack ({@link InvariantViolation}); the stripe then stays taken, which only sends virtual threads to the
     * next stripe or the shared stack. A caller's error is thrown before any stripe is taken.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        int classIndex = SizeClass.pooledIndexOrMinusOne(byteSize, byteAlignment, pageSize);
        ThreadCache cache = classIndex < 0 || cacheLookup == null || lvClosed() ? null : cacheLookup.ownOrStripe();
        if (cache != null) {
            ThreadCache.Bin bin = cache.bins[classIndex];
            int top = bin.count - 1;
            if (top >= bin.lowWater) { // not empty (the low water is at least 0), and no new low water to note
                long block = bin.blocks[top];
                Chunk chunk = bin.chunks[top];
                int index = chunk.blockIndex(block);
                MemorySegment segment = chunk.lastSegmentOfSize(index, byteSize); // null: a new one is made in general
                if (segment != null && cache.countFastOperation()) { // and no low-water pass due
                    bin.count = top;
                    makeLive(chunk, index, block, byteSize);
                    cache.releaseIfStripe();
                    return segment;
                }
            }
            cache.releaseIfStripe();
        }
        return allocateInGeneral(byteSize, byteAlignment);
    }

    /** {@link #allocate} for every request: checked, then large, shared, or through a cache or a stripe. */
    private MemorySegment allocateInGeneral(long byteSize, long byteAlignment) {
        requireOpen();
        final int classIndex = SizeClass.indexForRequest(byteSize, byteAlignment, pageSize);
        if (classIndex == SizeClass.POOLED_CLASSES) {
            return allocateRaw(byteSize);
        }
        final ThreadCache cache = cacheLookup == null ? null : cacheLookup.current();
        if (cache == null) {
            return allocateShared(classIndex, byteSize);
        }
        if (!cache.isStripe()) {
            return allocateCached(cache, classIndex, byteSize);
        }
        try { // a stripe, held for this one operation
            return allocateCached(cache, classIndex, byteSize);
        } finally {
            cache.release();
        }
    }

    /** Allocates straight from the shared stack (no cache, or the stripes were in use). */
    private MemorySegment allocateShared(int classIndex, long byteSize) {
        final Pool pool = pools[classIndex];
        long block;
        while ((block = pool.stack.pop(pool)) == FreeStack.EMPTY) {
            replenish(pool);
        }
        Chunk chunk = directory.pooledChunkOf(block, pool.sizeClass);
        int index = chunk.blockIndex(block);
        MemorySegment segment = chunk.segment(index, byteSize); // before the CAS that publishes it (see Chunk)
        if (!chunk.casState(index, Chunk.FREE, Chunk.liveState(byteSize))) {
            throw corruptStack(block, pool.sizeClass);
        }
        pool.live.increment();
        return segment;
    }

    /**
     * Refills a pool's empty shared stack: first from the caches of threads that ended, which may hold free blocks
     * nobody else can reach, and only then by growing (INV-REUSE-BEFORE-GROWTH: only an empty stack grows).
     */
    private void replenish(Pool pool) {
        if ((caches == null || !caches.reclaimDead()) && !pool.refillFromPurged()) {
            pool.grow(policy, memory, poolScope);
        }
    }

    /** Allocates from the top of a cache's bin, which the calling thread holds alone for this operation. */
    private MemorySegment allocateCached(ThreadCache cache, int classIndex, long byteSize) {
        long block = caches.take(cache, classIndex);
        return handOutCached(cache.takenChunk, block, byteSize);
    }

    /**
     * Makes a block just taken off a bin held by the calling thread live with {@code byteSize} bytes, in a segment
     * that is the block's last if it had this size (see {@link Chunk#segment}).
     */
    private static MemorySegment handOutCached(Chunk chunk, long block, long byteSize) {
        int index = chunk.blockIndex(block);
        MemorySegment segment = chunk.segment(index, byteSize); // before the store that publishes it (Chunk)
        makeLive(chunk, index, block, byteSize);
        return segment;
    }

    /**
     * Turns block {@code index}, just taken off a bin held by the calling thread, from free to live with
     * {@code byteSize} bytes, after its segment is in place. Small (under C2's {@code MaxInlineSize} of bytecode), so
     * that the fast path inlines it even where the profile calls it cold.
     */
    private static void makeLive(Chunk chunk, int index, long block, long byteSize) {
        requireFree(chunk, index, block);
        // The block came off a bin only this thread is using: no other allocation can reach it, so a release store
        // suffices. A racing (buggy) free of it sees FREE and is rejected, or sees the new state.
        chunk.srState(index, Chunk.liveState(byteSize));
    }

    /**
     * A plain read: it checks for a broken stack and orders nothing. The FREE it expects was written by this thread's
     * own free, or before the block's push that this thread's refill popped (CAS or lock in between).
     */
    private static void requireFree(Chunk chunk, int index, long block) {
        if (chunk.plainState(index) != Chunk.FREE) {
            throw corruptStack(block, chunk.sizeClass);
        }
    }

    private static InvariantViolation corruptStack(long block, SizeClass sizeClass) {
        return new InvariantViolation(Invariant.SINGLE_OWNER, "popped block 0x" + Long.toHexString(block)
                + " of class " + sizeClass + " is already live: the free stack is corrupt");
    }

    /**
     * A large block: the best-fitting cached mapping, else a new one. The cache's lock orders every change of a
     * mapping's state word; the write that makes the block live, under it, is the linearization point.
     */
    private MemorySegment allocateRaw(long byteSize) {
        Chunk mapping = large.take(byteSize);
        if (mapping == null) {
            mapping = mapLarge(byteSize);
            large.mapped(mapping, byteSize);
        }
        endLargePurgePoint(null);
        // Benign race: the segment slot is written by the block's owner only (see Chunk#segment), here after the
        // lock released the mapping to this thread and before a free of it can take the lock.
        return mapping.segment(0, byteSize);
    }

    /** Maps a new large mapping of whole pages with a scope of its own and records it. */
    private Chunk mapLarge(long byteSize) {
        Arena own = Arena.ofShared();
        MemorySegment mapping;
        try {
            mapping = memory.obtain(SizeClass.rawMappingSize(byteSize, pageSize), own);
        } catch (RuntimeException | Error e) {
            own.close();
            throw e;
        }
        Chunk chunk = new Chunk(mapping, SizeClass.RAW, own, 1);
        directory.add(chunk);
        if (lvClosed()) {
            // close() ran meanwhile and may have walked the directory before the add: give the mapping back here.
            // The add links the chunk with a CAS and close() sets 'closed' with one before its walk, so close() saw
            // the chunk or this sees 'closed' (or both: then the second close of the scope is a no-op).
            directory.remove(chunk);
            closeRacing(own);
            throw Rejections.closed();
        }
        return chunk;
    }

    /**
     * Unmaps a large mapping the cache evicts (its lock held): forgotten first, so that no lookup attributes a new
     * mapping the system puts at this address to it, then its scope closed, so that every stale segment of it throws
     * before the range is unmapped (INV-NO-EARLY-UNMAP).
     */
    private void unmapLarge(Chunk mapping) {
        retiringRaw.add(mapping.base);
        directory.remove(mapping);
        // Recorded before the scope closes: a stale free that finds it closed must find it here too.
        closedScopes.addGivenBack(mapping.rawScope.scope());
        closeRacing(mapping.rawScope); // INV-RAW-RETURNED: munmap runs as the scope's cleanup
        retiringRaw.remove(mapping.base);
    }

    /** Pooled chunks' bytes: with the live large mappings', what the purge policy's ratio is measured against. */
    private long pooledBytes() {
        long active = 0;
        for (Pool pool : pools) {
            active += pool.carved.get() * pool.sizeClass.blockSize();
        }
        return active;
    }

    /**
     * The fast path, as {@link #allocate}'s: a block of a pooled chunk that the thread freed into last or that the page
     * map finds, claimed (the state-word CAS and its checks) and pushed on the thread's bin if it is not full. A
     * virtual thread takes a stripe only after the claim, so that a caller's error is thrown while it holds none.
     * Large blocks and foreign segments go to {@link #freeInGeneral}, a full bin or no cache at hand to
     * {@link #pushClaimed}, both out of line.
     */
    @Override
    public void free(MemorySegment block) {
        requireOpen();
        long address = Rejections.requireLiveNativeSegment(block, closedScopes);
        if (block.byteSize() > SizeClass.LARGEST_BLOCK) { // no pooled block is that large
            freeLarge(block, address);
            return;
        }
        ThreadCache own = cacheLookup == null ? null : cacheLookup.own();
        Chunk chunk = own == null ? null : own.lastChunkContaining(address);
        if (chunk == null && ((chunk = directory.recorded(address)) == null || chunk.rawScope != null)) {
            freeInGeneral(block, address, chunk); // a large mapping, or not found by the page map
            return;
        }
        claimPooled(chunk, block, address);
        ThreadCache cache = own != null || cacheLookup == null ? own : cacheLookup.stripeIfVirtual();
        if (cache != null) {
            ThreadCache.Bin bin = cache.bins[chunk.classIndex];
            if (!bin.isFull() && cache.countFastOperation()) {
                bin.push(address, chunk);
                if (cache.lastChunk != chunk) {
                    cache.lastChunk = chunk;
                }
                cache.releaseIfStripe();
                return;
            }
        }
        pushClaimed(chunk, address, cache);
    }

    /**
     * Puts a block this thread has just claimed (its state word FREE) where a free puts it: on the bin of
     * {@code cache} (held by this thread; null: the cache {@link ThreadCacheLookup#current()} gives, if any), flushing it
     * first if full, or on the shared stack.
     */
    private void pushClaimed(Chunk chunk, long address, ThreadCache cache) {
        if (cache == null && cacheLookup != null) {
            cache = cacheLookup.current();
        }
        try {
            putFree(chunk, address, cache);
        } finally {
            if (cache != null) {
                cache.releaseIfStripe();
            }
        }
    }

    /**
     * Puts a claimed block on the bin of {@code cache}, held by this thread, flushing it first if full; or, with no
     * cache, on the shared stack.
     */
    private void putFree(Chunk chunk, long address, ThreadCache cache) {
        if (cache == null) {
            Pool pool = pools[chunk.classIndex];
            pool.live.decrement();
            pool.stack.push(address);
            return;
        }
        cache.lastChunk = chunk;
        caches.give(cache, chunk.classIndex, address, chunk);
    }

    /**
     * {@link #free} of a checked native segment for every case: through a cache, a stripe, or the shared stack.
     * {@code found} is the chunk the page map found for it, if any, so that it is not looked up twice.
     */
    private void freeInGeneral(MemorySegment block, long address, Chunk found) {
        ThreadCache cache = cacheLookup == null ? null : cacheLookup.current();
        if (cache == null || !cache.isStripe()) {
            free(block, address, cache, found);
            return;
        }
        try { // a stripe, held for this operation only (see allocate)
            free(block, address, cache, found);
        } finally {
            cache.release();
        }
    }

    /**
     * Frees a checked native segment, through {@code cache} (held by this thread) if not null; {@code found}, if not
     * null, is the chunk that holds it.
     */
    private void free(MemorySegment block, long address, ThreadCache cache, Chunk found) {
        Chunk chunk = found != null ? found : cache == null ? null : cache.lastChunkContaining(address);
        if (chunk == null) {
            chunk = owner(block, address);
        }
        if (chunk.sizeClass.isRaw()) {
            freeRaw(chunk, block, cache);
        } else {
            freePooled(chunk, block, cache);
        }
    }

    /** The chunk that holds {@code address}, from the directory; off the hot path of {@link #free}. */
    private Chunk owner(MemorySegment block, long address) {
        Chunk chunk = directory.containing(address);
        if (chunk == null) {
            if (retiringRaw.contains(address)) {
                // A concurrent free of this raw block won and forgot it after our first check.
                throw Rejections.doubleFree(address, SizeClass.RAW);
            }
            if (!block.scope().isAlive()) {
                // Closed since our first check: by a concurrent free of this raw block (recorded in closedScopes
                // before its scope closed), by close(), or by somebody else's arena.
                throw closedScopes.rejectionFor(block);
            }
            throw Rejections.foreign(address);
        }
        return chunk;
    }

    /** Frees a pooled block through {@code cache}, held by this thread (null: the shared stack). */
    private void freePooled(Chunk chunk, MemorySegment block, ThreadCache cache) {
        long address = block.address();
        claimPooled(chunk, block, address);
        putFree(chunk, address, cache);
    }

    /**
     * Turns a pooled block from live to free, or throws and changes nothing: an interior address, a double free or
     * a wrong size. The successful state CAS is the linearization point of free: from there the block is the
     * caller's to push. Small, as {@link #makeLive}, for the fast path of {@link #free}.
     */
    private static void claimPooled(Chunk chunk, MemorySegment block, long address) {
        int index = chunk.blockIndex(address);
        requireBlockStart(chunk, index, address);
        long byteSize = block.byteSize();
        if (!chunk.casLiveToFree(index, byteSize)) { // a failed CAS leaves the state as it was; say why
            throw rejectFree(chunk, index, address, byteSize);
        }
    }

    private static void requireBlockStart(Chunk chunk, int index, long address) {
        long blockStart = chunk.blockAddress(index);
        if (blockStart != address) {
            throw Rejections.interior(address, blockStart, chunk.sizeClass);
        }
    }

    /** Why a pooled block's state word did not say "live with this size": double free or wrong size. */
    private static RuntimeException rejectFree(Chunk chunk, int index, long address, long byteSize) {
        int state = chunk.lvState(index);
        if (state == Chunk.FREE || byteSize <= SizeClass.LARGEST_BLOCK && state == Chunk.liveState(byteSize)) {
            // FREE: freed already. Live with this very size after our CAS failed: a concurrent free won and the
            // block was allocated again in between; this call's free is still the second one of its allocation.
            return Rejections.doubleFree(address, chunk.sizeClass);
        }
        return Rejections.wrongSize(address, byteSize, state - 1L, chunk.sizeClass);
    }

    /**
     * Frees a block whose segment is larger than any pooled block: the large mapping with its address as base, found
     * and freed under the cache's lock, then the rest of the purge point. Anything else (an interior address, a
     * foreign or stale segment, a wrong size for a pooled block) goes to {@link #freeInGeneral}, which says what it
     * is.
     */
    private void freeLarge(MemorySegment block, long address) {
        long byteSize = block.byteSize();
        long found = large.freeAt(address, byteSize);
        if (found == LargeMappingCache.NOT_RECORDED) {
            freeInGeneral(block, address, null);
            return;
        }
        if (found != LargeMappingCache.FREED) {
            throw rejectLargeFree(address, byteSize, found);
        }
        endLargePurgePoint(null); // INV-RAW-RETURNED: cached, still mapped
    }

    /**
     * The rest of the purge point that ends a large allocation or free: a pooled pass if one is due, after the calling
     * thread's cache is flushed: {@code held} if this thread holds it for the operation, else the cache it can take.
     */
    private void endLargePurgePoint(ThreadCache held) {
        long now = large.now();
        if (!pooledPurge.due(now)) {
            return;
        }
        if (held != null) {
            pooledPurge.atPurgePoint(now, flusher(held));
        } else {
            withOwnCache(cache -> pooledPurge.atPurgePoint(now, flusher(cache)));
        }
    }

    /** Why a large free found its mapping's state word not "live with this size": double free or wrong size. */
    private static RuntimeException rejectLargeFree(long address, long byteSize, long found) {
        return found == Chunk.FREE ? Rejections.doubleFree(address, SizeClass.RAW)
                : Rejections.wrongSize(address, byteSize, found - 1, SizeClass.RAW);
    }

    /** Frees a large block; {@code cache}, held by this thread if not null, is flushed if a pooled pass runs. */
    private void freeRaw(Chunk chunk, MemorySegment block, ThreadCache cache) {
        long address = block.address();
        if (address != chunk.base) {
            throw Rejections.interior(address, chunk.base, SizeClass.RAW);
        }
        // Decided under the cache's lock (the linearization point): of two concurrent frees exactly one finds the
        // block live with its size; a free of a cached mapping finds FREE (double free); a wrong size fails.
        long byteSize = block.byteSize();
        long found = large.free(chunk, byteSize);
        if (found != LargeMappingCache.FREED) {
            throw rejectLargeFree(address, byteSize, found);
        }
        endLargePurgePoint(cache); // INV-RAW-RETURNED: cached, still mapped
    }

    @Override
    public void purge() {
        requireOpen();
        large.purgeAll();
        long now = large.now();
        withOwnCache(cache -> pooledPurge.purgeAll(now, flusher(cache)));
    }

    /** A tick of the decay thread: a purge point, with no thread cache of its own to flush. */
    void decayTick() {
        large.tick();
        long now = large.now();
        if (pooledPurge.due(now)) {
            pooledPurge.atPurgePoint(now, null);
        }
    }

    boolean isClosed() {
        return lvClosed();
    }

    /**
     * Runs {@code body} with the calling thread's cache (null without caches, or when a virtual thread finds every
     * stripe busy), holding a stripe for its duration as an allocation does.
     */
    private void withOwnCache(Consumer<ThreadCache> body) {
        ThreadCache cache = cacheLookup == null ? null : cacheLookup.current();
        if (cache == null || !cache.isStripe()) {
            body.accept(cache);
            return;
        }
        try {
            body.accept(cache);
        } finally {
            cache.release();
        }
    }

    /** What moves {@code cache}'s blocks of a pool to its stack before a purge pass takes them (null: nothing). */
    private Consumer<Pool> flusher(ThreadCache cache) {
        return cache == null ? null : pool -> caches.flushAll(cache, pool.sizeClass.ordinal());
    }

    @Override
    public List<MemorySegment> arenas() {
        requireOpen();
        return directory.arenas();
    }

    /**
     * How often the thread caches' paths off the fast path have run, by {@link CachePath#label()}: refills of an
     * empty bin, flushes of a full one, low-water passes, drains of ended threads' caches. Empty without thread
     * caches.
     */
    @Override
    public Map<String, Long> internalPathCounts() {
        return caches == null ? Map.of() : caches.pathCounts();
    }

    @Override
    public AllocatorStats stats() {
        requireOpen();
        List<ClassStats> classes = new ArrayList<>(pools.length);
        long chunks = 0;
        for (Pool pool : pools) {
            long carved = pool.carved.get();
            long live = liveBlocks(pool);
            classes.add(new ClassStats(pool.sizeClass, carved, live, carved - live, pool.purgedCount()));
            chunks += carved / policy.blocksPerChunk();
        }
        long[] large = this.large.counts();
        return new AllocatorStats(classes, large[0], large[1], chunks, large[2], large[3],
                large[4] + pooledPurge.purgedBytes());
    }

    @Override
    public void close() {
        if (!casClosed(false, true)) {
            throw Rejections.closed();
        }
        closedScopes.closeAll(); // before any scope closes: a racing free that finds one closed says "closed"
        large.close(); // waits for a purge in progress; none starts after it
        for (Pool pool : pools) {
            pool.close(); // the same for the pooled purge passes
        }
        for (Chunk chunk : directory.chunks()) {
            if (chunk.rawScope != null) {
                closeRacing(chunk.rawScope);
            }
        }
        // Unmaps every chunk. A thread still inside a call gets IllegalStateException at its next access of the
        // chunks (links included, see FreeBlockLayout) or finishes with segments that are now dead.
        poolScope.close();
        directory.clear();
    }

    /** Closes a raw block's scope that a racing free or allocation may be closing too: the first one unmaps. */
    private static void closeRacing(Arena rawScope) {
        try {
            rawScope.close();
        } catch (IllegalStateException closedByTheOtherSide) {
            // already given back
        }
    }

    /**
     * CASes on the free stacks' tops so far (each one native downcall, or one lock entry under {@code LOCKED}) and how
     * many failed and were retried, summed over every class; counted only with {@code -Dallocspec.countCas=true}.
     *
     * @return {calls, failures}, both 0 when counting is off
     */
    public long[] casCounts() {
        long calls = 0;
        long failures = 0;
        for (Pool pool : pools) {
            long[] counts = pool.stack.casCounts();
            calls += counts[0];
            failures += counts[1];
        }
        return new long[] {calls, failures};
    }

    private boolean lvClosed() {
        return closed;
    }

    /** Exactly one {@code close()} wins. */
    private boolean casClosed(boolean expect, boolean update) {
        return CLOSED.compareAndSet(this, expect, update);
    }

    /** The thread caches, for tests in this package; null when the allocator runs without them. */
    ThreadCaches threadCaches() {
        return caches;
    }

    /** The cache of large mappings, for tests in this package that plant corruption. */
    LargeMappingCache largeMappings() {
        return large;
    }

    /** The pool of a class, for tests in this package that plant corruption. */
    Pool pool(SizeClass sizeClass) {
        return pools[sizeClass.ordinal()];
    }

    private void requireOpen() {
        if (lvClosed()) {
            throw Rejections.closed();
        }
    }

    // ---- invariants (quiescent) ----------------------------------------------------------------------------------

    /**
     * Walks every free stack and every chunk's state words and checks the invariants visible from inside. Call only
     * when no operation is in flight.
     *
     * @throws InvariantViolation naming the first broken invariant
     */
    @Override
    public void checkInvariants() {
        requireOpen();
        for (Pool pool : pools) {
            long carved = pool.carved.get();
            long live = liveBlocks(pool);
            // Follow only links out of real blocks of this class: checkFreeBlocks then names the first bad one.
            List<Long> free = new ArrayList<>(pool.stack.snapshot((int) Math.min(Integer.MAX_VALUE - 1, carved + 1),
                    pool));
            if (caches != null) {
                free.addAll(caches.cached(pool.sizeClass.ordinal())); // cached blocks are free too
            }
            free.addAll(pool.purgedSnapshot()); // and purged ones
            checkFreeBlocks(pool, free);
            long liveStates = directory.chunks().stream().filter(c -> c.sizeClass == pool.sizeClass)
                    .mapToLong(LockFreeBlockAllocator::liveBlocks).sum();
            long chunks = directory.chunks().stream().filter(c -> c.sizeClass == pool.sizeClass).count();
            if (free.size() != carved - live || liveStates != live || carved != chunks * policy.blocksPerChunk()) {
                throw new InvariantViolation(Invariant.CONSERVATION, "class " + pool.sizeClass + ": carved " + carved
                        + " (" + chunks + " chunks), live counter " + live + ", live state words " + liveStates
                        + ", free (stack and thread caches) " + free.size());
            }
        }
        checkLargeMappings();
        checkArenasDisjointAndAligned();
    }

    /** Every large mapping is live or cached, not both, and the live ones agree with the counters. */
    private void checkLargeMappings() {
        long live = 0;
        long liveBytes = 0;
        int mappings = 0;
        for (Chunk chunk : directory.chunks()) {
            if (!chunk.sizeClass.isRaw()) {
                continue;
            }
            mappings++;
            if (!large.isRecorded(chunk)) {
                throw new InvariantViolation(Invariant.CONSERVATION, "large mapping 0x" + Long.toHexString(chunk.base)
                        + " is not recorded by its base: a free of its block would not find it");
            }
            long state = chunk.lvLargeState();
            boolean cached = large.contains(chunk);
            if ((state == Chunk.FREE) != cached) {
                throw new InvariantViolation(Invariant.LARGE_REUSE, "large mapping 0x" + Long.toHexString(chunk.base)
                        + (cached ? " is cached but live" : " is free but not cached: lost"));
            }
            if (state != Chunk.FREE) {
                live++;
                liveBytes += chunk.memory.byteSize();
            }
        }
        int recorded = large.recordedCount();
        if (recorded != mappings) {
            throw new InvariantViolation(Invariant.CONSERVATION, "large: " + recorded + " mappings recorded by base, "
                    + mappings + " in the directory");
        }
        long[] counted = large.counts();
        if (live != counted[0] || liveBytes != counted[1]) {
            throw new InvariantViolation(Invariant.CONSERVATION, "large: " + live + " live mappings of " + liveBytes
                    + " bytes, counters " + counted[0] + " and " + counted[1]);
        }
    }

    private void checkFreeBlocks(Pool pool, List<Long> free) {
        Set<Long> seen = new HashSet<>();
        for (long address : free) {
            Chunk chunk = directory.blockOf(address, pool.sizeClass);
            if (chunk == null) {
                throw new InvariantViolation(Invariant.ARENA_CONTAINMENT, "free block 0x" + Long.toHexString(address)
                        + " on the " + pool.sizeClass + " free list is not a block of a " + pool.sizeClass + " chunk");
            }
            if (!seen.add(address)) {
                throw new InvariantViolation(Invariant.CONSERVATION, "block 0x" + Long.toHexString(address)
                        + " is twice on the " + pool.sizeClass + " free list (stack and thread caches)");
            }
            if (chunk.lvState(chunk.blockIndex(address)) != Chunk.FREE) {
                throw new InvariantViolation(Invariant.CONSERVATION, "block 0x" + Long.toHexString(address)
                        + " is both live and on the free list");
            }
        }
    }

    private void checkArenasDisjointAndAligned() {
        long previousEnd = Long.MIN_VALUE;
        for (Chunk chunk : directory.chunks().stream().sorted((a, b) -> Long.compare(a.base, b.base)).toList()) {
            if (chunk.base < previousEnd) {
                throw new InvariantViolation(Invariant.DISJOINT, "arena 0x" + Long.toHexString(chunk.base)
                        + " overlaps the one before it");
            }
            if (chunk.base % pageSize != 0) {
                throw new InvariantViolation(Invariant.ALIGN, "arena 0x" + Long.toHexString(chunk.base)
                        + " is not page-aligned");
            }
            previousEnd = chunk.end;
        }
    }

    /** Live blocks of a pool: the shared counter plus what the thread caches counted. */
    private long liveBlocks(Pool pool) {
        return pool.live.sum() + (caches == null ? 0 : caches.liveDelta(pool.sizeClass.ordinal()));
    }

    private static long liveBlocks(Chunk chunk) {
        long live = 0;
        for (int i = 0; i < chunk.blocks(); i++) {
            if (chunk.lvState(i) != Chunk.FREE) {
                live++;
            }
        }
        return live;
    }

    /** Builds a {@link LockFreeBlockAllocator}; every setting has a default. */
    public static final class Builder {
        private CasStrategy strategy;
        private ChunkPolicy policy = ChunkPolicy.DEFAULT;
        private MemorySource memory = OsMemory.system();
        private FreeStack.Factory freeStacks = (sizeClass, top, links) -> new FreeStack(top, links);
        private boolean threadCache = true;
        private ThreadCacheSettings threadCacheSettings = ThreadCacheSettings.DEFAULT;
        private boolean lockStripes = true;
        private CachePathFault cachePathFault = CachePathFault.NONE;
        private PurgePolicy purgePolicy = PurgePolicy.DEFAULT;
        private PurgeFault purgeFault = PurgeFault.NONE;
        private boolean decayThread = true;

        private Builder() {
        }

        /** Forces a strategy; by default it is chosen automatically (see {@link CasStrategy}). */
        public Builder strategy(CasStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** The chunk policy; {@link ChunkPolicy#DEFAULT} by default. */
        public Builder policy(ChunkPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where memory comes from; the operating system by default. */
        public Builder memory(MemorySource memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /**
         * Whether threads get a cache of free blocks in front of the shared stacks (on by default): each platform
         * thread its own, virtual threads a small set of shared stripe caches, about two per core, each held for one
         * operation by a try-lock (see {@link ThreadCacheLookup}). With it, most allocations and frees touch no atomic but
         * the block's state word (and, on a virtual thread, the stripe's lock), and the shared stacks see batches: one
         * CAS per refill or flush. A single thread still makes exactly the reference's decisions (see
         * {@link ThreadCache}); under concurrency a block freed into one thread's cache is reused by that thread
         * first, so which thread gets which block differs from the cache-less allocator.
         */
        public Builder threadCache(boolean enabled) {
            this.threadCache = enabled;
            return this;
        }

        /**
         * The thread caches' thresholds: bin capacities, refill and flush batches, and the low-water interval;
         * {@link ThreadCacheSettings#DEFAULT} by default. Small values make refills, flushes and low-water passes
         * happen within a few dozen operations (what the checks use them for); they do not change which block a
         * single thread gets (see {@link ThreadCache}).
         */
        public Builder threadCacheSettings(ThreadCacheSettings settings) {
            this.threadCacheSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * When freed large mappings are unmapped and their pages purged: the retained cap, the dirty bound, the decay
         * delay and the clock (see {@link PurgePolicy}); {@link PurgePolicy#DEFAULT} by default.
         */
        public Builder purgePolicy(PurgePolicy purgePolicy) {
            this.purgePolicy = Objects.requireNonNull(purgePolicy, "purgePolicy");
            return this;
        }

        /**
         * Whether a background thread (one per JVM, shared) ticks the allocator so that dirty mappings decay while no
         * call is made (on by default; see {@link DecayThread}). With it, decay is measured in ticks (a twentieth of
         * the delay, at most 500 ms) and no call reads the clock; off, decay happens only at the allocator's own
         * purge points, large allocations and frees and {@code purge()}, each reading the clock. The checks that
         * compare with the reference turn it off: its ticks are purge points the reference does not see.
         */
        public Builder decayThread(boolean enabled) {
            this.decayThread = enabled;
            return this;
        }

        /** Negative control only: a purge that runs where it must not (see {@link PurgeFault}). */
        Builder purgeFaultForNegativeControl(PurgeFault fault) {
            this.purgeFault = Objects.requireNonNull(fault, "fault");
            return this;
        }

        /** Negative control only: one deliberate fault in a path of the thread caches (see {@link CachePathFault}). */
        Builder cachePathFaultForNegativeControl(CachePathFault fault) {
            this.cachePathFault = Objects.requireNonNull(fault, "fault");
            return this;
        }

        /**
         * Negative control only: virtual threads share the stripe caches without their try-lock, so two of them can
         * use one at once. Shows that the one-user-per-stripe check in the tests catches a broken stripe.
         */
        Builder unlockedStripesForNegativeControl() {
            this.lockStripes = false;
            return this;
        }

        /** How each class's free stack is made; for negative controls (broken stacks) only. */
        public Builder freeStacks(FreeStack.Factory freeStacks) {
            this.freeStacks = Objects.requireNonNull(freeStacks, "freeStacks");
            return this;
        }

        /**
         * The allocator.
         *
         * @throws UnsupportedOperationException with the reason, if the strategy cannot run here
         * @throws OutOfMemoryError              if the system refuses the control segment
         */
        public LockFreeBlockAllocator build() {
            return new LockFreeBlockAllocator(this);
        }
    }
}
