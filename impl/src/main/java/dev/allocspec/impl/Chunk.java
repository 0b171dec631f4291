package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One chunk of a pooled class, or one raw mapping, with the state word of each of its blocks.
 *
 * <p>The state word of block {@code i} is {@link #FREE} (0) while the block is free, and {@code size + 1} while it is
 * live with {@code size} requested bytes. Every change of ownership of a pooled block is a CAS on its word, so of two
 * threads freeing one block concurrently exactly one wins (INV-REJECT-DOUBLE-FREE), a free with the wrong size fails
 * the same CAS, and an allocation that finds a block's word not FREE has caught a broken stack (INV-SINGLE-OWNER). A
 * large mapping's one block keeps the same encoding in a {@code long} ({@link #lvLargeState}), as its sizes pass an
 * {@code int}; it changes only under the lock of the {@link LargeMappingCache}, which decides a large free there.
 */
final class Chunk {

    static final int FREE = 0;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LARGE_STATE;

    static {
        try {
            LARGE_STATE = MethodHandles.lookup().findVarHandle(Chunk.class, "largeState", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final MemorySegment memory;
    final SizeClass sizeClass;
    /** {@code sizeClass.ordinal()}, kept here because {@code free} indexes the pools and bins by it on every call. */
    final int classIndex;
    /** A large mapping's own scope, closed to unmap it; null for pooled chunks (they share the pool scope). */
    final Arena rawScope;
    final long base;
    final long end;
    private final int blockShift;
    private final int[] state;
    /** A large mapping's state word: FREE, or its live block's byte size + 1; unused in a pooled chunk. */
    @SuppressWarnings("unused") // through LARGE_STATE
    private volatile long largeState;
    /** Per pooled block, the segment handed out last (see {@link #segment}); null for a large mapping. */
    private final MemorySegment[] segments;
    /**
     * A large mapping's segment handed out last, in a field rather than a one-element array: a churn over thousands of
     * large blocks pays a cache miss per object it walks. Written and read as {@link #segments} are.
     */
    private MemorySegment lastLarge;
    /** Position in the order chunks were obtained; set once by the directory before the chunk is published. */
    long sequence;
    // A large mapping's bookkeeping in the LargeMappingCache, all guarded by the cache's lock: its links in the
    // cache's MappingLists (a size bin, every cached mapping in the order freed, the dirty ones in the order freed),
    // whether it is cached and dirty, and when it was freed. Fields of the chunk itself, not an object beside it: a
    // churn over thousands of large blocks pays a cache miss per object it walks.
    Chunk binNewer;
    Chunk binOlder;
    Chunk freedNewer;
    Chunk freedOlder;
    Chunk dirtyNewer;
    Chunk dirtyOlder;
    boolean cached;
    boolean dirty;
    long freedAt;

    Chunk(MemorySegment memory, SizeClass sizeClass, Arena rawScope, int blocks) {
        this.memory = memory;
        this.sizeClass = sizeClass;
        this.classIndex = sizeClass.ordinal();
        this.rawScope = rawScope;
        this.base = memory.address();
        this.end = base + memory.byteSize();
        this.blockShift = sizeClass.isRaw() ? 63 : Integer.numberOfTrailingZeros(sizeClass.blockSize());
        this.state = new int[blocks];
        this.segments = sizeClass.isRaw() ? null : new MemorySegment[blocks];
    }

    /**
     * The segment an allocation of block {@code index} with {@code byteSize} bytes hands out: the one handed out last
     * for this block if it had the same size, else a new slice of the chunk, kept for next time. Called by the block's
     * new owner before the state store that makes the block live.
     *
     * <p>Why: a new segment per allocation is garbage on every call and a measurable part of the pair (BENCHMARKS.md,
     * "Before and after the thread caches"). A segment is immutable, and one handed out before for this block and size has the same memory, size, scope and
     * access as a new slice; a stale copy of it was already indistinguishable from the new owner's segment (see
     * {@code BlockAllocator}). The heap it keeps is one segment per block ever allocated: while a block is live that
     * is the very object its owner holds, so the extra is one segment per free block, at most what the peak of live
     * blocks already cost.
     *
     * <p>Benign race: the slot is read and written plainly. It is written only by the block's owner, before the
     * release store or CAS on the state word that the next owner's allocation or free synchronises with, so the next
     * owner sees this segment or a later one; and a segment's fields are final, so even a stale read is a whole
     * segment of this very block, which is used only if its size is the one asked for.
     */
    MemorySegment segment(int index, long byteSize) {
        return segments == null ? largeSegment(byteSize) : pooledSegment(index, byteSize);
    }

    /** {@link #segment} for a pooled block. */
    MemorySegment pooledSegment(int index, long byteSize) {
        MemorySegment last = lastSegmentOfSize(index, byteSize);
        return last != null ? last : freshSegment(index, byteSize);
    }

    /**
     * The segment handed out last for pooled block {@code index} if it had {@code byteSize} bytes, else null: what the
     * allocator's fast path reuses, making nothing new (a new segment is the general path's).
     */
    MemorySegment lastSegmentOfSize(int index, long byteSize) {
        MemorySegment last = segments[index];
        return last != null && last.byteSize() == byteSize ? last : null;
    }

    private MemorySegment freshSegment(int index, long byteSize) {
        MemorySegment fresh = memory.asSlice((long) index << blockShift, byteSize);
        segments[index] = fresh;
        return fresh;
    }

    /** {@link #segment} for a large mapping's one block. */
    private MemorySegment largeSegment(long byteSize) {
        MemorySegment last = lastLarge;
        if (last != null && last.byteSize() == byteSize) {
            return last;
        }
        MemorySegment fresh = memory.asSlice(0, byteSize);
        lastLarge = fresh;
        return fresh;
    }

    /** The chunk's or mapping's bytes, from its own fields: no load of the segment object. */
    long bytes() {
        return end - base;
    }

    /** Index of the block that contains {@code address}. */
    int blockIndex(long address) {
        return (int) ((address - base) >>> blockShift);
    }

    /** Address of block {@code index}. */
    long blockAddress(int index) {
        return base + ((long) index << blockShift);
    }

    int blocks() {
        return state.length;
    }

    /** The state word encoding a live block of {@code byteSize} requested bytes. */
    static int liveState(long byteSize) {
        return (int) byteSize + 1;
    }

    /** A plain read of a state word, for checks that order nothing. */
    int plainState(int index) {
        return (int) STATE.get(state, index);
    }

    int lvState(int index) {
        return (int) STATE.getVolatile(state, index);
    }

    /** Store-release of a state word the caller owns exclusively (a block it took from its own thread cache). */
    void srState(int index, int update) {
        STATE.setRelease(state, index, update);
    }

    boolean casState(int index, int expect, int update) {
        return STATE.compareAndSet(state, index, expect, update);
    }

    /**
     * Turns block {@code index} from live with {@code byteSize} bytes to {@link #FREE}; false, changing nothing, if it
     * was not in that state (a size above the word's range never is).
     */
    boolean casLiveToFree(int index, long byteSize) {
        return byteSize <= SizeClass.LARGEST_BLOCK && casState(index, liveState(byteSize), FREE);
    }

    /** The state word encoding a live large block of {@code byteSize} requested bytes. */
    static long largeLiveState(long byteSize) {
        return byteSize + 1;
    }

    /** A read for checks outside the cache's lock (the invariant walk, quiescent). */
    long lvLargeState() {
        return (long) LARGE_STATE.getVolatile(this);
    }

    /** A read under the cache's lock, which orders every write of the word. */
    long plainLargeState() {
        return (long) LARGE_STATE.get(this);
    }

    /** A write under the cache's lock; release, so that {@link #lvLargeState} sees it with what came before. */
    void srLargeState(long update) {
        LARGE_STATE.setRelease(this, update);
    }
}
