package dev.allocspec.properties.allocator;

import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockPosition;

import java.lang.foreign.MemorySegment;
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
        return new Outcome(block, BlockPosition.describe(allocator, block));
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
}
