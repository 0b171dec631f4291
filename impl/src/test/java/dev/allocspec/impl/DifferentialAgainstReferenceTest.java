package dev.allocspec.impl;

import dev.allocspec.os.OsMemory;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockPosition;
import dev.allocspec.spec.ChunkPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * INV-REFINEMENT, single-threaded: one long random sequence of operations, good and bad, run on the reference and on
 * the lock-free allocator side by side, gives the same outcome at every step: the same (arena index, offset, size)
 * for every block, the same exception type for every rejected call, and equal stats at the end.
 */
class DifferentialAgainstReferenceTest {

    private static final long[] SIZES = {0, 1, 8, 63, 64, 65, 100, 255, 256, 257, 1000, 1024, 1025, 4000, 4096, 4097,
        10_000, 16_383, 16_384, 16_385, 40_000};
    private static final int STEPS = 100_000;

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    void sameOutcomesAsTheReferenceOnALongRandomSequence(CasStrategy strategy, boolean threadCache) {
        Configurations.assumeRunsHere(strategy);
        ChunkPolicy policy = new ChunkPolicy(8);
        try (ReferenceAllocator reference = new ReferenceAllocator(policy, OsMemory.system());
             LockFreeBlockAllocator lockFree = LockFreeBlockAllocator.builder().strategy(strategy)
                     .threadCache(threadCache).policy(policy).build();
             Arena foreign = Arena.ofConfined()) {
            MemorySegment foreignBlock = foreign.allocate(64, 64);
            List<MemorySegment[]> live = new ArrayList<>(); // {reference block, lock-free block}
            SplittableRandom random = new SplittableRandom(20261122L);
            int errors = 0;
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(100);
                String expected;
                String actual;
                if (op < 50 || live.isEmpty()) {
                    long size = SIZES[random.nextInt(SIZES.length)];
                    long alignment = random.nextInt(4) == 0 ? 1L << random.nextInt(13) : 1;
                    MemorySegment[] pair = new MemorySegment[2];
                    expected = outcome(reference, a -> pair[0] = a.allocate(size, alignment));
                    actual = outcome(lockFree, a -> pair[1] = a.allocate(size, alignment));
                    if (pair[0] != null && pair[1] != null) {
                        live.add(pair);
                    }
                } else if (op < 90) {
                    MemorySegment[] pair = live.remove(random.nextInt(live.size()));
                    expected = outcome(reference, a -> free(a, pair[0]));
                    actual = outcome(lockFree, a -> free(a, pair[1]));
                    if (random.nextInt(10) == 0) { // and once more: a double free
                        expected += " then " + outcome(reference, a -> free(a, pair[0]));
                        actual += " then " + outcome(lockFree, a -> free(a, pair[1]));
                    }
                } else {
                    MemorySegment[] pair = live.get(random.nextInt(live.size()));
                    int kind = random.nextInt(4);
                    expected = outcome(reference, a -> free(a, bad(pair[0], kind, foreignBlock)));
                    actual = outcome(lockFree, a -> free(a, bad(pair[1], kind, foreignBlock)));
                    errors++;
                }
                if (!expected.equals(actual)) {
                    throw new AssertionError("step " + step + ": reference " + expected + ", lock-free (" + strategy
                            + ") " + actual);
                }
            }
            assertThat(lockFree.stats()).isEqualTo(reference.stats());
            assertThat(errors).as("bad calls exercised").isGreaterThan(STEPS / 20);
            reference.checkInvariants();
            lockFree.checkInvariants();
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
        if (block == null) {
            return "ok";
        }
        return BlockPosition.describe(allocator, block);
    }

    private static MemorySegment free(BlockAllocator allocator, MemorySegment block) {
        allocator.free(block);
        return null;
    }

    @SuppressWarnings("restricted") // bad segments made on purpose from real block addresses
    private static MemorySegment bad(MemorySegment block, int kind, MemorySegment foreign) {
        return switch (kind) {
            case 0 -> MemorySegment.ofAddress(block.address() + 8).reinterpret(block.byteSize()); // interior
            case 1 -> MemorySegment.ofAddress(block.address()).reinterpret(block.byteSize() + 1); // wrong size
            case 2 -> foreign;
            default -> MemorySegment.ofArray(new byte[8]); // heap
        };
    }
}
