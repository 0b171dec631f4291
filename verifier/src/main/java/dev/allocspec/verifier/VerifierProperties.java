package dev.allocspec.verifier;

import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.concurrent.ConcurrentProperty;
import dev.allocspec.properties.concurrent.ScenarioRunner;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.properties.harness.Settings;
import dev.allocspec.spec.AllocatorFactory;
import org.junit.jupiter.api.Test;

import java.util.Optional;

/**
 * The state-machine properties, run by the verifier (through the JUnit Platform Launcher) against the factory it was
 * given, at the depth it was given. Each test leaves its report in a field for the verifier to read.
 */
class VerifierProperties {

    /** Set by the verifier before each launch. */
    static volatile AllocatorFactory factory;
    static volatile String label;
    static volatile Settings settings;
    static volatile int concurrentTries;

    /** Left by the tests for the verifier. */
    static volatile PropertyReport sequentialReport;
    static volatile Optional<Failure> concurrentFailure;

    @Test
    void refinesTheReference() {
        sequentialReport = null;
        PropertyReport report = new ModelBasedRunner<>(new AllocatorStateMachine(label,
                policy -> factory.create(policy, OsMemory.system())), settings).check();
        sequentialReport = report;
        System.out.println(report.summary());
        if (report.failure().isPresent()) {
            throw new AssertionError(report.failure().get().report(), report.failure().get().cause());
        }
    }

    @Test
    void concurrentScenariosKeepOwnershipAndLoseNothing() {
        concurrentFailure = null;
        ConcurrentProperty property = new ConcurrentProperty(label + " concurrent", new ScenarioRunner(
                policy -> factory.create(policy, OsMemory.system()), AllocatorStateMachine.POLICY), 10, 400);
        Optional<Failure> failure = property.check(settings.withTries(concurrentTries));
        concurrentFailure = failure;
        if (failure.isPresent()) {
            throw new AssertionError(failure.get().report(), failure.get().cause());
        }
    }
}
