package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safety profile has teeth where it should and none where it should not: seen only through
 * {@link OffHeapAllocator} (no stats, no arenas, no count of live blocks), every planted fault that makes an allocator
 * unsafe is caught, no fault that only changes this family's policy is, and every safety test catches some fault.
 */
class SafetyTeethTest {

    /** Faults that break this family's policy or its bookkeeping only: the safety profile must let them pass. */
    private static final Set<PlantedFault> POLICY_ONLY = EnumSet.of(PlantedFault.FORGETS_ARENAS,
            PlantedFault.WRONG_CHUNK_SIZE, PlantedFault.STATS_OFF_BY_ONE, PlantedFault.STATS_AFTER_CLOSE,
            PlantedFault.ACCEPTS_HUGE_SIZE, PlantedFault.CACHES_NO_LARGE_MAPPING, PlantedFault.IGNORES_RETAINED_CAP,
            PlantedFault.IGNORES_DIRTY_BOUND, PlantedFault.IGNORES_DECAY, PlantedFault.PURGE_DOES_NOTHING,
            PlantedFault.IGNORES_POOLED_PURGE);
    /** Faults that change reuse order and whose safety depends on what else goes wrong: either answer is allowed. */
    private static final Set<PlantedFault> EITHER = EnumSet.of(PlantedFault.DELAYS_FREE);

    @Test
    void everyUnsafeFaultIsCaughtAndNoPolicyFaultIs() {
        Map<PlantedFault, Set<String>> failedTests = new EnumMap<>(PlantedFault.class);
        for (PlantedFault fault : PlantedFault.values()) {
            SafetyViewContract.fault = fault;
            failedTests.put(fault, ContractRun.failingTests(SafetyViewContract.class));
        }
        System.out.println("Safety teeth (planted fault -> safety tests that failed, no stats visible):");
        failedTests.forEach((fault, tests) -> System.out.printf("  %-24s %s%n", fault, tests));

        failedTests.forEach((fault, tests) -> {
            if (POLICY_ONLY.contains(fault)) {
                assertThat(tests).as("safety tests failing on the policy-only fault %s", fault).isEmpty();
            } else if (!EITHER.contains(fault)) {
                assertThat(tests).as("safety tests failing on the unsafe fault %s", fault).isNotEmpty();
            }
        });
        Set<String> caughtSomething = failedTests.values().stream().flatMap(Set::stream)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(caughtSomething).as("safety tests that fail on some planted fault")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(OffHeapAllocatorContract.class.getDeclaredMethods())
                        .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName)
                        .collect(Collectors.toCollection(TreeSet::new)));
    }
}
