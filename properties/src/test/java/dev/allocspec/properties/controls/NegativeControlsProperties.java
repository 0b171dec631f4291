package dev.allocspec.properties.controls;

import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.properties.harness.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The suite's teeth: the state-machine property must fail on every sequential negative control, with the thread
 * caches on and off (those whose fault lives in the caches: on only), with a shrunk counterexample of at most six
 * steps (or the control's own bound, for faults that need many: a long life, a full bin, a low-water pass). A
 * weakened property shows up here at once.
 * The detection table goes to {@code negative-controls.md} in {@code -Dallocspec.reportDir} ({@code target} by
 * default).
 */
class NegativeControlsProperties {

    private static final Map<String, String> TABLE = new TreeMap<>();

    /** Every control, with the thread caches on and off. */
    static Stream<Arguments> controlsWithAndWithoutCache() {
        return Arrays.stream(NegativeControl.values()).flatMap(c -> Stream.of(Arguments.of(c, true),
                Arguments.of(c, false)));
    }

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("controlsWithAndWithoutCache")
    void propertyCatchesEverySequentialNegativeControl(NegativeControl control, boolean threadCache) {
        String row = "| " + control + " | " + (threadCache ? "on" : "off") + " | ";
        if (control.concurrentOnly()) {
            TABLE.put(control + " " + threadCache, row
                    + "concurrent only: see AbaReplayTest and ConcurrentScenarioProperties | | | |");
            abort(control + " needs a concurrent schedule: AbaReplayTest and ConcurrentScenarioProperties catch it");
        }
        if (control.needsThreadCache() && !threadCache) {
            TABLE.put(control + " " + threadCache, row + "a fault in the thread caches: nothing to catch without them"
                    + " | | | |");
            abort(control + " breaks a thread-cache path: without the caches there is none");
        }
        Settings settings = Settings.forDepth("standard").withTries(1_000);
        PropertyReport report = new ModelBasedRunner<>(new AllocatorStateMachine(control.name(),
                (policy, purges) -> control.create(policy, OsMemory.system(), purges, threadCache)), settings).check();
        assertThat(report.failure()).as("the property fails on %s, thread cache %s", control, threadCache)
                .isPresent();
        Failure failure = report.failure().get();
        String caughtBy = String.valueOf(failure.cause().getMessage()).split(" ")[0];
        TABLE.put(control + " " + threadCache, row + caughtBy + " | " + report.tries() + " | "
                + failure.originalLength() + " | " + failure.minimalLength() + " |");
        System.out.println("[negative control " + control + ", thread cache " + threadCache + "]\n"
                + failure.report());
        assertThat(failure.minimalLength()).as("shrunk length for %s:%n%s", control, failure.report())
                .isLessThanOrEqualTo(control.maxShrunkLength());
    }

    @AfterAll
    static void writeDetectionTable() throws IOException {
        StringBuilder md = new StringBuilder("# Negative controls: detection table\n\n"
                + "| variant | thread cache | caught by | tries needed | generated length | shrunk length |\n"
                + "|---|---|---|---|---|---|\n");
        TABLE.values().forEach(row -> md.append(row).append('\n'));
        Path out = Path.of(System.getProperty("allocspec.reportDir", "target"), "negative-controls.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println(md);
    }
}
