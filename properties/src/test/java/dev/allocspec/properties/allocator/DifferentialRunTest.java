package dev.allocspec.properties.allocator;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.Configurations;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.controls.DuplicatesAfterManyAllocations;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.InvariantViolation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * INV-REFINEMENT, single-threaded, over one long life ({@link DifferentialRun}): a hundred thousand operations, good
 * and bad, give the reference's outcome at every step, with every strategy and the caches on and off; and a fault
 * that begins only after 500 allocations is found.
 */
class DifferentialRunTest {

    private static final ChunkPolicy POLICY = new ChunkPolicy(8);
    private static final long STEPS = 100_000;

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    void sameOutcomesAsTheReferenceOnALongRandomSequence(CasStrategy strategy, boolean threadCache) {
        Configurations.assumeRunsHere(strategy);
        try (ReferenceAllocator reference = new ReferenceAllocator(POLICY, OsMemory.system());
             LockFreeBlockAllocator lockFree = LockFreeBlockAllocator.builder().strategy(strategy)
                     .threadCache(threadCache).threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS)
                     .policy(POLICY).build()) {
            long badCalls = DifferentialRun.run(reference, lockFree, STEPS, 20261122L);
            assertThat(badCalls).as("bad calls exercised").isGreaterThan(STEPS / 20);
        }
    }

    @Test
    void aFaultThatBeginsAfterFiveHundredAllocationsIsFound() {
        try (ReferenceAllocator reference = new ReferenceAllocator(POLICY, OsMemory.system());
             BlockAllocator late = new DuplicatesAfterManyAllocations(500, LockFreeBlockAllocator.builder()
                     .policy(POLICY).build())) {
            assertThatThrownBy(() -> DifferentialRun.run(reference, late, 5_000, 1L))
                    .isInstanceOf(InvariantViolation.class).hasMessageStartingWith("INV-REFINEMENT")
                    .hasMessageContaining("allocate(");
        }
    }
}
