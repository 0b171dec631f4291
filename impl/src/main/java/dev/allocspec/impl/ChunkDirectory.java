package dev.allocspec.impl;

import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every chunk and raw mapping the allocator holds: by address, to find the owner of any address (pooled chunks in a
 * few loads through a {@link PageMap}, everything else in O(log n)), and in the order obtained, for {@code arenas()}.
 * Lock-free (skip lists, page map) and without a cap on the number of chunks (jalib's fixed array of 1024 arena
 * records overflowed).
 */
final class ChunkDirectory {

    private final ConcurrentSkipListMap<Long, Chunk> byAddress = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, Chunk> inOrder = new ConcurrentSkipListMap<>();
    private final AtomicLong nextSequence = new AtomicLong();
    /** Every granule of a pooled chunk, the first of a large mapping (see {@link PageMap}). */
    private final PageMap pages = new PageMap();

    /** Records a chunk; from then on lookups find it. */
    void add(Chunk chunk) {
        chunk.sequence = nextSequence.getAndIncrement();
        inOrder.put(chunk.sequence, chunk);
        byAddress.put(chunk.base, chunk);
        if (chunk.sizeClass.isRaw()) {
            pages.putFirst(chunk);
        } else {
            pages.put(chunk);
        }
    }

    /**
     * Forgets a chunk. Conditional removes: a new mapping the system placed at the same address, recorded meanwhile,
     * stays.
     */
    void remove(Chunk chunk) {
        if (chunk.sizeClass.isRaw()) {
            pages.clearFirst(chunk);
        }
        byAddress.remove(chunk.base, chunk);
        inOrder.remove(chunk.sequence, chunk);
    }

    /**
     * The chunk the page map records for {@code address}'s granule if {@code address} lies in it (a pooled chunk, or a
     * large mapping at its first granule), else null: the lookup of the allocator's fast free, three loads; null sends
     * the caller to {@link #containing}.
     */
    Chunk recorded(long address) {
        Chunk hint = pages.get(address);
        return hint != null && address >= hint.base && address < hint.end ? hint : null;
    }

    /** The chunk containing {@code address}, or null. */
    Chunk containing(long address) {
        Chunk hint = recorded(address);
        if (hint != null) {
            return hint;
        }
        Map.Entry<Long, Chunk> floor = byAddress.floorEntry(address);
        if (floor == null) {
            return null;
        }
        Chunk chunk = floor.getValue();
        return address < chunk.end ? chunk : null;
    }

    /**
     * The chunk of {@code sizeClass} that holds {@code block}, a block taken off that class's free list. A block in no
     * chunk of that class means the list's links are corrupt: handing it out would give the caller memory of the
     * wrong size or none of ours at all, so it is refused by the invariant it breaks.
     */
    Chunk pooledChunkOf(long block, SizeClass sizeClass) {
        Chunk chunk = containing(block);
        if (chunk == null || chunk.sizeClass != sizeClass) {
            throw new InvariantViolation(Invariant.ARENA_CONTAINMENT, "a free list of class " + sizeClass + " held 0x"
                    + Long.toHexString(block) + ", which is in no chunk of that class: its links are corrupt");
        }
        return chunk;
    }

    /**
     * The chunk of {@code sizeClass} in which {@code address} starts a block, or null (INV-ARENA-CONTAINMENT): what
     * the invariant walk asks of every free block before it reads the block's link.
     */
    Chunk blockOf(long address, SizeClass sizeClass) {
        Chunk chunk = containing(address);
        return chunk != null && chunk.sizeClass == sizeClass && chunk.blockAddress(chunk.blockIndex(address)) == address
                ? chunk : null;
    }

    /** The chunks' memory in the order obtained. */
    List<MemorySegment> arenas() {
        return inOrder.values().stream().map(c -> c.memory).toList();
    }

    /** All chunks, in the order obtained. */
    Collection<Chunk> chunks() {
        return inOrder.values();
    }

    void clear() {
        byAddress.clear();
        inOrder.clear();
    }
}
