package dev.allocspec.concurrency;

import dev.allocspec.concurrency.gate.JcstressLauncher;
import dev.allocspec.concurrency.gate.JcstressRun;
import dev.allocspec.impl.CasStrategy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI gate: runs the packaged jcstress jar in forked JVMs, from {@code target/} so nothing litters the working
 * tree. Every real test must pass (no FORBIDDEN outcome, no error) for every strategy that runs here, and every
 * negative control must show FORBIDDEN outcomes, or the gate fails. Mode from {@code -Djcstress.mode}: quick (the
 * default) runs one JVM configuration per test; the deep profile runs tough mode with every configuration. Writes
 * {@code target/jcstress-gate/summary.md}.
 */
class JcstressGateIT {

    private static final Path WORK = Path.of("target", "jcstress-gate");

    @Test
    void realTestsPassAndNegativeControlsAreCaught() throws Exception {
        String mode = System.getProperty("jcstress.mode", "quick");
        boolean budget = mode.equals("quick");
        JcstressLauncher jcstress = new JcstressLauncher(Path.of("target", "jcstress.jar").toAbsolutePath()
                .toString(), 600);
        JcstressRun real = jcstress.run(WORK.resolve("real"), mode,
                JcstressLauncher.realTests(CasStrategy.NATIVE_CAS128.isAvailable()), budget);
        JcstressRun controls = jcstress.run(WORK.resolve("negative-controls"), mode,
                JcstressLauncher.NEGATIVE_CONTROLS, budget);
        writeSummary(mode, real, controls);

        assertThat(real.allPassed()).as("every real jcstress test passed:%n%s", real.runResults()).isTrue();
        assertThat(real.verdicts()).as("verdicts of the real tests").isNotEmpty().allSatisfy((test, verdict) ->
                assertThat(verdict).as(test).isEqualTo("OK"));
        for (String control : JcstressLauncher.NEGATIVE_CONTROL_TESTS) {
            assertThat(controls.forbiddenObserved(JcstressLauncher.PACKAGE + control))
                    .as("negative control %s shows a FORBIDDEN outcome:%n%s", control, controls.runResults()).isTrue();
        }
        assertThat(controls.exitCode()).as("jcstress exit code on the negative controls").isNotZero();
    }

    private static void writeSummary(String mode, JcstressRun real, JcstressRun controls) throws IOException {
        String summary = "# jcstress gate (mode " + mode + ")\n\n"
                + "real tests: exit " + real.exitCode() + ", " + real.seconds() + " s, results "
                + Arrays.toString(real.results()) + " (planned, passed, failed, soft, hard)\n\n"
                + "negative controls: exit " + controls.exitCode() + ", " + controls.seconds() + " s\n\n"
                + "## Real tests\n\n```\n" + real.runResults() + "```\n\n"
                + "## Negative controls\n\n```\n" + controls.runResults() + "```\n";
        Files.writeString(WORK.resolve("summary.md"), summary);
        System.out.println(summary);
    }
}
