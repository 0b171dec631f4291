package dev.allocspec.impl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The off-heap layout of a free block, and access to it: as in jalib, the free list lives inside the free blocks
 * themselves.
 *
 * <pre>
 *  byte   0               8                                                  block size
 *         +---------------+--------------------------------------------------+
 *         | next (u64)    | unused while free; all of it is the user's while live |
 *         +---------------+--------------------------------------------------+
 * </pre>
 *
 * {@code next} is the address of the block below this one on its class's free stack, 0 at the bottom. It is written
 * only while the block is free and owned by the thread pushing it (before the push publishes it), so it never
 * lands in a live block ({@code INV-CONTENT}). Every class's block size (64 bytes at least) has room for it.
 *
 * <p>Links are read and written at block addresses through one segment over the whole address space, so that no
 * segment per block is needed. An allocator's instance ({@link #in}) is tied to the scope of its chunks: once that
 * scope is closed, every access throws {@link IllegalStateException}, and an access racing with the close either
 * completes before the memory goes or throws (the shared arena's close protocol), so a call that races with
 * {@code close()} never touches unmapped memory. {@link #UNSCOPED} checks nothing, for stacks built by hand over
 * memory their builder keeps mapped.
 */
@SuppressWarnings("restricted") // a segment over the whole address space, for links at raw block addresses
public final class FreeBlockLayout {

    /** Offset of the link to the next free block. */
    public static final long NEXT_OFFSET = 0;
    /** Size of the link. */
    public static final long NEXT_SIZE = 8;
    /** The link value at the bottom of the stack. */
    public static final long END = 0;

    /** Links anywhere, in no scope: every caller passes the address of a block in memory it keeps mapped. */
    public static final FreeBlockLayout UNSCOPED = new FreeBlockLayout(MemorySegment.NULL.reinterpret(Long.MAX_VALUE));

    private final MemorySegment addressSpace;

    private FreeBlockLayout(MemorySegment addressSpace) {
        this.addressSpace = addressSpace;
    }

    /** Links of blocks in the memory of {@code scope}; accesses fail once it is closed (see the class comment). */
    public static FreeBlockLayout in(Arena scope) {
        return new FreeBlockLayout(MemorySegment.NULL.reinterpret(Long.MAX_VALUE, scope, null));
    }

    /**
     * Plain load of the {@code next} link of the free block at {@code block}.
     *
     * @throws IllegalStateException if the scope of these links is closed
     */
    long lpNext(long block) {
        return addressSpace.get(ValueLayout.JAVA_LONG, block + NEXT_OFFSET);
    }

    /**
     * Plain store of the {@code next} link of the block at {@code block}, which the caller owns. The CAS that
     * publishes the block orders the store before it (see {@link StampedTop}).
     *
     * @throws IllegalStateException if the scope of these links is closed
     */
    void spNext(long block, long next) {
        addressSpace.set(ValueLayout.JAVA_LONG, block + NEXT_OFFSET, next);
    }
}
