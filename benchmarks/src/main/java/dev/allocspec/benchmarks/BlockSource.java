package dev.allocspec.benchmarks;

/**
 * A peer allocator as the benchmarks use it: hand out a block of {@code size} bytes as whatever object that peer
 * returns, take it back. Each benchmark fork uses one peer, so the call sites stay monomorphic.
 */
interface BlockSource extends AutoCloseable {

    /** A block of {@code size} bytes: a MemorySegment, a ByteBuf, an Arena, a ByteBuffer... */
    Object allocate(int size);

    /** Gives back what {@link #allocate} returned. */
    void free(Object block);

    /** CASes on the allocator's stack tops so far and how many failed: {calls, failures}; zeros where none. */
    default long[] casCounts() {
        return new long[2];
    }

    /** Whether a block may be freed by another thread than the one that allocated it. */
    default boolean crossThreadFree() {
        return true;
    }

    @Override
    void close();
}
