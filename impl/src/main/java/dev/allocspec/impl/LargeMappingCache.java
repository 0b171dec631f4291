package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The free large mappings of one allocator, kept mapped for reuse, and the {@link PurgePolicy}'s rules over them: the
 * retained cap, the dirty ratio and decay. The reference allocator states the same rules over plain collections; this
 * class makes the same decisions in the same order.
 *
 * <p>One lock guards everything here. Large blocks are not the small-block hot path, and the lock is what keeps a
 * purge safe: a mapping is purged ({@code madvise}) only while it is in the cache and the lock is held, so no
 * allocation can take it mid-purge and have its new owner's bytes zeroed, and {@link #close} (which takes the lock)
 * cannot unmap it under the advice. The madvise downcall also keeps the mapping's scope alive for its duration.
 *
 * <p>Why purge under the lock rather than outside it, as jemalloc does: the cost is paid only when the ratio or decay
 * triggers, by the thread that freed or by the decay thread, and dropping the lock would let an allocation choose
 * differently from the reference (which is atomic) while a mapping is out being purged.
 */
final class LargeMappingCache {

    /** A cached mapping's place in the best-fit order: fewest bytes first, the one obtained first among equals. */
    private record FitKey(long bytes, long sequence) implements Comparable<FitKey> {
        static FitKey of(Chunk mapping) {
            return new FitKey(mapping.memory.byteSize(), mapping.sequence);
        }

        @Override
        public int compareTo(FitKey other) {
            int byBytes = Long.compare(bytes, other.bytes);
            return byBytes != 0 ? byBytes : Long.compare(sequence, other.sequence);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final PurgePolicy policy;
    private final MemorySource memory;
    private final long pageSize;
    /** What the ratio rule measures against: pooled chunks' bytes plus live large mappings'. */
    private final LongSupplier activeBytes;
    /** Unmaps an evicted mapping: forgets it and closes its scope. Called with the lock held. */
    private final Consumer<Chunk> unmap;

    /** Guarded by {@link #lock}: every cached mapping in best-fit order. */
    private final TreeMap<FitKey, Chunk> byFit = new TreeMap<>();
    /** Guarded by {@link #lock}: every cached mapping in the order freed, oldest first (the cap evicts from here). */
    private final LinkedHashSet<Chunk> byFreeOrder = new LinkedHashSet<>();
    /** Guarded by {@link #lock}: the cached mappings not purged since freed, with the time freed, oldest first. */
    private final LinkedHashMap<Chunk, Long> dirtySince = new LinkedHashMap<>();
    /** Guarded by {@link #lock}. */
    private long retainedBytes;
    /** Guarded by {@link #lock}. */
    private long dirtyBytes;
    /** Guarded by {@link #lock}. */
    private long purgedBytes;
    /** Guarded by {@link #lock}: set by {@link #close}; nothing is purged or cached after it. */
    private boolean closed;

    LargeMappingCache(PurgePolicy policy, MemorySource memory, LongSupplier activeBytes, Consumer<Chunk> unmap) {
        this.policy = policy;
        this.memory = memory;
        this.pageSize = memory.pageSize();
        this.activeBytes = activeBytes;
        this.unmap = unmap;
    }

    PurgePolicy policy() {
        return policy;
    }

    /**
     * Takes the best-fitting cached mapping for a large block of {@code byteSize} bytes (INV-LARGE-REUSE), or null when
     * none fits; then the purge point that ends a large allocation (decay).
     */
    Chunk take(long byteSize) {
        lock.lock();
        try {
            Chunk fit = bestFit(byteSize);
            if (fit != null) {
                forget(fit);
            }
            decayIfAnyDirty();
            return fit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Caches a mapping whose block was just freed (its state word already FREE), then the purge point that ends a
     * large free: cap, ratio, decay. After {@link #close}, does nothing: close() unmaps every mapping in the directory.
     */
    void put(Chunk mapping) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = policy.clock().nanoTime();
            long bytes = mapping.memory.byteSize();
            byFit.put(FitKey.of(mapping), mapping);
            byFreeOrder.add(mapping);
            dirtySince.put(mapping, now);
            retainedBytes += bytes;
            dirtyBytes += bytes;
            evictOverCap();
            purgeOverRatio();
            decay(now);
        } finally {
            lock.unlock();
        }
    }

    /** {@code purge()}: a purge point with every dirty mapping purged. */
    void purgeAll() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            evictOverCap();
            while (!dirtySince.isEmpty()) {
                purge(dirtySince.keySet().iterator().next());
            }
        } finally {
            lock.unlock();
        }
    }

    /** A tick of the decay thread: a purge point (decay only: nothing else changed since the last one). */
    void tick() {
        lock.lock();
        try {
            if (!closed) {
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
            byFit.clear();
            byFreeOrder.clear();
            dirtySince.clear();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** {retained, dirty, purged} bytes, read together under the lock. */
    long[] counts() {
        lock.lock();
        try {
            return new long[] {retainedBytes, dirtyBytes, purgedBytes};
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code mapping} is cached (free, not unmapped), for the invariant walk. */
    boolean contains(Chunk mapping) {
        lock.lock();
        try {
            return byFreeOrder.contains(mapping);
        } finally {
            lock.unlock();
        }
    }

    // ---- the rules, each called with the lock held ---------------------------------------------------------------

    private Chunk bestFit(long byteSize) {
        long needed = SizeClass.rawMappingSize(byteSize, pageSize);
        Map.Entry<FitKey, Chunk> fit = byFit.ceilingEntry(new FitKey(needed, Long.MIN_VALUE));
        return fit != null && SizeClass.largeMappingFits(fit.getKey().bytes(), byteSize, pageSize)
                ? fit.getValue() : null;
    }

    /** Removes a mapping from every index (taken for reuse, or evicted). */
    private void forget(Chunk mapping) {
        long bytes = mapping.memory.byteSize();
        byFit.remove(FitKey.of(mapping));
        byFreeOrder.remove(mapping);
        retainedBytes -= bytes;
        if (dirtySince.remove(mapping) != null) {
            dirtyBytes -= bytes;
        }
    }

    /** INV-RETAINED-CAP: unmaps the mappings freed longest ago while the cached bytes exceed the cap. */
    private void evictOverCap() {
        while (retainedBytes > policy.retainedCapBytes()) {
            Chunk oldest = byFreeOrder.iterator().next();
            forget(oldest);
            unmap.accept(oldest);
        }
    }

    /** INV-DIRTY-BOUND: purges the mappings dirty longest while the dirty bytes exceed the bound. */
    private void purgeOverRatio() {
        if (dirtyBytes <= policy.dirtyFloorBytes()) {
            return; // the bound is never below the floor: no need to sum the active bytes
        }
        long bound = policy.dirtyBound(activeBytes.getAsLong());
        while (dirtyBytes > bound) {
            purge(dirtySince.keySet().iterator().next());
        }
    }

    private void decayIfAnyDirty() {
        if (!dirtySince.isEmpty()) {
            decay(policy.clock().nanoTime());
        }
    }

    /** INV-DECAY: purges every mapping dirty for the whole decay delay; they are oldest first. */
    private void decay(long now) {
        Iterator<Map.Entry<Chunk, Long>> oldestFirst = dirtySince.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<Chunk, Long> dirty = oldestFirst.next();
            if (!policy.decayed(dirty.getValue(), now)) {
                return;
            }
            oldestFirst.remove();
            purged(dirty.getKey());
        }
    }

    private void purge(Chunk mapping) {
        dirtySince.remove(mapping);
        purged(mapping);
    }

    /** INV-PURGED-ZERO: gives the (no longer dirty) mapping's pages back; it stays mapped and cached. */
    private void purged(Chunk mapping) {
        memory.purge(mapping.memory);
        long bytes = mapping.memory.byteSize();
        dirtyBytes -= bytes;
        purgedBytes += bytes;
    }
}
