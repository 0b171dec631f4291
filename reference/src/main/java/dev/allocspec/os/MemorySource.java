package dev.allocspec.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where an allocator gets its memory from: whole pages from the operating system. Allocators take one so that tests
 * can make the system refuse memory on cue.
 */
public interface MemorySource {

    /** The page size: the alignment of every mapping. */
    long pageSize();

    /**
     * Obtains a fresh, zero-filled, page-aligned mapping of at least {@code bytes} bytes.
     *
     * @param bytes the size of the returned segment, at least 1
     * @param scope the scope of the returned segment; closing it gives the mapping back to the system
     * @return a native segment of exactly {@code bytes} bytes in {@code scope}
     * @throws OutOfMemoryError if the system refuses, with the size and the reason
     * @throws IllegalStateException if {@code scope} is closed, also by another thread during the call; nothing stays
     *                               mapped then
     */
    MemorySegment obtain(long bytes, Arena scope);

    /**
     * Gives the physical memory of {@code mapping}, a whole mapping obtained here, back to the system while its
     * address range stays mapped: afterwards it reads as zeros. The default, for sources that cannot give pages back
     * without unmapping, writes zeros: what a stale reader sees is the same, but the memory stays resident.
     *
     * @param mapping a segment {@link #obtain} returned, whose scope is alive
     * @throws IllegalStateException if the mapping's scope is closed
     */
    default void purge(MemorySegment mapping) {
        mapping.fill((byte) 0);
    }

    /** How {@link #purge} gives memory back, for reports. */
    default String purgeDescription() {
        return "writes zeros (the pages stay resident)";
    }

    /** How memory is obtained, for reports, e.g. {@code "mmap/munmap (Linux, FFM downcall)"}. */
    String description();
}
