package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The checks and exceptions every member of the family uses for bad input, so that all of them reject the same things
 * with the same exception types and messages. Each check throws before the caller has changed anything.
 */
public final class Rejections {

    private Rejections() {
    }

    /**
     * The first checks of {@code free}: not null, native, and still alive.
     *
     * @return the block's address
     * @throws NullPointerException     if {@code block} is null
     * @throws IllegalArgumentException if it is a heap segment
     * @throws IllegalStateException    if its memory scope is closed (a raw block already freed, or a closed arena's)
     */
    public static long requireLiveNativeSegment(MemorySegment block) {
        Objects.requireNonNull(block, "block must not be null");
        if (!block.isNative()) {
            throw new IllegalArgumentException("not a block of this allocator: " + block + " is a heap segment");
        }
        if (!block.scope().isAlive()) {
            // The one segment whose scope this allocator closes is a freed raw block's; a closed scope on anything
            // else is the caller's own arena, and the allocator cannot tell the two apart, so the message says both.
            throw new IllegalStateException("double free: the memory of block 0x" + Long.toHexString(block.address())
                    + " was already given back (its scope is closed: a raw block freed before, or a segment of an"
                    + " arena that was closed)");
        }
        return block.address();
    }

    /** The call came after {@code close()}. */
    public static IllegalStateException closed() {
        return new IllegalStateException("allocator is closed");
    }

    /** The address lies in no arena of this allocator. */
    public static IllegalArgumentException foreign(long address) {
        return new IllegalArgumentException("not a block of this allocator: 0x" + Long.toHexString(address)
                + " lies in none of its arenas");
    }

    /** The address lies inside a block but not at its start. */
    public static IllegalArgumentException interior(long address, long blockStart, SizeClass sizeClass) {
        return new IllegalArgumentException("interior address: 0x" + Long.toHexString(address) + " is "
                + (address - blockStart) + " bytes into the " + sizeClass + "-byte block at 0x"
                + Long.toHexString(blockStart));
    }

    /** The segment's size is not the size the block was allocated with. */
    public static IllegalArgumentException wrongSize(long address, long givenSize, long allocatedSize,
                                                     SizeClass blockClass) {
        return new IllegalArgumentException("wrong size: block 0x" + Long.toHexString(address) + " of class "
                + blockClass + " was allocated with " + allocatedSize + " bytes, freed with " + givenSize
                + " (class " + SizeClass.forSize(givenSize) + ")");
    }

    /** The block at a block boundary is already free. */
    public static IllegalStateException doubleFree(long address, SizeClass sizeClass) {
        return new IllegalStateException("double free: the " + sizeClass + "-byte block at 0x"
                + Long.toHexString(address) + " is already free");
    }

    /** The system refused a mapping. */
    public static OutOfMemoryError refused(long bytes, String reason) {
        return new OutOfMemoryError("the system refused " + bytes + " bytes of memory: " + reason);
    }
}
