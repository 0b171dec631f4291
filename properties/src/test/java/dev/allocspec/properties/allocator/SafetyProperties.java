package dev.allocspec.properties.allocator;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.concurrent.ConcurrentProperty;
import dev.allocspec.properties.concurrent.ScenarioRunner;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.properties.harness.Settings;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.FaultyAllocator;
import dev.allocspec.spec.FifoReuseAllocator;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.PlantedFault;
import dev.allocspec.spec.ThreeCallView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safety profile's state machine and concurrent scenarios: our allocator and a correct allocator of another policy
 * (FIFO reuse) keep every safety invariant, and allocators that hand out a block twice, overlap neighbours, accept a
 * double free or lose a freed block fail it, each on the invariant it breaks.
 */
class SafetyProperties {

    private static final ChunkPolicy POLICY = new ChunkPolicy(4);

    @Test
    void lockFreeAllocatorKeepsTheSafetyInvariants() {
        PropertyReport report = ModelBasedRunner.of(new SafetyStateMachine("lock-free", () -> LockFreeBlockAllocator
                .builder().threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(POLICY).build()))
                .assertHolds();
        assertThat(report.coverage().outcomes()).as("outcomes exercised").containsKeys("block", "free",
                "IllegalArgumentException", "IllegalStateException", "NullPointerException", "close");
    }

    @Test
    void anAllocatorOfAnotherPolicyKeepsTheSafetyInvariants() {
        ModelBasedRunner.of(new SafetyStateMachine("FIFO reuse", SafetyProperties::fifo)).assertHolds();
    }

    @Test
    @Timeout(300)
    void scenariosOnAnAllocatorOfAnotherPolicyKeepSingleOwnershipAndLinearizability() {
        ConcurrentProperty property = new ConcurrentProperty("FIFO reuse concurrent",
                new ScenarioRunner(policy -> fifo(), POLICY), 10, 200);
        Optional<Failure> failure = property.check(Settings.fromSystemProperties().withTries(
                Integer.getInteger("allocspec.pbt.concurrentTries", 40)));
        assertThat(failure).as(() -> failure.map(Failure::report).orElse("")).isEmpty();
    }

    /**
     * Each unsafe allocator fails on the invariant it breaks. Seen through the three calls alone where that suffices;
     * a lost free leaves no trace there in a few dozen steps, so that one keeps its count of live blocks.
     */
    @ParameterizedTest(name = "{0} fails on {1}")
    @CsvSource({
        "HANDS_OUT_BLOCK_TWICE, INV-DISJOINT, true",
        "OVERLAPS_NEIGHBOUR, INV-DISJOINT, true",
        "IGNORES_DOUBLE_FREE, INV-REJECT-DOUBLE-FREE, true",
        "LEAKS_FREED_BLOCK, INV-NOTHING-LOST, false",
    })
    void unsafeAllocatorsFailTheSafetyMachine(PlantedFault fault, String invariant, boolean threeCallsOnly) {
        Supplier<OffHeapAllocator> broken = () -> {
            FaultyAllocator faulty = new FaultyAllocator(fault, new ReferenceAllocator(POLICY, OsMemory.system()));
            return threeCallsOnly ? new ThreeCallView(faulty) : faulty;
        };
        PropertyReport report = new ModelBasedRunner<>(new SafetyStateMachine(fault.name(), broken),
                Settings.forDepth("quick")).check();
        assertThat(report.failure()).as("the safety machine on %s", fault).isPresent();
        Failure failure = report.failure().get();
        System.out.println(failure.report());
        assertThat(failure.cause().getMessage()).startsWith(invariant);
        assertThat(failure.minimalLength()).as("shrunk counterexample").isLessThanOrEqualTo(12);
    }

    private static OffHeapAllocator fifo() {
        return new FifoReuseAllocator(new ReferenceAllocator(POLICY, OsMemory.system()));
    }
}
