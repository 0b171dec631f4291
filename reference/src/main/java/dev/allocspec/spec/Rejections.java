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
     * @param closedScopes the scopes the allocator has closed, which say why a closed scope is refused
     * @return the block's address
     * @throws NullPointerException     if {@code block} is null
     * @throws IllegalArgumentException if it is a heap segment, or its scope is closed and not by the allocator
     * @throws IllegalStateException    if its scope is that of a raw block the allocator has given back already, or
     *                                  the allocator is closed
     */
    public static long requireLiveNativeSegment(MemorySegment block, ClosedScopes closedScopes) {
        Objects.requireNonNull(block, "block must not be null");
        if (!block.isNative()) {
            throw new IllegalArgumentException("not a block of this allocator: " + block + " is a heap segment");
        }
        if (!block.scope().isAlive()) {
            throw closedScopes.rejectionFor(block);
        }
        return block.address();
    }

    /** A raw block freed a second time, after its memory went back to the system. */
    static IllegalStateException rawDoubleFree(long address) {
        return new IllegalStateException("double free: the memory of raw block 0x" + Long.toHexString(address)
                + " was already given back (its scope is closed)");
    }

    /** A segment whose scope somebody else closed: not a block of this allocator. */
    static IllegalArgumentException closedForeign(long address) {
        return new IllegalArgumentException("not a block of this allocator: the segment at 0x"
                + Long.toHexString(address) + " belongs to an arena that has been closed");
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
