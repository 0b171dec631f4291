package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The large mappings of one allocator: the count of live ones, and the free ones kept mapped for reuse with the
 * {@link PurgePolicy}'s rules over them (retained cap, dirty ratio, decay). The reference allocator states the same
 * rules over plain collections; this class makes the same decisions in the same order.
 *
 * <p>One lock guards everything here. Large blocks are not the small-block hot path, and the lock is what keeps a
 * purge safe: a mapping is purged ({@code madvise}) only while it is in the cache and the lock is held, so no
 * allocation can take it mid-purge and have its new owner's bytes zeroed, and {@link #close} (which takes the lock)
 * cannot unmap it under the advice. The madvise downcall also keeps the mapping's scope alive for its duration. Why
 * purge under the lock rather than outside it, as jemalloc does: the cost is paid only when the ratio or decay
 * triggers, by the thread that freed or by the decay thread, and dropping the lock would let an allocation choose
 * differently from the reference (which is atomic) while a mapping is out being purged.
 *
 * <p>Nothing is allocated per call: a mapping's links are fields of its {@link Chunk}, size bins up to
 * {@value #SMALL_BIN_PAGES} pages are an array with a bitmap of the non-empty ones (a best fit is a scan of a few
 * words), and only larger mappings go through a {@link TreeMap} of bins.
 */
final class LargeMappingCache {

    /** What {@link #free} returns when it freed the block (every state word is 0 or more). */
    static final long FREED = -1;
    /** What {@link #freeAt} returns for an address that is the base of no mapping this cache knows. */
    static final long NOT_RECORDED = -2;

    /** Mappings of up to this many pages (16 MiB of 4 KiB pages) have a bin in the array. */
    static final int SMALL_BIN_PAGES = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final PurgePolicy policy;
    private final MemorySource memory;
    private final long pageSize;
    /** The pooled chunks' bytes: with the live large mappings', what the ratio rule measures against. */
    private final LongSupplier pooledBytes;
    /** Unmaps an evicted mapping: forgets it and closes its scope. Called with the lock held. */
    private final Consumer<Chunk> unmap;
    /** Whether the decay thread ticks this cache: then time is read once per tick, not per call (see {@link #now}). */
    private final boolean ticked;
    /** Negative controls only: see {@link PurgeFault}. */
    private final PurgeFault fault;

    /** Guarded by {@link #lock}: per page count up to {@link #SMALL_BIN_PAGES}, the cached mappings, newest freed first. */
    private final MappingList[] smallBins = new MappingList[SMALL_BIN_PAGES + 1];
    /** Guarded by {@link #lock}: bit {@code p} set when {@code smallBins[p]} holds a mapping. */
    private final long[] nonEmptySmallBins = new long[SMALL_BIN_PAGES / Long.SIZE + 1];
    /** Guarded by {@link #lock}: bins of mappings above {@link #SMALL_BIN_PAGES} pages, by page count. */
    private final TreeMap<Long, MappingList> bigBins = new TreeMap<>();
    /** Guarded by {@link #lock}: every cached mapping in the order freed (the cap evicts the oldest). */
    private final MappingList byFreeOrder = new MappingList(MappingList.FREED);
    /** Guarded by {@link #lock}: the cached mappings not purged since freed, in the order freed. */
    private final MappingList dirty = new MappingList(MappingList.DIRTY);
    /** Every mapping from {@link #mapped} until it is unmapped, by base: where a large free finds its mapping. */
    private final LargeBases bases = new LargeBases();
    /** Guarded by {@link #lock}. */
    private long liveMappings;
    /** Guarded by {@link #lock}. */
    private long liveBytes;
    /** Guarded by {@link #lock}. */
    private long retainedBytes;
    /** Guarded by {@link #lock}. */
    private long dirtyBytes;
    /** Guarded by {@link #lock}. */
    private long purgedBytes;
    /** Guarded by {@link #lock}: set by {@link #close}; nothing is purged or cached after it. */
    private boolean closed;
    /** Written under {@link #lock}: the clock's reading at the last tick (or at construction). */
    private volatile long lastTick;

    /**
     * @param ticked whether the decay thread will tick this cache ({@link #tick}): then every call uses the time of
     *               the last tick instead of reading the clock
     */
    LargeMappingCache(PurgePolicy policy, MemorySource memory, LongSupplier pooledBytes, Consumer<Chunk> unmap,
                      boolean ticked, PurgeFault fault) {
        this.policy = policy;
        this.memory = memory;
        this.pageSize = memory.pageSize();
        this.pooledBytes = pooledBytes;
        this.unmap = unmap;
        this.ticked = ticked;
        this.fault = fault;
        this.lastTick = policy.clock().nanoTime();
    }

    PurgePolicy policy() {
        return policy;
    }

    /**
     * Takes the best-fitting cached mapping for a large block of {@code byteSize} bytes and makes its block live
     * (INV-LARGE-REUSE), or returns null when none fits; then the purge point that ends a large allocation (decay).
     * Linearization point of a large allocation from the cache: the state write under the lock.
     */
    Chunk take(long byteSize) {
        lock.lock();
        try {
            Chunk fit = bestFit(byteSize);
            if (fit != null) {
                forget(fit);
                makeLive(fit, byteSize);
                decayIfAnyDirty();
            }
            return fit;
        } finally {
            lock.unlock();
        }
    }

    /** Makes a new mapping's block live; then the purge point that ends a large allocation (decay). */
    void mapped(Chunk mapping, long byteSize) {
        lock.lock();
        try {
            bases.put(mapping);
            makeLive(mapping, byteSize);
            decayIfAnyDirty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees a mapping's block if it is live with {@code byteSize} bytes, caches the mapping, then the purge point
     * that ends a large free: cap, ratio, decay. Linearization point of a large free: the state check and write
     * under the lock, so of two concurrent frees exactly one finds the block live. After {@link #close}, only frees:
     * close() unmaps every mapping in the directory.
     *
     * @return {@link #FREED}, or the state found instead of live with this size: {@link Chunk#FREE} (a double free)
     *         or another live size (wrong size)
     */
    long free(Chunk mapping, long byteSize) {
        lock.lock();
        try {
            return freeLocked(mapping, byteSize);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #free} of the mapping whose base is {@code base}, found under the lock.
     *
     * @return as {@link #free}, or {@link #NOT_RECORDED} if no mapping has that base
     */
    long freeAt(long base, long byteSize) {
        lock.lock();
        try {
            Chunk mapping = bases.get(base);
            return mapping == null ? NOT_RECORDED : freeLocked(mapping, byteSize);
        } finally {
            lock.unlock();
        }
    }

    private long freeLocked(Chunk mapping, long byteSize) {
        long state = mapping.plainLargeState();
        if (state != Chunk.largeLiveState(byteSize)) {
            return state;
        }
        mapping.srLargeState(Chunk.FREE);
        countLive(mapping, -1);
        if (!closed) {
            cache(mapping);
        }
        return FREED;
    }

    /** A freed mapping joins the cache, dirty; then the rest of the purge point: cap, ratio, decay. */
    private void cache(Chunk mapping) {
        long bytes = mapping.bytes();
        mapping.cached = true;
        mapping.dirty = true;
        mapping.freedAt = now();
        binOf(mapping, true).pushNewest(mapping);
        markBin(mapping, true);
        byFreeOrder.pushNewest(mapping);
        dirty.pushNewest(mapping);
        retainedBytes += bytes;
        dirtyBytes += bytes;
        evictOverCap();
        purgeOverRatio();
        decay(mapping.freedAt);
    }

    /** {@code purge()}: a purge point with every dirty mapping purged. */
    void purgeAll() {
        if (fault == PurgeFault.LARGE_PURGE_OUTSIDE_THE_LOCK) {
            purgeAllOutsideTheLock();
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            evictOverCap();
            while (!dirty.isEmpty()) {
                purge(dirty.oldest());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The negative control's purge (see {@link PurgeFault#LARGE_PURGE_OUTSIDE_THE_LOCK}). */
    private void purgeAllOutsideTheLock() {
        java.util.List<Chunk> advised = new java.util.ArrayList<>();
        lock.lock();
        try {
            while (!dirty.isEmpty()) {
                Chunk mapping = dirty.oldest();
                dirty.remove(mapping);
                mapping.dirty = false;
                dirtyBytes -= mapping.bytes();
                purgedBytes += mapping.bytes();
                advised.add(mapping);
            }
        } finally {
            lock.unlock();
        }
        PurgeFault.widenTheWindow(); // in which an allocation can take a mapping
        advised.forEach(mapping -> memory.purge(mapping.memory));
    }

    /** A tick of the decay thread: reads the clock, then a purge point (decay only). */
    void tick() {
        lock.lock();
        try {
            if (!closed) {
                lastTick = policy.clock().nanoTime();
                decayIfAnyDirty();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the cache closed, under the lock, so that no purge runs on a mapping that close() is about to unmap, and
     * no later free caches one. The caller unmaps every mapping in the directory, cached ones included.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            bases.clear(); // close() unmaps every mapping; a free racing it finds none here and is rejected
        } finally {
            lock.unlock();
        }
    }

    /** {live mappings, their bytes, retained, dirty, purged bytes}, read together under the lock. */
    long[] counts() {
        lock.lock();
        try {
            return new long[] {liveMappings, liveBytes, retainedBytes, dirtyBytes, purgedBytes};
        } finally {
            lock.unlock();
        }
    }

    /** The table of mappings by base, for tests in this package that plant corruption. */
    LargeBases bases() {
        return bases;
    }

    /** Whether a large free finds {@code mapping} by its base; for the invariant walk. */
    boolean isRecorded(Chunk mapping) {
        lock.lock();
        try {
            return bases.get(mapping.base) == mapping;
        } finally {
            lock.unlock();
        }
    }

    /** How many mappings a large free can find by base; for the invariant walk. */
    int recordedCount() {
        lock.lock();
        try {
            return bases.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code mapping} is cached (free, not unmapped), for the invariant walk. */
    boolean contains(Chunk mapping) {
        lock.lock();
        try {
            return mapping.cached;
        } finally {
            lock.unlock();
        }
    }

    // ---- the rules and the indexes, each called with the lock held -----------------------------------------------

    /** INV-LARGE-REUSE: the newest freed mapping of the fewest pages that fit, or null. */
    private Chunk bestFit(long byteSize) {
        long needed = SizeClass.rawMappingSize(byteSize, pageSize);
        long fewest = needed / pageSize;
        long most = (needed + needed / 4) / pageSize;
        if (fewest <= SMALL_BIN_PAGES) {
            int pages = nextNonEmptySmallBin((int) fewest, (int) Math.min(most, SMALL_BIN_PAGES));
            if (pages >= 0) {
                return smallBins[pages].newest();
            }
        }
        if (most > SMALL_BIN_PAGES) {
            Map.Entry<Long, MappingList> bin = bigBins.ceilingEntry(Math.max(fewest, SMALL_BIN_PAGES + 1L));
            if (bin != null && bin.getKey() <= most) {
                return bin.getValue().newest();
            }
        }
        return null;
    }

    /** The lowest page count in {@code from..to} whose small bin is not empty, or -1. */
    private int nextNonEmptySmallBin(int from, int to) {
        for (int word = from >>> 6; word <= to >>> 6; word++) {
            long bits = nonEmptySmallBins[word];
            if (word == from >>> 6) {
                bits &= -1L << (from & 63);
            }
            if (bits != 0) {
                int pages = (word << 6) + Long.numberOfTrailingZeros(bits);
                return pages <= to ? pages : -1;
            }
        }
        return -1;
    }

    private MappingList binOf(Chunk mapping, boolean create) {
        long pages = mapping.bytes() / pageSize;
        if (pages <= SMALL_BIN_PAGES) {
            MappingList bin = smallBins[(int) pages];
            if (bin == null && create) {
                bin = smallBins[(int) pages] = new MappingList(MappingList.BIN);
            }
            return bin;
        }
        return create ? bigBins.computeIfAbsent(pages, p -> new MappingList(MappingList.BIN))
                : bigBins.get(pages);
    }

    /** Keeps the small bins' bitmap and the big bins' map in step with whether a mapping's bin is empty. */
    private void markBin(Chunk mapping, boolean added) {
        long pages = mapping.bytes() / pageSize;
        if (pages <= SMALL_BIN_PAGES) {
            if (added) {
                nonEmptySmallBins[(int) pages >>> 6] |= 1L << pages;
            } else if (smallBins[(int) pages].isEmpty()) {
                nonEmptySmallBins[(int) pages >>> 6] &= ~(1L << pages);
            }
        } else if (!added && bigBins.get(pages).isEmpty()) {
            bigBins.remove(pages);
        }
    }

    /** Removes a mapping from every index (taken for reuse, or evicted). */
    private void forget(Chunk mapping) {
        long bytes = mapping.bytes();
        binOf(mapping, false).remove(mapping);
        markBin(mapping, false);
        byFreeOrder.remove(mapping);
        retainedBytes -= bytes;
        if (mapping.dirty) {
            dirty.remove(mapping);
            dirtyBytes -= bytes;
        }
        mapping.cached = false;
        mapping.dirty = false;
    }

    /** A block handed out: a cached mapping was never live, a new one is FREE from its construction. */
    private void makeLive(Chunk mapping, long byteSize) {
        if (mapping.plainLargeState() != Chunk.FREE) {
            throw new InvariantViolation(Invariant.SINGLE_OWNER, "large mapping 0x" + Long.toHexString(mapping.base)
                    + " is already live: the mapping cache is corrupt");
        }
        mapping.srLargeState(Chunk.largeLiveState(byteSize));
        countLive(mapping, 1);
    }

    private void countLive(Chunk mapping, long delta) {
        liveMappings += delta;
        liveBytes += delta * mapping.bytes();
    }

    /** INV-RETAINED-CAP: unmaps the mappings freed longest ago while the cached bytes exceed the cap. */
    private void evictOverCap() {
        while (retainedBytes > policy.retainedCapBytes()) {
            Chunk oldest = byFreeOrder.oldest();
            forget(oldest);
            bases.remove(oldest);
            unmap.accept(oldest);
        }
    }

    /** INV-DIRTY-BOUND: purges the mappings dirty longest while the dirty bytes exceed the bound. */
    private void purgeOverRatio() {
        if (dirtyBytes <= policy.dirtyFloorBytes()) {
            return; // the bound is never below the floor: no need to sum the active bytes
        }
        long bound = policy.dirtyBound(pooledBytes.getAsLong() + liveBytes);
        while (dirtyBytes > bound) {
            purge(dirty.oldest());
        }
    }

    private void decayIfAnyDirty() {
        if (!dirty.isEmpty()) {
            decay(now());
        }
    }

    /**
     * The time a call stamps and decays by. Without the decay thread, the clock's reading, as the reference reads it.
     * With it, the reading of the last tick: a clock read (a large part of a large allocate+free pair:
     * docs/benchmarks/large-blocks/REPORT.md) leaves every call, and decay is measured in ticks instead: a mapping is stamped up to one tick early and
     * purged by the first tick at least the delay after its stamp, so between the delay minus one tick and the
     * delay plus one tick after its free (a tick is a twentieth of the delay, at most 500 ms: {@link DecayThread}).
     */
    long now() {
        return ticked ? lastTick : policy.clock().nanoTime();
    }

    /** INV-DECAY: purges every mapping dirty for the whole decay delay; they are oldest first. */
    private void decay(long now) {
        while (!dirty.isEmpty() && policy.decayed(dirty.oldest().freedAt, now)) {
            purge(dirty.oldest());
        }
    }

    /** INV-PURGED-ZERO: gives the mapping's pages back; it stays mapped and cached, now clean. */
    private void purge(Chunk mapping) {
        memory.purge(mapping.memory);
        dirty.remove(mapping);
        mapping.dirty = false;
        long bytes = mapping.bytes();
        dirtyBytes -= bytes;
        purgedBytes += bytes;
    }
}
