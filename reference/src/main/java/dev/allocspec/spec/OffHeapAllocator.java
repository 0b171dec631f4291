package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/**
 * What the {@linkplain Profile#SAFETY safety profile} needs of an allocator: allocate, free, close. Anyone's off-heap
 * allocator is checked through an adapter to this interface (a page of code: see the {@code adapters} module for
 * glibc, jemalloc, Netty and an {@code Arena} per block); {@link BlockAllocator}, this family's contract, extends it.
 *
 * <h2>What the safety profile holds an implementation to</h2>
 * <ul>
 *   <li>{@code allocate(n, a)} returns a native segment of exactly {@code n} bytes (zero allowed) whose address is a
 *       multiple of {@code a}, overlapping no live block, whose bytes nothing but its owner changes until it is freed;
 *       every power of two up to the page size is honoured as an alignment (above it one may be refused with
 *       {@link IllegalArgumentException}); a zero-byte block is a block too, at an address no other live block starts
 *       at, so that its free names it alone;</li>
 *   <li>a negative size, or an alignment that is not a power of two, is rejected with
 *       {@link IllegalArgumentException}; a size it cannot serve with {@code IllegalArgumentException} or
 *       {@link OutOfMemoryError} — and then it stays usable;</li>
 *   <li>{@code free} takes the segment {@code allocate} returned, from any thread; it rejects {@code null}
 *       ({@link NullPointerException}), a segment it did not hand out, an interior address or another size
 *       ({@code IllegalArgumentException}), and a block that is free already ({@link IllegalStateException});</li>
 *   <li>every rejected call leaves the state as it was; every call after {@code close()}, {@code close()} included,
 *       throws {@code IllegalStateException}; {@code close()} gives the memory back, and segments it handed out can
 *       no longer be used without an exception;</li>
 *   <li>nothing freed is lost: its memory is handed out again, or given back with the block's scope (closed by the
 *       free), and the count of {@link #liveBlocks()}, where the allocator keeps one, is what its callers hold;</li>
 *   <li>under concurrency each block has one owner at a time and every history is linearizable.</li>
 * </ul>
 * Which block an allocation returns, from which size class, in what order memory is reused: none of that is safety.
 * {@link Invariant#profile()} says which invariant is which.
 */
public interface OffHeapAllocator extends AutoCloseable {

    /**
     * Allocates a block of {@code byteSize} bytes at an address that is a multiple of {@code byteAlignment}.
     *
     * @param byteSize      the size of the returned segment, 0 or more
     * @param byteAlignment a power of two
     * @return a native segment of exactly {@code byteSize} bytes
     * @throws IllegalArgumentException if the size or the alignment is bad, or the size is more than the allocator
     *                                  serves
     * @throws IllegalStateException    if the allocator is closed
     * @throws OutOfMemoryError         if the system refuses memory
     */
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Gives a block back.
     *
     * @param block the segment {@code allocate} returned
     * @throws NullPointerException     if {@code block} is null
     * @throws IllegalArgumentException if the segment is not a block of this allocator, or not at its start, or not of
     *                                  the size allocated
     * @throws IllegalStateException    if the block is already free, or the allocator is closed
     */
    void free(MemorySegment block);

    /**
     * Gives all memory back; afterwards every call, this one included, throws {@link IllegalStateException}.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    void close();

    /**
     * Optional: how many blocks are live (allocated and not freed) by the allocator's own count. The checks then
     * compare it with theirs after every step, which shows a freed block the allocator lost. Empty (the default) when
     * the allocator keeps no such count; the report then says which checks did not apply.
     *
     * @throws IllegalStateException if the allocator is closed
     */
    default OptionalLong liveBlocks() {
        return OptionalLong.empty();
    }
}
