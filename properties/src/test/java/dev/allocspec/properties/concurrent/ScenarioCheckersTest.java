package dev.allocspec.properties.concurrent;

import dev.allocspec.impl.CachePath;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.Settings;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two of the scenario checks on variants that must fail them: a block whose memory is gone fails the cookie check as
 * INV-CONTENT at its step, not as the bare exception the read threw; and a property that requires a path its runs
 * cannot reach (a reclaim, where threads share stripes and no cache is ever drained) fails on coverage.
 */
class ScenarioCheckersTest {

    private static final ChunkPolicy POLICY = new ChunkPolicy(4);

    @Test
    void aBlockWhoseMemoryIsGoneFailsTheCookieCheckAsContentAtItsStep() {
        ScenarioRunner runner = new ScenarioRunner(policy -> new HandsOutClosedMemory(
                LockFreeBlockAllocator.builder().policy(policy).build()), POLICY);
        Scenario scenario = new Scenario(List.of(new Scenario.Alloc(64)), List.of());
        Optional<Throwable> failure = runner.run(scenario, 1);
        assertThat(failure).get().satisfies(e -> assertThat(e.getMessage()).startsWith("INV-CONTENT violated: "
                + "writing the cookie of block").contains("at prefix step 1 (alloc 64) threw")
                .contains("IllegalStateException"));
    }

    @Test
    void aRequiredPathTheRunsNeverReachFailsTheProperty() {
        ConcurrentProperty property = new ConcurrentProperty("virtual threads never reclaim", new ScenarioRunner(
                policy -> LockFreeBlockAllocator.builder().threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS)
                        .policy(policy).build(), POLICY, ScenarioRunner.ThreadKind.VIRTUAL), 2, 50)
                .requiring(Set.of(CachePath.REFILL.label(), CachePath.RECLAIM.label()));
        Failure failure = property.check(Settings.forDepth("quick").withTries(3)).orElseThrow();
        assertThat(failure.cause().getMessage()).startsWith("coverage: ")
                .contains("[" + CachePath.RECLAIM.label() + "]");
        assertThat(property.pathCounts().get(CachePath.REFILL.label())).as("what was reached").isPositive();
    }

    /** Allocates correctly, then hands out a segment of an arena already closed instead. */
    private record HandsOutClosedMemory(BlockAllocator delegate) implements BlockAllocator {
        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            delegate.allocate(byteSize, byteAlignment);
            Arena arena = Arena.ofShared();
            MemorySegment gone = arena.allocate(byteSize, 8);
            arena.close();
            return gone;
        }

        @Override
        public void free(MemorySegment block) {
            delegate.free(block);
        }

        @Override
        public List<MemorySegment> arenas() {
            return delegate.arenas();
        }

        @Override
        public AllocatorStats stats() {
            return delegate.stats();
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public void purge() {
            delegate.purge();
        }
    }
}
