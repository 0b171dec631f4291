package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract has teeth: run against each {@link PlantedFault}, it fails at least once, and every contract test
 * fails on at least one fault. A test that cannot fail would show up here as a row no fault reaches.
 */
class ContractTeethTest {

    @Test
    void everyPlantedFaultIsCaughtAndEveryContractTestCatchesOne() {
        Map<PlantedFault, Set<String>> failedTests = new EnumMap<>(PlantedFault.class);
        for (PlantedFault fault : PlantedFault.values()) {
            failedTests.put(fault, failingContractTests(fault));
        }
        System.out.println("Contract teeth (planted fault -> contract tests that failed):");
        failedTests.forEach((fault, tests) -> System.out.printf("  %-24s %s%n", fault, tests));

        assertThat(failedTests).allSatisfy((fault, tests) ->
                assertThat(tests).as("contract tests failing on planted fault %s", fault).isNotEmpty());
        Set<String> caughtSomething = failedTests.values().stream().flatMap(Set::stream)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(caughtSomething).as("contract tests that fail on some planted fault")
                .containsExactlyInAnyOrderElementsOf(contractTests());
    }

    /** The tests the family contract runs: its own and the safety profile's it inherits. */
    private static Set<String> contractTests() {
        return Stream.<Class<?>>of(BlockAllocatorContract.class, OffHeapAllocatorContract.class)
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> failingContractTests(PlantedFault fault) {
        FaultyAllocatorContract.fault = fault;
        return ContractRun.failingTests(FaultyAllocatorContract.class);
    }
}
