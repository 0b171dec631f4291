package dev.allocspec.properties.allocator;

import dev.allocspec.spec.BlockAllocator;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one call did on one side, in terms both sides can be compared by (INV-REFINEMENT): a block's (arena index,
 * offset, size), plain success, or the type of exception thrown.
 *
 * @param block  the block returned, or null
 * @param text   the comparable description
 */
record Outcome(MemorySegment block, String text) {

    /** Runs a call that returns a block. */
    static Outcome ofBlock(BlockAllocator allocator, Supplier<MemorySegment> call) {
        MemorySegment block;
        try {
            block = call.get();
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Outcome(null, e.getClass().getSimpleName());
        }
        return new Outcome(block, position(allocator, block));
    }

    /** Runs a call that returns nothing. */
    static Outcome of(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Outcome(null, e.getClass().getSimpleName());
        }
        return new Outcome(null, "ok");
    }

    boolean failed() {
        return !text.equals("ok") && block == null;
    }

    private static String position(BlockAllocator allocator, MemorySegment block) {
        List<MemorySegment> arenas = allocator.arenas();
        for (int i = 0; i < arenas.size(); i++) {
            MemorySegment arena = arenas.get(i);
            if (arena.address() <= block.address() && block.address() < arena.address() + arena.byteSize()) {
                return "arena " + i + " offset " + (block.address() - arena.address()) + " size " + block.byteSize();
            }
        }
        return "outside every arena: 0x" + Long.toHexString(block.address()) + " size " + block.byteSize();
    }
}
