package dev.allocspec.properties.concurrent;

import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The cookie a live block carries at both ends while its owner holds it: its address and size mixed, written when it
 * is allocated and checked before it is freed. A block handed to two owners, or a free-list link written into a live
 * block, shows as a broken cookie (INV-CONTENT).
 */
final class Cookie {

    private Cookie() {
    }

    /** Writes the cookie into the block's first and last eight bytes (the block must hold at least eight). */
    static void write(MemorySegment block) {
        long cookie = of(block);
        block.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, cookie);
        block.set(ValueLayout.JAVA_LONG_UNALIGNED, block.byteSize() - 8, ~cookie);
    }

    /**
     * Requires the block to carry its cookie still, found at {@code when} (a step, for the report).
     *
     * @throws InvariantViolation INV-CONTENT if it does not, or if reading it threw (the block's memory is gone)
     */
    static void requireIntact(MemorySegment block, String when) {
        String what = "the cookie check of block 0x" + Long.toHexString(block.address()) + " (" + block.byteSize()
                + " bytes)";
        ScenarioRunner.checking(Invariant.CONTENT, what, when, () -> {
            if (!intact(block)) {
                throw new InvariantViolation(Invariant.CONTENT, "cookie of block 0x"
                        + Long.toHexString(block.address()) + " (" + block.byteSize()
                        + " bytes) overwritten while it was live, found at " + when);
            }
        });
    }

    private static boolean intact(MemorySegment block) {
        long cookie = of(block);
        return block.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) == cookie
                && block.get(ValueLayout.JAVA_LONG_UNALIGNED, block.byteSize() - 8) == ~cookie;
    }

    private static long of(MemorySegment block) {
        return block.address() * 0x9E3779B97F4A7C15L ^ block.byteSize();
    }
}
