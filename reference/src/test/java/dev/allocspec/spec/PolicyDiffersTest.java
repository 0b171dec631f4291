package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A correct allocator of another policy fails the family contract on policy alone: every family test it fails stands
 * for family invariants only, and it fails at least the LIFO one. (Its safety is {@link FifoReuseAllocatorSafetyTest}.)
 */
class PolicyDiffersTest {

    @Test
    void fifoReuseFailsTheFamilyContractOnPolicyOnly() {
        Set<String> failed = ContractRun.failingTests(FifoReuseFamilyContract.class);
        System.out.println("FIFO reuse, family contract tests that failed: " + failed);
        assertThat(failed).contains("reusesLifo");
        for (String test : failed) {
            List<Invariant> standsFor = Arrays.stream(Invariant.values())
                    .filter(inv -> inv.enforcedBy().contains(CheckNames.CONTRACT + "#" + test)).toList();
            assertThat(standsFor).as("invariants the failing family test %s stands for", test).isNotEmpty()
                    .allSatisfy(inv -> assertThat(inv.profile()).as(inv.id()).isEqualTo(Profile.FAMILY));
        }
    }
}
