package dev.allocspec.properties.allocator;

import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockPosition;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.SelfChecking;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * INV-REFINEMENT over one long life: a random sequence of operations, good and bad, run on the reference and on the
 * system under test side by side (the bad calls are the state machine's {@link AllocatorActions.BadSegment}s), must give the same outcome at every step: the same (arena index, offset, size) for
 * every block, the same exception type for every rejected call, and equal stats at the end. Cheaper per step than the
 * state machine (no invariant walk until the end), so it runs for a hundred thousand steps and more.
 */
public final class DifferentialRun {

    private static final long[] SIZES = {0, 1, 8, 63, 64, 65, 100, 255, 256, 257, 1000, 1024, 1025, 4000, 4096, 4097,
        10_000, 16_383, 16_384, 16_385, 40_000};

    private DifferentialRun() {
    }

    /**
     * Runs {@code steps} operations from {@code seed} on both allocators; returns how many bad calls (interior, wrong
     * size, foreign and heap segments, double frees) it made.
     *
     * @throws InvariantViolation INV-REFINEMENT at the first step whose outcomes differ, INV-CONSERVATION if the stats
     *                            differ at the end, or what either allocator's own invariant walk finds
     */
    public static long run(BlockAllocator reference, BlockAllocator system, long steps, long seed) {
        try (Arena foreign = Arena.ofConfined()) {
            List<MemorySegment[]> live = new ArrayList<>(); // {reference block, system block}
            SplittableRandom random = new SplittableRandom(seed);
            long badCalls = 0;
            for (long step = 0; step < steps; step++) {
                int op = random.nextInt(100);
                String expected;
                String actual;
                String what;
                if (op < 50 || live.isEmpty()) {
                    long size = SIZES[random.nextInt(SIZES.length)];
                    long alignment = random.nextInt(4) == 0 ? 1L << random.nextInt(13) : 1;
                    MemorySegment[] pair = new MemorySegment[2];
                    what = "allocate(" + size + ", " + alignment + ")";
                    expected = outcome(reference, a -> pair[0] = a.allocate(size, alignment));
                    actual = outcome(system, a -> pair[1] = a.allocate(size, alignment));
                    if (pair[0] != null && pair[1] != null) {
                        live.add(pair);
                    }
                } else if (op < 90) {
                    MemorySegment[] pair = live.remove(random.nextInt(live.size()));
                    what = "free";
                    expected = outcome(reference, a -> free(a, pair[0]));
                    actual = outcome(system, a -> free(a, pair[1]));
                    if (random.nextInt(10) == 0) { // and once more: a double free
                        what = "free, then the same block again";
                        expected += " then " + outcome(reference, a -> free(a, pair[0]));
                        actual += " then " + outcome(system, a -> free(a, pair[1]));
                        badCalls++;
                    }
                } else {
                    MemorySegment[] pair = live.get(random.nextInt(live.size()));
                    AllocatorActions.BadSegment kind = AllocatorActions.BadSegment.values()[
                            random.nextInt(AllocatorActions.BadSegment.values().length)];
                    what = "free of a " + kind + " segment";
                    expected = outcome(reference, a -> free(a, kind.from(pair[0], foreign)));
                    actual = outcome(system, a -> free(a, kind.from(pair[1], foreign)));
                    badCalls++;
                }
                if (!expected.equals(actual)) {
                    throw new InvariantViolation(Invariant.REFINEMENT, "step " + (step + 1) + " of " + steps + " ("
                            + what + ", seed " + seed + "): reference gave " + expected + ", system under test "
                            + actual);
                }
            }
            if (!reference.stats().equals(system.stats())) {
                throw new InvariantViolation(Invariant.CONSERVATION, "after " + steps + " steps the stats differ: "
                        + "reference " + reference.stats() + ", system under test " + system.stats());
            }
            for (BlockAllocator allocator : List.of(reference, system)) {
                if (allocator instanceof SelfChecking checking) {
                    checking.checkInvariants();
                }
            }
            return badCalls;
        }
    }

    /** A block's position as (arena index, offset, size), or the exception type a call threw. */
    private static String outcome(BlockAllocator allocator, Function<BlockAllocator, MemorySegment> call) {
        MemorySegment block;
        try {
            block = call.apply(allocator);
        } catch (RuntimeException | OutOfMemoryError e) {
            return e.getClass().getSimpleName();
        }
        return block == null ? "ok" : BlockPosition.describe(allocator, block);
    }

    private static MemorySegment free(BlockAllocator allocator, MemorySegment block) {
        allocator.free(block);
        return null;
    }
}
