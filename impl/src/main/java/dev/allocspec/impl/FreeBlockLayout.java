package dev.allocspec.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The off-heap layout of a free block: as in jalib, the free list lives inside the free blocks themselves.
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
 */
@SuppressWarnings("restricted") // one segment over the whole address space, for links at raw block addresses
public final class FreeBlockLayout {

    /** Offset of the link to the next free block. */
    public static final long NEXT_OFFSET = 0;
    /** Size of the link. */
    public static final long NEXT_SIZE = 8;
    /** The link value at the bottom of the stack. */
    public static final long END = 0;

    /**
     * The whole address space as one segment, so that links can be read and written at block addresses without a
     * segment per block. It checks nothing: every caller passes the address of a block in a mapped chunk.
     */
    private static final MemorySegment ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private FreeBlockLayout() {
    }

    /** Plain load of the {@code next} link of the free block at {@code block}. */
    static long lpNext(long block) {
        return ADDRESS_SPACE.get(ValueLayout.JAVA_LONG, block + NEXT_OFFSET);
    }

    /**
     * Plain store of the {@code next} link of the block at {@code block}, which the caller owns. The CAS that
     * publishes the block orders the store before it (see {@link StampedTop}).
     */
    static void spNext(long block, long next) {
        ADDRESS_SPACE.set(ValueLayout.JAVA_LONG, block + NEXT_OFFSET, next);
    }
}
