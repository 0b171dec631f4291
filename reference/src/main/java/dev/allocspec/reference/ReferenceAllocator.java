package dev.allocspec.reference;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.ClosedScopes;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.Rejections;
import dev.allocspec.spec.SelfChecking;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference allocator: the executable specification of the allocator family (see {@link BlockAllocator} and
 * {@code INVARIANTS.md}). It is deliberately plain: one lock around everything, Java collections for all bookkeeping,
 * short methods. Speed is not its job; being obviously right is.
 *
 * <p>The state, all guarded by {@link #lock}:
 * <ul>
 *   <li>{@link #arenas}: every chunk and raw mapping obtained and not given back, in the order obtained;</li>
 *   <li>{@link #arenaAt}: the same records by base address, to find the owner of any address;</li>
 *   <li>{@link #freeStacks}: per pooled class, the LIFO stack of free block addresses (head = top);</li>
 *   <li>{@link #live}: every live block's address and the request it was allocated for;</li>
 *   <li>{@link #carved}: per pooled class, the blocks carved so far;</li>
 *   <li>{@link #cached}: the free large mappings kept for reuse, in the order freed;</li>
 *   <li>{@link #dirtySince}: of those, the ones not purged since they were freed, with the time of the free;</li>
 *   <li>{@link #purgedBlocks}: per purged pooled class, the purged free blocks, below its stack (head = next out);</li>
 *   <li>{@link #pooledPassAt}: per purged pooled class, when it was last passed (purged), or the allocator made.</li>
 * </ul>
 * The policy it fixes: LIFO reuse per class; a class grows only when its stack is empty, by one chunk of
 * {@link ChunkPolicy#blocksPerChunk()} blocks pushed so that the lowest address is handed out first. A large block
 * takes the best-fitting cached mapping ({@link SizeClass#largeMappingFits}) before it maps a new one, and freed
 * large mappings are capped, purged and decayed by the {@link PurgePolicy}'s rules at every purge point.
 *
 * <p>The real memory lives outside the collections: chunks come from a {@link MemorySource} (by default the
 * operating system), pooled chunks in one shared scope closed by {@link #close()}, each large mapping in a scope of
 * its own, closed when the mapping is unmapped (cap or close).
 */
public final class ReferenceAllocator implements BlockAllocator, SelfChecking {

    /** What a live block was allocated with. */
    record Request(long byteSize, long byteAlignment) {
    }

    /** One chunk or raw mapping obtained from the system; {@code scope} is closed to give it back. */
    record ArenaRecord(MemorySegment memory, SizeClass sizeClass, Arena scope) {
        long bytes() {
            return memory.byteSize();
        }

        long base() {
            return memory.address();
        }

        long end() {
            return memory.address() + memory.byteSize();
        }
    }

    // Package-private so that the invariant tests can plant corruption; nothing else touches them.
    final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    final List<ArenaRecord> arenas = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    final NavigableMap<Long, ArenaRecord> arenaAt = new TreeMap<>();
    /** Guarded by {@link #lock}. */
    final Map<SizeClass, Deque<Long>> freeStacks = new EnumMap<>(SizeClass.class);
    /** Guarded by {@link #lock}. */
    final Map<Long, Request> live = new HashMap<>();
    /** Guarded by {@link #lock}. */
    final Map<SizeClass, Long> carved = new EnumMap<>(SizeClass.class);
    /** Guarded by {@link #lock}: free large mappings by base, in the order they were freed (oldest first). */
    final Map<Long, ArenaRecord> cached = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: the cached mappings not purged since freed, by base, with the time of the free. */
    final Map<Long, Long> dirtySince = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: per class that {@link PurgePolicy#purgesPooled}, the purged free blocks. */
    final Map<SizeClass, Deque<Long>> purgedBlocks = new EnumMap<>(SizeClass.class);
    /** Guarded by {@link #lock}: per such class, when it was last passed, or when the allocator was made. */
    final Map<SizeClass, Long> pooledPassAt = new EnumMap<>(SizeClass.class);
    /** Guarded by {@link #lock}. */
    long purgedBytes;
    /** Guarded by {@link #lock}: when the last purge point ran, by the purge policy's clock. */
    long lastPurgePointAt;
    /** Guarded by {@link #lock}. */
    long chunksObtained;
    /** Guarded by {@link #lock}. */
    boolean closed;

    private final ChunkPolicy policy;
    private final MemorySource memory;
    private final PurgePolicy purgePolicy;
    private final Arena poolScope = Arena.ofShared();
    /** Why a segment with a closed scope is refused: a raw block freed twice, after close, or not ours. */
    private final ClosedScopes closedScopes = new ClosedScopes();

    /** A reference allocator with the default chunk policy, on the operating system's memory. */
    public ReferenceAllocator() {
        this(ChunkPolicy.DEFAULT, OsMemory.system());
    }

    /**
     * A reference allocator with a chosen chunk policy and memory source, and the default purge policy.
     *
     * @throws NullPointerException if an argument is null
     */
    public ReferenceAllocator(ChunkPolicy policy, MemorySource memory) {
        this(policy, memory, PurgePolicy.DEFAULT);
    }

    /**
     * A reference allocator with a chosen chunk policy, memory source and purge policy.
     *
     * @throws NullPointerException if an argument is null
     */
    public ReferenceAllocator(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.purgePolicy = Objects.requireNonNull(purgePolicy, "purgePolicy");
        this.lastPurgePointAt = purgePolicy.clock().nanoTime();
        for (SizeClass c : SizeClass.pooled()) {
            freeStacks.put(c, new ArrayDeque<>());
            carved.put(c, 0L);
            if (purgePolicy.purgesPooled(c)) {
                purgedBlocks.put(c, new ArrayDeque<>());
                pooledPassAt.put(c, lastPurgePointAt);
            }
        }
    }

    /** The chunk policy in use. */
    public ChunkPolicy policy() {
        return policy;
    }

    /** The purge policy in use. */
    public PurgePolicy purgePolicy() {
        return purgePolicy;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        lock.lock();
        try {
            requireOpen();
            SizeClass sizeClass = SizeClass.forRequest(byteSize, byteAlignment, memory.pageSize());
            long address = sizeClass.isRaw() ? takeOrMapLarge(byteSize) : popOrGrow(sizeClass);
            live.put(address, new Request(byteSize, byteAlignment));
            if (sizeClass.isRaw()) {
                purgePoint(false);
            }
            ArenaRecord owner = ownerOf(address);
            return owner.memory().asSlice(address - owner.base(), byteSize);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void free(MemorySegment block) {
        lock.lock();
        try {
            requireOpen();
            long address = Rejections.requireLiveNativeSegment(block, closedScopes);
            ArenaRecord owner = ownerOf(address);
            if (owner == null) {
                throw Rejections.foreign(address);
            }
            if (owner.sizeClass().isRaw()) {
                freeRaw(owner, block);
            } else {
                freePooled(owner, block);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void purge() {
        lock.lock();
        try {
            requireOpen();
            evictOverCap();
            for (long base : List.copyOf(dirtySince.keySet())) {
                purgeMapping(base);
            }
            lastPurgePointAt = purgePolicy.clock().nanoTime();
            for (SizeClass c : purgedBlocks.keySet()) {
                purgePooled(c);
                pooledPassAt.put(c, lastPurgePointAt);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<MemorySegment> arenas() {
        lock.lock();
        try {
            requireOpen();
            return arenas.stream().map(ArenaRecord::memory).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AllocatorStats stats() {
        lock.lock();
        try {
            requireOpen();
            List<ClassStats> pools = new ArrayList<>();
            for (SizeClass c : SizeClass.pooled()) {
                int purged = purgedOf(c).size();
                pools.add(new ClassStats(c, carved.get(c), liveCount(c), freeStacks.get(c).size() + purged, purged));
            }
            List<ArenaRecord> liveLarge = liveLargeMappings();
            return new AllocatorStats(pools, liveLarge.size(), bytesOf(liveLarge), chunksObtained,
                    bytesOf(cached.values()), dirtyBytes(), purgedBytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            requireOpen();
            closed = true;
            closedScopes.closeAll();
            for (ArenaRecord a : arenas) {
                if (a.sizeClass().isRaw()) {
                    a.scope().close();
                }
            }
            poolScope.close();
            arenas.clear();
            arenaAt.clear();
            live.clear();
            cached.clear();
            dirtySince.clear();
            purgedBlocks.values().forEach(Deque::clear);
            pooledPassAt.clear();
            freeStacks.values().forEach(Deque::clear);
        } finally {
            lock.unlock();
        }
    }

    // ---- allocation ----------------------------------------------------------------------------------------------

    private long popOrGrow(SizeClass sizeClass) {
        assert lock.isHeldByCurrentThread();
        Deque<Long> stack = freeStacks.get(sizeClass);
        if (stack.isEmpty()) {
            if (!purgedOf(sizeClass).isEmpty()) {
                refillFromPurged(sizeClass); // purged blocks lie below the stack: next in LIFO order
            } else {
                grow(sizeClass); // INV-REUSE-BEFORE-GROWTH: only a class with no free block grows
            }
        }
        return stack.pop(); // INV-LIFO: the top is the block freed last
    }

    /** Moves up to {@link PurgePolicy#PURGED_REFILL_BATCH} purged blocks, top first, onto the empty stack. */
    private void refillFromPurged(SizeClass sizeClass) {
        Deque<Long> purged = purgedOf(sizeClass);
        List<Long> batch = new ArrayList<>();
        while (batch.size() < PurgePolicy.PURGED_REFILL_BATCH && !purged.isEmpty()) {
            batch.add(purged.pop());
        }
        Deque<Long> stack = freeStacks.get(sizeClass);
        for (int i = batch.size() - 1; i >= 0; i--) {
            stack.push(batch.get(i));
        }
    }

    /** The purged blocks of a class; always empty for a class that is not purged. */
    private Deque<Long> purgedOf(SizeClass sizeClass) {
        return purgedBlocks.getOrDefault(sizeClass, EMPTY);
    }

    private static final Deque<Long> EMPTY = new ArrayDeque<>(0);

    /** Obtains one chunk and pushes its blocks so that the lowest address ends on top (INV-CARVE-ORDER). */
    private void grow(SizeClass sizeClass) {
        assert lock.isHeldByCurrentThread();
        MemorySegment chunk = memory.obtain(policy.chunkBytes(sizeClass), poolScope);
        record(new ArenaRecord(chunk, sizeClass, poolScope));
        chunksObtained++;
        Deque<Long> stack = freeStacks.get(sizeClass);
        for (int i = policy.blocksPerChunk() - 1; i >= 0; i--) {
            stack.push(chunk.address() + (long) i * sizeClass.blockSize());
        }
        carved.merge(sizeClass, (long) policy.blocksPerChunk(), Long::sum);
    }

    /** INV-LARGE-REUSE: the best-fitting cached mapping (the one freed last among equals), else a new one. */
    private long takeOrMapLarge(long byteSize) {
        assert lock.isHeldByCurrentThread();
        ArenaRecord fit = null;
        for (ArenaRecord a : cached.values()) { // in the order freed: a later equal fit replaces an earlier one
            if (SizeClass.largeMappingFits(a.bytes(), byteSize, memory.pageSize())
                    && (fit == null || a.bytes() <= fit.bytes())) {
                fit = a;
            }
        }
        if (fit == null) {
            return mapRaw(byteSize);
        }
        cached.remove(fit.base());
        dirtySince.remove(fit.base());
        return fit.base();
    }

    private long mapRaw(long byteSize) {
        assert lock.isHeldByCurrentThread();
        Arena own = Arena.ofShared();
        try {
            MemorySegment mapping = memory.obtain(mappedBytes(byteSize), own);
            record(new ArenaRecord(mapping, SizeClass.RAW, own));
            return mapping.address();
        } catch (RuntimeException | Error e) {
            own.close();
            throw e;
        }
    }

    private void record(ArenaRecord arena) {
        assert lock.isHeldByCurrentThread();
        arenas.add(arena);
        arenaAt.put(arena.base(), arena);
    }

    // ---- freeing -------------------------------------------------------------------------------------------------

    private void freePooled(ArenaRecord owner, MemorySegment block) {
        assert lock.isHeldByCurrentThread();
        SizeClass sizeClass = owner.sizeClass();
        long address = block.address();
        long blockStart = owner.base() + (address - owner.base()) / sizeClass.blockSize() * sizeClass.blockSize();
        if (blockStart != address) {
            throw Rejections.interior(address, blockStart, sizeClass);
        }
        Request request = live.get(address);
        if (request == null) {
            throw Rejections.doubleFree(address, sizeClass);
        }
        if (request.byteSize() != block.byteSize()) {
            throw Rejections.wrongSize(address, block.byteSize(), request.byteSize(), sizeClass);
        }
        live.remove(address);
        freeStacks.get(sizeClass).push(address); // INV-LIFO
    }

    private void freeRaw(ArenaRecord owner, MemorySegment block) {
        assert lock.isHeldByCurrentThread();
        long address = block.address();
        if (address != owner.base()) {
            throw Rejections.interior(address, owner.base(), SizeClass.RAW);
        }
        Request request = live.get(address);
        if (request == null) {
            throw Rejections.doubleFree(address, SizeClass.RAW); // cached: free, still mapped
        }
        if (request.byteSize() != block.byteSize()) {
            throw Rejections.wrongSize(address, block.byteSize(), request.byteSize(), SizeClass.RAW);
        }
        live.remove(address);
        cached.put(address, owner); // INV-RAW-RETURNED: kept mapped for reuse, not unmapped
        dirtySince.put(address, purgePolicy.clock().nanoTime());
        purgePoint(true);
    }

    // ---- purge points (PurgePolicy) ------------------------------------------------------------------------------

    /** The policy's rules in order: cap, ratio (on free only), decay. */
    private void purgePoint(boolean onFree) {
        assert lock.isHeldByCurrentThread();
        evictOverCap();
        if (onFree) {
            purgeOverRatio();
        }
        purgeDecayed();
        purgePooledDecayed();
    }

    /** INV-RETAINED-CAP: unmaps the mappings freed longest ago while the cached bytes exceed the cap. */
    private void evictOverCap() {
        while (bytesOf(cached.values()) > purgePolicy.retainedCapBytes()) {
            unmap(cached.values().iterator().next());
        }
    }

    /** INV-DIRTY-BOUND: purges the mappings dirty longest while the dirty bytes exceed the bound. */
    private void purgeOverRatio() {
        while (dirtyBytes() > purgePolicy.dirtyBound(activeBytes())) {
            purgeMapping(dirtySince.keySet().iterator().next());
        }
    }

    /** INV-DECAY: purges every mapping dirty for the whole decay delay. */
    private void purgeDecayed() {
        long now = purgePolicy.clock().nanoTime();
        for (Map.Entry<Long, Long> dirty : List.copyOf(dirtySince.entrySet())) {
            if (purgePolicy.decayed(dirty.getValue(), now)) {
                purgeMapping(dirty.getKey());
            }
        }
        lastPurgePointAt = now;
    }

    /**
     * INV-DECAY for pooled classes: at the first purge point at least the decay delay after a class's last pass (or
     * the allocator's making), its unpurged free blocks (its stack) are purged, and its count starts over.
     */
    private void purgePooledDecayed() {
        for (SizeClass c : purgedBlocks.keySet()) {
            if (purgePolicy.decayed(pooledPassAt.get(c), lastPurgePointAt)) {
                purgePooled(c);
                pooledPassAt.put(c, lastPurgePointAt);
            }
        }
    }

    /**
     * INV-PURGED-ZERO for pooled blocks: every free block on the stack is purged and goes, in order, below it (to the
     * top of the purged blocks), so the order of reuse does not change.
     */
    private void purgePooled(SizeClass sizeClass) {
        Deque<Long> stack = freeStacks.get(sizeClass);
        Deque<Long> purged = purgedOf(sizeClass);
        while (!stack.isEmpty()) {
            long block = stack.removeLast();
            ArenaRecord chunk = ownerOf(block);
            memory.purge(chunk.memory().asSlice(block - chunk.base(), sizeClass.blockSize()));
            purged.push(block);
            purgedBytes += sizeClass.blockSize();
        }
    }

    /** INV-PURGED-ZERO: the mapping's pages go back to the system; it stays mapped and cached, now clean. */
    private void purgeMapping(long base) {
        ArenaRecord mapping = cached.get(base);
        memory.purge(mapping.memory());
        dirtySince.remove(base);
        purgedBytes += mapping.bytes();
    }

    /** INV-RAW-RETURNED: a cached mapping leaves the cache and the arenas, and its scope closes (munmap). */
    private void unmap(ArenaRecord mapping) {
        cached.remove(mapping.base());
        dirtySince.remove(mapping.base());
        arenas.remove(mapping);
        arenaAt.remove(mapping.base());
        closedScopes.addGivenBack(mapping.scope().scope()); // before it closes, as the lock-free allocator does
        mapping.scope().close();
    }

    // ---- lookups -------------------------------------------------------------------------------------------------

    /** The arena containing {@code address}, or null if none does. */
    private ArenaRecord ownerOf(long address) {
        assert lock.isHeldByCurrentThread();
        Map.Entry<Long, ArenaRecord> floor = arenaAt.floorEntry(address);
        if (floor == null) {
            return null;
        }
        ArenaRecord a = floor.getValue();
        return address < a.end() ? a : null;
    }

    private long liveCount(SizeClass sizeClass) {
        assert lock.isHeldByCurrentThread();
        return live.keySet().stream().filter(addr -> classOf(addr) == sizeClass).count();
    }

    private SizeClass classOf(long address) {
        ArenaRecord owner = ownerOf(address);
        return owner == null ? null : owner.sizeClass();
    }

    /** Large mappings that back a live block (raw arenas not in the cache). */
    private List<ArenaRecord> liveLargeMappings() {
        return arenas.stream().filter(a -> a.sizeClass().isRaw() && !cached.containsKey(a.base())).toList();
    }

    private static long bytesOf(Collection<ArenaRecord> mappings) {
        return mappings.stream().mapToLong(ArenaRecord::bytes).sum();
    }

    private long dirtyBytes() {
        return dirtySince.keySet().stream().mapToLong(base -> cached.get(base).bytes()).sum();
    }

    /** What the ratio rule measures against: pooled chunks and live large mappings. */
    private long activeBytes() {
        long chunks = arenas.stream().filter(a -> !a.sizeClass().isRaw()).mapToLong(ArenaRecord::bytes).sum();
        return chunks + bytesOf(liveLargeMappings());
    }

    private long mappedBytes(long byteSize) {
        return SizeClass.rawMappingSize(byteSize, memory.pageSize());
    }

    private void requireOpen() {
        assert lock.isHeldByCurrentThread();
        if (closed) {
            throw Rejections.closed();
        }
    }

    // ---- the invariants ------------------------------------------------------------------------------------------

    /**
     * Walks the whole state and checks every invariant visible from inside, in catalogue order.
     *
     * @throws InvariantViolation naming the first broken invariant
     * @throws IllegalStateException if closed
     */
    @Override
    public void checkInvariants() {
        lock.lock();
        try {
            requireOpen();
            arenasAreRecordedConsistently();
            arenasAreDisjoint();
            liveBlocksAreWellPlaced();
            freeBlocksAreWellPlaced();
            chunksFollowThePolicy();
            rawArenasArePageAligned();
            cachedMappingsAreFree();
            retainedBytesWithinCap();
            dirtyBytesWithinBound();
            decayedMappingsArePurged();
            purgedMappingsReadZero();
            eachClassIsConserved();
        } finally {
            lock.unlock();
        }
    }

    /** INV-ARENAS-RECORDED: the ordered list and the address index hold the same arenas. */
    private void arenasAreRecordedConsistently() {
        if (arenas.size() != arenaAt.size() || !new HashSet<>(arenas).equals(new HashSet<>(arenaAt.values()))) {
            throw new InvariantViolation(Invariant.ARENAS_RECORDED,
                    "arena list (" + arenas.size() + ") and address index (" + arenaAt.size() + ") disagree");
        }
    }

    /** INV-DISJOINT at arena level: no two arenas overlap, so blocks of different arenas cannot. */
    private void arenasAreDisjoint() {
        long previousEnd = Long.MIN_VALUE;
        for (ArenaRecord a : arenaAt.values()) {
            if (a.base() < previousEnd) {
                throw new InvariantViolation(Invariant.DISJOINT,
                        "arena at 0x" + Long.toHexString(a.base()) + " overlaps the one before it");
            }
            previousEnd = Math.max(a.end(), a.base() + 1);
        }
    }

    /** INV-CARVE-ORDER: every pooled chunk has the policy's size and is page-aligned. */
    private void chunksFollowThePolicy() {
        for (ArenaRecord a : arenas) {
            if (a.sizeClass().isRaw()) {
                continue;
            }
            if (a.memory().byteSize() != policy.chunkBytes(a.sizeClass()) || a.base() % memory.pageSize() != 0) {
                throw new InvariantViolation(Invariant.CARVE_ORDER, "chunk at 0x" + Long.toHexString(a.base())
                        + " of " + a.memory().byteSize() + " bytes for class " + a.sizeClass()
                        + " is not a page-aligned chunk of " + policy.chunkBytes(a.sizeClass()) + " bytes");
            }
        }
    }

    /** INV-RAW-PAGES: each raw arena is whole pages and backs one live block at its base that fits it, or is cached. */
    private void rawArenasArePageAligned() {
        for (ArenaRecord a : arenas) {
            if (!a.sizeClass().isRaw()) {
                continue;
            }
            Request request = live.get(a.base());
            boolean wholePages = a.base() % memory.pageSize() == 0 && a.bytes() % memory.pageSize() == 0;
            boolean backsOne = request != null
                    && SizeClass.largeMappingFits(a.bytes(), request.byteSize(), memory.pageSize());
            if (!wholePages || !(backsOne || cached.containsKey(a.base()))) {
                throw new InvariantViolation(Invariant.RAW_PAGES, "raw arena at 0x" + Long.toHexString(a.base())
                        + " is not whole pages, or neither backs one live block that fits it nor is cached");
            }
        }
    }

    /** INV-LARGE-REUSE: the cache holds raw arenas of no live block, and only cached mappings are dirty. */
    private void cachedMappingsAreFree() {
        for (ArenaRecord a : cached.values()) {
            if (!a.sizeClass().isRaw() || arenaAt.get(a.base()) != a || live.containsKey(a.base())) {
                throw new InvariantViolation(Invariant.LARGE_REUSE, "cached mapping 0x" + Long.toHexString(a.base())
                        + " is not a recorded raw arena, or backs a live block");
            }
        }
        if (!cached.keySet().containsAll(dirtySince.keySet())) {
            throw new InvariantViolation(Invariant.LARGE_REUSE, "a dirty mapping is not in the cache");
        }
    }

    /** INV-RETAINED-CAP. */
    private void retainedBytesWithinCap() {
        long retained = bytesOf(cached.values());
        if (retained > purgePolicy.retainedCapBytes()) {
            throw new InvariantViolation(Invariant.RETAINED_CAP, "retained " + retained + " bytes, cap "
                    + purgePolicy.retainedCapBytes());
        }
    }

    /** INV-DIRTY-BOUND. */
    private void dirtyBytesWithinBound() {
        long bound = purgePolicy.dirtyBound(activeBytes());
        if (dirtyBytes() > bound) {
            throw new InvariantViolation(Invariant.DIRTY_BOUND, "dirty " + dirtyBytes() + " bytes, bound " + bound
                    + " for " + activeBytes() + " active");
        }
    }

    /** INV-DECAY: no mapping, and no pooled class, was dirty for the whole decay delay at the last purge point. */
    private void decayedMappingsArePurged() {
        for (Map.Entry<SizeClass, Long> pass : pooledPassAt.entrySet()) {
            if (purgePolicy.decayed(pass.getValue(), lastPurgePointAt)) {
                throw new InvariantViolation(Invariant.DECAY, "class " + pass.getKey()
                        + " was last passed a whole decay delay before the last purge point");
            }
        }
        for (Map.Entry<Long, Long> dirty : dirtySince.entrySet()) {
            if (purgePolicy.decayed(dirty.getValue(), lastPurgePointAt)) {
                throw new InvariantViolation(Invariant.DECAY, "mapping 0x" + Long.toHexString(dirty.getKey())
                        + " was dirty for the whole decay delay at the last purge point");
            }
        }
    }

    /** INV-PURGED-ZERO: the first word of every page of every purged cached mapping and pooled block reads zero. */
    private void purgedMappingsReadZero() {
        for (Map.Entry<SizeClass, Deque<Long>> purged : purgedBlocks.entrySet()) {
            for (long block : purged.getValue()) {
                ArenaRecord chunk = ownerOf(block);
                for (long offset = 0; offset < purged.getKey().blockSize(); offset += memory.pageSize()) {
                    if (chunk.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, block - chunk.base() + offset) != 0) {
                        throw new InvariantViolation(Invariant.PURGED_ZERO, "purged " + purged.getKey()
                                + "-byte block 0x" + Long.toHexString(block) + " reads non-zero at offset " + offset);
                    }
                }
            }
        }
        for (ArenaRecord a : cached.values()) {
            if (dirtySince.containsKey(a.base())) {
                continue;
            }
            for (long offset = 0; offset < a.bytes(); offset += memory.pageSize()) {
                if (a.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, offset) != 0) {
                    throw new InvariantViolation(Invariant.PURGED_ZERO, "purged mapping 0x"
                            + Long.toHexString(a.base()) + " reads non-zero at offset " + offset);
                }
            }
        }
    }

    /** INV-ARENA-CONTAINMENT, INV-SIZE-CLASS, INV-ALIGN for every live block. */
    private void liveBlocksAreWellPlaced() {
        for (Map.Entry<Long, Request> block : live.entrySet()) {
            long address = block.getKey();
            Request request = block.getValue();
            ArenaRecord owner = requireBlockBoundary(address);
            SizeClass expected = SizeClass.forRequest(request.byteSize(), request.byteAlignment(), memory.pageSize());
            if (owner.sizeClass() != expected) {
                throw new InvariantViolation(Invariant.SIZE_CLASS, "block 0x" + Long.toHexString(address) + " for "
                        + request + " sits in class " + owner.sizeClass() + ", not " + expected);
            }
            long natural = owner.sizeClass().isRaw() ? memory.pageSize()
                    : Math.min(owner.sizeClass().blockSize(), memory.pageSize());
            if (address % natural != 0 || address % request.byteAlignment() != 0) {
                throw new InvariantViolation(Invariant.ALIGN, "block 0x" + Long.toHexString(address)
                        + " is not aligned to " + Math.max(natural, request.byteAlignment()));
            }
        }
    }

    /** INV-ARENA-CONTAINMENT for free blocks, on the stack or purged: in an arena of their own class, on a boundary. */
    private void freeBlocksAreWellPlaced() {
        for (Map.Entry<SizeClass, Deque<Long>> stack : freeStacks.entrySet()) {
            for (long address : freeBlocks(stack.getKey())) {
                ArenaRecord owner = requireBlockBoundary(address);
                if (owner.sizeClass() != stack.getKey()) {
                    throw new InvariantViolation(Invariant.ARENA_CONTAINMENT, "free block 0x"
                            + Long.toHexString(address) + " of class " + owner.sizeClass() + " is on the "
                            + stack.getKey() + " stack");
                }
            }
        }
    }

    /** A class's free blocks: its stack, top first, then its purged blocks, next out first. */
    private List<Long> freeBlocks(SizeClass sizeClass) {
        List<Long> free = new ArrayList<>(freeStacks.get(sizeClass));
        free.addAll(purgedOf(sizeClass));
        return free;
    }

    /** INV-CONSERVATION: carved = live + free per class, no block both live and free, no block twice free. */
    private void eachClassIsConserved() {
        for (SizeClass c : SizeClass.pooled()) {
            List<Long> stack = freeBlocks(c);
            Set<Long> distinct = new HashSet<>(stack);
            if (distinct.size() != stack.size()) {
                throw new InvariantViolation(Invariant.CONSERVATION, "a block is twice on the " + c + " stack");
            }
            for (long address : distinct) {
                if (live.containsKey(address)) {
                    throw new InvariantViolation(Invariant.CONSERVATION,
                            "block 0x" + Long.toHexString(address) + " is both live and free");
                }
            }
            long chunks = arenas.stream().filter(a -> a.sizeClass() == c).count();
            long carvedNow = carved.get(c);
            long liveNow = liveCount(c);
            if (carvedNow != liveNow + stack.size() || carvedNow != chunks * policy.blocksPerChunk()) {
                throw new InvariantViolation(Invariant.CONSERVATION, "class " + c + ": carved " + carvedNow
                        + ", live " + liveNow + ", free " + stack.size() + ", chunks " + chunks);
            }
        }
    }

    /** The arena owning {@code address}, which must be a block boundary inside it (INV-ARENA-CONTAINMENT). */
    private ArenaRecord requireBlockBoundary(long address) {
        ArenaRecord owner = ownerOf(address);
        if (owner == null) {
            throw new InvariantViolation(Invariant.ARENA_CONTAINMENT,
                    "block 0x" + Long.toHexString(address) + " lies in no recorded arena");
        }
        long offset = address - owner.base();
        if (!owner.sizeClass().isRaw() && offset % owner.sizeClass().blockSize() != 0) {
            throw new InvariantViolation(Invariant.ARENA_CONTAINMENT,
                    "block 0x" + Long.toHexString(address) + " is not on a block boundary of its arena");
        }
        return owner;
    }
}
