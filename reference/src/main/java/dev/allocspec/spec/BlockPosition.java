package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * Where a block lies among an allocator's {@link BlockAllocator#arenas() arenas}: the terms in which refinement
 * compares two allocators (INV-REFINEMENT), since their absolute addresses differ.
 *
 * @param arenaIndex the index in {@code arenas()} of the arena that contains the block
 * @param offset     the block's offset in that arena
 */
public record BlockPosition(int arenaIndex, long offset) {

    /** The position of {@code block} among {@code allocator.arenas()}, or empty if no arena contains it. */
    public static Optional<BlockPosition> of(BlockAllocator allocator, MemorySegment block) {
        List<MemorySegment> arenas = allocator.arenas();
        for (int i = 0; i < arenas.size(); i++) {
            MemorySegment arena = arenas.get(i);
            if (arena.address() <= block.address() && block.address() < arena.address() + arena.byteSize()) {
                return Optional.of(new BlockPosition(i, block.address() - arena.address()));
            }
        }
        return Optional.empty();
    }

    /** The position and size of a block as one comparable line, e.g. {@code "arena 2 offset 128 size 100"}. */
    public static String describe(BlockAllocator allocator, MemorySegment block) {
        return of(allocator, block).map(p -> "arena " + p.arenaIndex() + " offset " + p.offset())
                .orElse("outside every arena: 0x" + Long.toHexString(block.address())) + " size " + block.byteSize();
    }
}
