package dev.allocspec.properties.concurrent;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.Configurations;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.controls.NegativeControl;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bounded soak ({@link Soak}) as a stress test, not a benchmark: four generations of four platform threads, eight
 * million operations in all, a quarter of the frees handed to another thread; and sixteen virtual threads that share
 * the stripe caches. Every block has one owner and keeps its cookie, and everything is accounted for at the end
 * (INV-SINGLE-OWNER, INV-CONTENT, INV-NOTHING-LOST, INV-CONSERVATION). Its negative controls: a push lost to a failed
 * CAS, and a reclaim of an ended thread's cache that loses a block.
 */
class SoakTest {

    private static final ChunkPolicy POLICY = new ChunkPolicy(16);

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    @Timeout(300)
    void noBlockIsCorruptedDuplicatedOrLost(CasStrategy strategy, boolean threadCache) throws Exception {
        Configurations.assumeRunsHere(strategy);
        soak(LockFreeBlockAllocator.builder().strategy(strategy).threadCache(threadCache).policy(POLICY).build(),
                new Soak(4, 8_000_000, 4, ScenarioRunner.ThreadKind.PLATFORM, 1000));
    }

    @ParameterizedTest(name = "{0}, virtual threads")
    @EnumSource(CasStrategy.class)
    @Timeout(300)
    void virtualThreadsSharingStripeCachesLoseNothing(CasStrategy strategy) throws Exception {
        Configurations.assumeRunsHere(strategy);
        soak(LockFreeBlockAllocator.builder().strategy(strategy).policy(POLICY).build(),
                new Soak(16, 2_000_000, 2, ScenarioRunner.ThreadKind.VIRTUAL, 2000));
    }

    @Test
    @Timeout(300)
    void aLostPushIsCaught() {
        BlockAllocator broken = NegativeControl.LOST_PUSH_ON_CAS_FAILURE.create(POLICY, OsMemory.system(),
                PurgePolicy.DEFAULT, false);
        assertThatThrownBy(() -> soak(broken, new Soak(4, 2_000_000, 2, ScenarioRunner.ThreadKind.PLATFORM, 3)))
                .isInstanceOf(InvariantViolation.class).hasMessageMatching("INV-(NOTHING-LOST|CONSERVATION).*");
    }

    @Test
    @Timeout(300)
    void aReclaimThatLosesABlockIsCaught() {
        // Small thresholds and short generations: the caches of ended threads are reclaimed many times over.
        BlockAllocator broken = NegativeControl.RECLAIM_LOSES_A_BLOCK.create(new ChunkPolicy(4), OsMemory.system(),
                PurgePolicy.DEFAULT, true);
        assertThatThrownBy(() -> soak(broken, new Soak(4, 200_000, 20, ScenarioRunner.ThreadKind.PLATFORM, 4)))
                .isInstanceOf(InvariantViolation.class).hasMessageMatching("INV-(NOTHING-LOST|CONSERVATION).*");
    }

    @Test
    void aSoakNeedsTwoThreadsAndSomeWork() {
        assertThatThrownBy(() -> new Soak(1, 10, 1, ScenarioRunner.ThreadKind.PLATFORM, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 threads");
    }

    private static void soak(BlockAllocator allocator, Soak soak) throws InterruptedException {
        try (allocator) {
            Soak.Result result = soak.run(allocator);
            assertThat(result.crossThreadFrees()).as("frees by another thread").isGreaterThan(soak.operations() / 20);
            assertThat(result.threadsStarted()).isEqualTo(soak.threads() * soak.generations());
            System.out.printf("[Soak] %s: %s%n", soak, result);
        }
    }
}
