package dev.allocspec.verifier;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A checking JVM numbers its stages on from where the one before it stopped, and is quiet off a terminal. */
class ProgressTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void countsOnFromThePositionItWasGiven() {
        Progress.Position position = new Progress.Position(3, 9, System.currentTimeMillis() - 65_000);
        Progress progress = new Progress(out, true, position, 900);
        progress.stage("contract tests: lock-free LOCKED [C1 only]");
        progress.stage("state-machine properties: lock-free LOCKED [C1 only]");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("[4/9] contract tests: lock-free LOCKED [C1 only]")
                .contains("[5/9] state-machine properties").contains("elapsed 01:05").contains("estimated total 15:00");
    }

    @Test
    void quietOffATerminalExceptForWarnings() {
        Progress progress = new Progress(out, false, new Progress.Position(0, 2, System.currentTimeMillis()), 60);
        progress.stage("contract tests");
        progress.note("platform");
        progress.warn("jcstress died");
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("allocspec-verify: warning: jcstress died"
                + System.lineSeparator());
    }

    @Test
    void aPositionSurvivesItsTripThroughTheSystemProperty() {
        Progress.Position position = new Progress.Position(7, 13, 1_790_000_000_000L);
        System.setProperty(Progress.Position.PROPERTY, position.encoded());
        try {
            assertThat(Progress.Position.ofThisJvm(4)).isEqualTo(position);
        } finally {
            System.clearProperty(Progress.Position.PROPERTY); // no test JVM has it: the verifier sets it in children
        }
        assertThat(Progress.Position.ofThisJvm(4).stages()).as("without it: this JVM's own stages").isEqualTo(4);
    }
}
