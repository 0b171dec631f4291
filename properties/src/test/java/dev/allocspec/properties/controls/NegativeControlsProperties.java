package dev.allocspec.properties.controls;

import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.properties.harness.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The suite's teeth: the state-machine property must fail on every sequential negative control, with a shrunk
 * counterexample of at most six steps. A weakened property shows up here at once. The detection table goes to
 * {@code negative-controls.md} in {@code -Dallocspec.reportDir} ({@code target} by default).
 */
class NegativeControlsProperties {

    private static final int MAX_SHRUNK_LENGTH = 6;
    private static final Map<NegativeControl, String> TABLE = new TreeMap<>();

    @ParameterizedTest
    @EnumSource(NegativeControl.class)
    void propertyCatchesEverySequentialNegativeControl(NegativeControl control) {
        if (control.concurrentOnly()) {
            TABLE.put(control, "| " + control + " | concurrent only: see AbaReplayTest and ConcurrentScenarioProperties"
                    + " | | | |");
            return;
        }
        Settings settings = Settings.forDepth("standard").withTries(1_000);
        PropertyReport report = new ModelBasedRunner<>(new AllocatorStateMachine(control.name(), policy -> control.create(policy, OsMemory.system())),
                settings).check();
        assertThat(report.failure()).as("the property fails on %s", control).isPresent();
        Failure failure = report.failure().get();
        String caughtBy = String.valueOf(failure.cause().getMessage()).split(" ")[0];
        TABLE.put(control, "| " + control + " | " + caughtBy + " | " + report.tries() + " | "
                + failure.originalLength() + " | " + failure.minimalLength() + " |");
        System.out.println("[negative control " + control + "]\n" + failure.report());
        assertThat(failure.minimalLength()).as("shrunk length for %s:%n%s", control, failure.report())
                .isLessThanOrEqualTo(MAX_SHRUNK_LENGTH);
    }

    @AfterAll
    static void writeDetectionTable() throws IOException {
        StringBuilder md = new StringBuilder("# Negative controls: detection table\n\n"
                + "| variant | caught by | tries needed | generated length | shrunk length |\n|---|---|---|---|---|\n");
        TABLE.values().forEach(row -> md.append(row).append('\n'));
        Path out = Path.of(System.getProperty("allocspec.reportDir", "target"), "negative-controls.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println(md);
    }
}
