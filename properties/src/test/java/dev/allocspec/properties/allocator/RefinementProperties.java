package dev.allocspec.properties.allocator;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.reference.ReferenceAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * INV-REFINEMENT and every sequential invariant, as state-machine properties: the lock-free allocator with each
 * strategy, and the reference against itself (a sanity check of the machine). Depth and tries come from
 * {@code -Dallocspec.pbt.depth=quick|standard|deep} and friends (see {@code Settings}).
 */
class RefinementProperties {

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    void lockFreeAllocatorRefinesTheReference(CasStrategy strategy, boolean threadCache) {
        assumeTrue(strategy.isAvailable(), () -> strategy + " unavailable: " + strategy.unavailableReason());
        String name = "lock-free " + strategy + (threadCache ? "" : " no cache");
        AllocatorStateMachine machine = new AllocatorStateMachine(name, (policy, purges) -> LockFreeBlockAllocator
                .builder().strategy(strategy).threadCache(threadCache)
                .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(policy).purgePolicy(purges)
                .decayThread(false).build());
        PropertyReport report = ModelBasedRunner.of(threadCache
                ? machine.requiring(AllocatorStateMachine.SEQUENTIAL_CACHE_PATHS) : machine).assertHolds();
        assertThat(report.coverage().outcomes()).as("outcomes exercised").containsKeys("class 64", "class 256",
                "class 1024", "class 4096", "class 16384", "class raw", "IllegalArgumentException",
                "IllegalStateException", "NullPointerException");
    }

    @ParameterizedTest(name = "{0}, on a virtual thread")
    @EnumSource(CasStrategy.class)
    void lockFreeAllocatorRefinesTheReferenceOnAVirtualThread(CasStrategy strategy) throws Exception {
        // A virtual thread allocates through a stripe cache (caches on, the default): one thread alone must still
        // make exactly the reference's decisions.
        assumeTrue(strategy.isAvailable(), () -> strategy + " unavailable: " + strategy.unavailableReason());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean onVirtualThread = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                onVirtualThread.set(Thread.currentThread().isVirtual());
                ModelBasedRunner.of(new AllocatorStateMachine("lock-free " + strategy + " virtual thread",
                        (policy, purges) -> LockFreeBlockAllocator.builder().strategy(strategy)
                                .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(policy)
                                .purgePolicy(purges).decayThread(false).build())
                        .requiring(AllocatorStateMachine.SEQUENTIAL_CACHE_PATHS)).assertHolds();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }).join();
        assertThat(onVirtualThread).as("ran on a virtual thread").isTrue();
        if (thrown.get() != null) {
            throw new AssertionError(thrown.get().getMessage(), thrown.get());
        }
    }

    @Test
    void referenceRefinesItself() {
        ModelBasedRunner.of(new AllocatorStateMachine("reference",
                (policy, purges) -> new ReferenceAllocator(policy, OsMemory.system(), purges))).assertHolds();
    }
}
