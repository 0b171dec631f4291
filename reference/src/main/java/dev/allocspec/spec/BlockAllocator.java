package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The contract of the allocator family: fixed-size blocks in five {@linkplain SizeClass size classes} over off-heap
 * memory obtained from the operating system, and raw mappings above them.
 *
 * <h2>Allocation</h2>
 * {@link #allocate(long, long) allocate(n, a)} returns a native segment of exactly {@code n} bytes (zero allowed) that
 * starts at the first byte of a block of the smallest class whose block size is at least {@code max(n, a)}
 * ({@code INV-SIZE-CLASS}); its address is a multiple of {@code a} ({@code INV-ALIGN}). Above
 * {@value SizeClass#LARGEST_BLOCK} bytes the block is large (raw): it starts a page-aligned mapping of its own
 * ({@code INV-RAW-PAGES}). A freed large block's mapping is cached and reused by a later large allocation that fits
 * ({@code INV-LARGE-REUSE}); its pages are purged (given back to the system, the range still mapped) by the rules of
 * the {@link PurgePolicy}, and the mapping itself is unmapped only by {@link #close()} or under the policy's cap on
 * retained bytes ({@code INV-RAW-RETURNED}). Pooled chunks are never given back before {@link #close()}; the free
 * blocks of the 4 KiB and 16 KiB classes are purged by the same policy and handed out again after every unpurged free
 * block of their class, so the order of reuse does not change.
 *
 * <h2>Freeing</h2>
 * {@link #free(MemorySegment)} takes the segment {@code allocate} returned (or any native segment with the same address
 * and byte size). Any thread may free a block, whichever thread allocated it.
 *
 * <h2>Errors</h2>
 * Every rejected call throws before it changes anything: the allocator's state is exactly as it was
 * ({@code INV-REJECT-*}).
 * <ul>
 *   <li>negative size, size above {@link SizeClass#MAX_REQUEST}, alignment not a power of two or above the page size:
 *       {@link IllegalArgumentException};</li>
 *   <li>free of a segment this allocator does not own (foreign, heap, a segment of somebody else's arena that has
 *       been closed, or a new segment over raw memory already given back), of an address inside a block but not at
 *       its start, or of a size other than the one allocated: {@link IllegalArgumentException};</li>
 *   <li>free of a block that is already free (double free): {@link IllegalStateException}. A stale segment of a
 *       block whose memory has since been handed out again cannot be told from the new owner's segment (same
 *       address, same size, as with {@code malloc}): freeing it frees the new owner's block. A stale segment of a
 *       large block reads what its mapping holds: the next owner's bytes, or zeros once purged; once the mapping is
 *       unmapped (cap or close) its scope is closed and every use of it throws {@link IllegalStateException}
 *       ({@code INV-NO-EARLY-UNMAP}), so no stale use reaches unmapped memory. Writing through a pooled block's
 *       segment after freeing it is the caller's bug that no check can refuse: the memory stays mapped, and an
 *       allocator that keeps its free list inside free blocks (as jalib does) finds its links overwritten. The
 *       lock-free allocator follows a link only into a block of its class: an allocation that reaches a link into
 *       anything else, and {@code checkInvariants()}, report it as an {@link InvariantViolation}
 *       (INV-ARENA-CONTAINMENT) instead of following it, and leave the free list as it was;</li>
 *   <li>{@code null}: {@link NullPointerException};</li>
 *   <li>any call after {@link #close()}, {@code close()} included: {@link IllegalStateException};</li>
 *   <li>the system refusing memory: {@link OutOfMemoryError} with the size and the reason; the allocator stays
 *       usable.</li>
 * </ul>
 *
 * <h2>Policy</h2>
 * In single-threaded use every member of the family makes the same decisions as the reference allocator: LIFO reuse
 * per class, growth only when a class's free stack is empty, one chunk per growth carved in the order
 * {@link ChunkPolicy} gives. The same operations therefore give every block the same (arena index, offset).
 */
public interface BlockAllocator extends OffHeapAllocator, SegmentAllocator {

    /**
     * Allocates a block for {@code byteSize} bytes with alignment 1.
     *
     * @return a native segment of exactly {@code byteSize} bytes at the start of its block
     * @throws IllegalArgumentException if the size is negative or too large
     * @throws IllegalStateException    if the allocator is closed
     * @throws OutOfMemoryError         if the system refuses memory
     */
    @Override
    default MemorySegment allocate(long byteSize) {
        return allocate(byteSize, 1);
    }

    /**
     * Allocates a block for {@code byteSize} bytes at an address that is a multiple of {@code byteAlignment}.
     *
     * @param byteSize      the size of the returned segment, 0 or more
     * @param byteAlignment a power of two, at most the page size
     * @return a native segment of exactly {@code byteSize} bytes at the start of its block
     * @throws IllegalArgumentException if the size or the alignment is bad
     * @throws IllegalStateException    if the allocator is closed
     * @throws OutOfMemoryError         if the system refuses memory
     */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Gives a block back: a pooled block goes on top of its class's free stack, a large block's mapping into the cache
     * of free mappings (see {@link PurgePolicy}).
     *
     * @param block the segment {@code allocate} returned
     * @throws NullPointerException     if {@code block} is null
     * @throws IllegalArgumentException if the segment is not a block of this allocator (foreign, heap, interior
     *                                  address) or its size is not the size allocated
     * @throws IllegalStateException    if the block is already free, or the allocator is closed
     */
    void free(MemorySegment block);

    /** The live blocks by {@link #stats()}: every family member keeps the count. */
    @Override
    default OptionalLong liveBlocks() {
        return OptionalLong.of(stats().liveBlocks());
    }

    /**
     * A purge point now, with every dirty cached mapping purged: the pages of every free large mapping, and of every
     * free 4 KiB and 16 KiB block the calling thread can reach, go back to the system; the ranges stay mapped (see
     * {@link PurgePolicy}). What a service calls when it knows it will idle.
     *
     * @throws IllegalStateException if the allocator is closed
     */
    void purge();

    /**
     * Every chunk and raw mapping obtained from the system and not given back, in the order obtained (jalib's
     * {@code getAllocArenas}). Pooled chunks stay until {@link #close()}; a large block's mapping stays while it is
     * live or cached, and leaves the list when it is unmapped.
     *
     * @return an unmodifiable snapshot
     * @throws IllegalStateException if the allocator is closed
     */
    List<MemorySegment> arenas();

    /**
     * The current counts.
     *
     * @throws IllegalStateException if the allocator is closed
     */
    AllocatorStats stats();

    /**
     * Gives every chunk and raw mapping back to the system. Segments handed out become inaccessible where the
     * implementation can arrange it, and every later call, this one included, throws {@link IllegalStateException}.
     * Other threads may still be calling while it runs: each such call completes or throws
     * {@link IllegalStateException}, none touches memory already given back, and a block it hands out dies with the
     * rest.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    void close();
}
