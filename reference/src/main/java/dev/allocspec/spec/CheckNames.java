package dev.allocspec.spec;

/** The checks that {@link Invariant} and {@link ThreadCacheRestatement} cite: class and method names, in one place. */
final class CheckNames {
    static final String CONTRACT = "dev.allocspec.spec.BlockAllocatorContract";
    static final String SAFETY_CONTRACT = "dev.allocspec.spec.OffHeapAllocatorContract";
    static final String SAFETY_MACHINE = "dev.allocspec.properties.allocator.SafetyStateMachine#checkInvariants";
    static final String SAFETY_SCENARIOS = "dev.allocspec.properties.allocator.SafetyProperties"
            + "#scenariosOnAnAllocatorOfAnotherPolicyKeepSingleOwnershipAndLinearizability";
    static final String REFERENCE = "dev.allocspec.reference.ReferenceAllocator";
    static final String LOCK_FREE = "dev.allocspec.impl.LockFreeBlockAllocator";
    static final String STRESS = "dev.allocspec.properties.concurrent.SoakTest";
    static final String CACHES = "dev.allocspec.impl.ThreadCachesTest";
    static final String MACHINE = "dev.allocspec.properties.allocator.AllocatorStateMachine#checkInvariants";
    static final String REFINES = "dev.allocspec.properties.allocator.RefinementProperties"
            + "#lockFreeAllocatorRefinesTheReference";
    static final String REFINES_ON_VIRTUAL_THREAD = "dev.allocspec.properties.allocator.RefinementProperties"
            + "#lockFreeAllocatorRefinesTheReferenceOnAVirtualThread";
    static final String SCENARIOS = "dev.allocspec.properties.concurrent.ConcurrentScenarioProperties"
            + "#scenariosKeepSingleOwnershipAndLoseNothing";
    static final String VIRTUAL_SCENARIOS = "dev.allocspec.properties.concurrent.ConcurrentScenarioProperties"
            + "#virtualThreadScenariosKeepSingleOwnershipAndLoseNothing";
    static final String LINEARIZABILITY_CONTROLS = "dev.allocspec.properties.concurrent."
            + "ConcurrentScenarioProperties#controlsThatKeepOwnershipButBreakLinearizabilityAreCaughtByTheHistoryCheck";
    static final String ABA = "dev.allocspec.impl.AbaReplayTest#stampedStackRejectsTheStaleCas";
    static final String JCSTRESS = "dev.allocspec.concurrency.";

    private CheckNames() {
    }
}
