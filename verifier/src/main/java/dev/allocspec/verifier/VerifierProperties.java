package dev.allocspec.verifier;

import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.concurrent.ConcurrentProperty;
import dev.allocspec.properties.concurrent.ScenarioRunner;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.properties.harness.Settings;
import dev.allocspec.properties.allocator.SafetyStateMachine;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.OffHeapAllocatorFactory;
import dev.allocspec.spec.Profile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state-machine properties, run by the verifier (through the JUnit Platform Launcher) against the factory it was
 * given, at the depth it was given. Each test leaves its report in a field for the verifier to read.
 */
class VerifierProperties {

    /** Set by the verifier before each launch: the profile, and the factories (the family's null in safety). */
    static volatile Profile profile = Profile.FAMILY;
    static volatile AllocatorFactory factory;
    static volatile OffHeapAllocatorFactory safetyFactory;
    static volatile String label;
    static volatile Settings settings;
    static volatile int concurrentTries;
    /** The internal paths the runs must reach: on one thread (and virtual threads), and on platform threads. */
    static volatile Set<String> sequentialPaths = Set.of();
    static volatile Set<String> concurrentPaths = Set.of();

    /** Left by the tests for the verifier; each test clears its field first, so one that throws leaves null. */
    static volatile PropertyReport sequentialReport;
    static volatile PropertyReport virtualSequentialReport;
    /** The family profile's run of the safety state machine, which says whether a failure is of policy alone. */
    static volatile PropertyReport safetyReport;
    static volatile Optional<Failure> concurrentFailure;
    static volatile Optional<Failure> virtualConcurrentFailure;

    @Test
    void stateMachineHolds() {
        sequentialReport = null;
        sequentialReport = stateMachine(label);
        failIfBroken(sequentialReport);
    }

    @Test
    void stateMachineHoldsOnAVirtualThread() throws InterruptedException {
        virtualSequentialReport = null;
        AtomicReference<PropertyReport> report = new AtomicReference<>();
        // A throwable escaping the property leaves the report null: the verifier then says it did not run.
        Thread.ofVirtual().start(() -> report.set(stateMachine(label + ", virtual thread"))).join();
        virtualSequentialReport = report.get();
        failIfBroken(virtualSequentialReport);
    }

    /**
     * In the family profile, the safety state machine as well: refinement stops at the first difference from the
     * reference, so only this run can say that an allocator which fails refinement still keeps every safety
     * invariant (a safe allocator of another policy).
     */
    @Test
    void safetyStateMachineHoldsInTheFamilyProfile() {
        safetyReport = null;
        Assumptions.assumeTrue(profile == Profile.FAMILY, "the safety profile's own machine runs above");
        safetyReport = new ModelBasedRunner<>(new SafetyStateMachine(label,
                () -> factory.create(AllocatorStateMachine.POLICY, OsMemory.system())), settings).check();
        System.out.println(safetyReport.summary());
        failIfBroken(safetyReport);
    }

    /** The family's machine (refinement of the reference) or the safety profile's (live blocks only). */
    private static PropertyReport stateMachine(String name) {
        PropertyReport report = profile == Profile.FAMILY
                ? new ModelBasedRunner<>(new AllocatorStateMachine(name, (policy, purges) -> factory.create(policy,
                        OsMemory.system(), purges)).requiring(sequentialPaths), settings).check()
                : new ModelBasedRunner<>(new SafetyStateMachine(name, safetyFactory::create), settings).check();
        System.out.println(report.summary());
        return report;
    }

    private static void failIfBroken(PropertyReport report) {
        if (report == null) {
            throw new AssertionError("the property did not run to a report");
        }
        if (report.failure().isPresent()) {
            throw new AssertionError(report.failure().get().report(), report.failure().get().cause());
        }
    }

    @Test
    void concurrentScenariosKeepOwnershipAndLoseNothing() {
        concurrentFailure = null;
        concurrentFailure = concurrentScenarios(ScenarioRunner.ThreadKind.PLATFORM);
        failIfPresent(concurrentFailure);
    }

    @Test
    void concurrentScenariosOnVirtualThreadsKeepOwnershipAndLoseNothing() {
        virtualConcurrentFailure = null;
        virtualConcurrentFailure = concurrentScenarios(ScenarioRunner.ThreadKind.VIRTUAL);
        failIfPresent(virtualConcurrentFailure);
    }

    private static Optional<Failure> concurrentScenarios(ScenarioRunner.ThreadKind threads) {
        String name = label + " concurrent" + (threads == ScenarioRunner.ThreadKind.VIRTUAL ? ", virtual threads" : "");
        ConcurrentProperty property = new ConcurrentProperty(name, new ScenarioRunner(profile == Profile.FAMILY
                ? policy -> factory.create(policy, OsMemory.system()) : policy -> safetyFactory.create(),
                AllocatorStateMachine.POLICY, threads), 10, 400)
                .requiring(threads == ScenarioRunner.ThreadKind.VIRTUAL ? sequentialPaths : concurrentPaths);
        Optional<Failure> failure = property.check(settings.withTries(concurrentTries));
        System.out.println(name + ": internal paths " + property.pathCounts());
        return failure;
    }

    private static void failIfPresent(Optional<Failure> failure) {
        if (failure.isPresent()) {
            throw new AssertionError(failure.get().report(), failure.get().cause());
        }
    }
}
