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
 * live with {@code size} requested bytes (a raw block's word is {@link #RAW_LIVE}). Every change of ownership is a CAS
 * on it, so of two threads freeing one block concurrently exactly one wins (INV-REJECT-DOUBLE-FREE), and an
 * allocation that pops a block whose word is not FREE has caught a broken stack (INV-SINGLE-OWNER).
 */
final class Chunk {

    static final int FREE = 0;
    static final int RAW_LIVE = 1;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

    final MemorySegment memory;
    final SizeClass sizeClass;
    /** {@code sizeClass.ordinal()}, kept here because {@code free} indexes the pools and bins by it on every call. */
    final int classIndex;
    /** The raw mapping's own scope, closed to give it back; null for pooled chunks (they share the pool scope). */
    final Arena rawScope;
    final long base;
    final long end;
    private final int blockShift;
    private final int[] state;
    /** Position in the order chunks were obtained; set once by the directory before the chunk is published. */
    long sequence;

    Chunk(MemorySegment memory, SizeClass sizeClass, Arena rawScope, int blocks) {
        this.memory = memory;
        this.sizeClass = sizeClass;
        this.classIndex = sizeClass.ordinal();
        this.rawScope = rawScope;
        this.base = memory.address();
        this.end = base + memory.byteSize();
        this.blockShift = sizeClass.isRaw() ? 63 : Integer.numberOfTrailingZeros(sizeClass.blockSize());
        this.state = new int[blocks];
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
}
