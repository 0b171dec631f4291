package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI gate: runs the packaged jcstress jar in forked JVMs, from {@code target/} so nothing litters the working
 * tree. Every real test must pass (no FORBIDDEN outcome, no error) for every strategy that runs here, and every
 * negative control must show FORBIDDEN outcomes, or the gate fails. Mode from {@code -Djcstress.mode} (quick by
 * default; the deep profile uses tough). Writes {@code target/jcstress-gate/summary.md}.
 */
class JcstressGateIT {

    private static final Path JAR = Path.of("target", "jcstress.jar");
    private static final Path WORK = Path.of("target", "jcstress-gate");
    private static final Pattern RESULTS = Pattern.compile(
            "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");

    record Run(int exitCode, String output, long seconds) {
        /** The last progress line's counts: planned, passed, failed, soft errors, hard errors. */
        int[] results() {
            Matcher m = RESULTS.matcher(output);
            int[] last = null;
            while (m.find()) {
                last = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))};
            }
            assertThat(last).as("jcstress progress line in:%n%s", output).isNotNull();
            return last;
        }
    }

    @Test
    void realTestsPassAndNegativeControlsAreCaught() throws Exception {
        String mode = System.getProperty("jcstress.mode", "quick");
        String strategies = CasStrategy.NATIVE_CAS128.isAvailable() ? "" : "(?!.*Native)";
        Run real = jcstress("real", mode, "^dev\\.allocspec\\.concurrency\\." + strategies + "(?!NegativeControl)");
        Run controls = jcstress("negative-controls", mode, "^dev\\.allocspec\\.concurrency\\.NegativeControl");
        writeSummary(mode, real, controls);

        int[] r = real.results();
        assertThat(real.output()).as("real tests' run").contains("Failed tests: No matches.")
                .contains("Error tests: No matches.");
        assertThat(r[2] + r[3] + r[4]).as("failed and errored results of the real tests").isZero();
        assertThat(r[1]).as("passed results").isEqualTo(r[0]).isPositive();
        assertThat(real.exitCode()).isZero();

        for (String control : List.of("NegativeControlAbaTest.Unstamped", "NegativeControlLostPushTest.LosesPush")) {
            assertThat(controls.output()).as("negative control %s shows a FORBIDDEN outcome", control)
                    .containsPattern(Pattern.quote("dev.allocspec.concurrency." + control) + " \\[.*\\]: Observed forbidden state");
        }
        assertThat(controls.exitCode()).as("jcstress exit code on the negative controls").isNotZero();
    }

    private static Run jcstress(String name, String mode, String filter) throws IOException, InterruptedException {
        Path dir = WORK.resolve(name);
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toAbsolutePath().toString(), "-m", mode, "-t", filter, "-v", "-r", "report"));
        if (mode.equals("quick")) {
            // The CI budget: one JVM configuration per test (default flags, no split compilation, no stress forks),
            // about five seconds a test on two cores. Other modes keep jcstress's auto-detected configurations.
            command.addAll(List.of("-jvmArgs", "--enable-native-access=ALL-UNNAMED", "-sc", "false", "-fsm", "0"));
        } else {
            command.addAll(List.of("-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED"));
        }
        Path log = dir.resolve("output.txt");
        long start = System.nanoTime();
        // Run inside target/: jcstress drops its results blob in the working folder.
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(40, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("jcstress " + name + " did not finish in 40 minutes");
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("[jcstress " + name + "] exit " + process.exitValue() + " after " + seconds + " s");
        return new Run(process.exitValue(), output, seconds);
    }

    private static void writeSummary(String mode, Run real, Run controls) throws IOException {
        String summary = "# jcstress gate (mode " + mode + ")\n\n"
                + "real tests: exit " + real.exitCode() + ", " + real.seconds() + " s, results "
                + java.util.Arrays.toString(real.results()) + " (planned, passed, failed, soft, hard)\n\n"
                + "negative controls: exit " + controls.exitCode() + ", " + controls.seconds() + " s\n\n"
                + "## Real tests\n\n```\n" + runResults(real.output()) + "```\n\n"
                + "## Negative controls\n\n```\n" + runResults(controls.output()) + "```\n";
        Files.writeString(WORK.resolve("summary.md"), summary);
        System.out.println(summary);
    }

    private static String runResults(String output) {
        int at = output.indexOf("RUN RESULTS:");
        String tail = at < 0 ? output : output.substring(at);
        StringBuilder kept = new StringBuilder();
        boolean inErrorStream = false;
        for (String line : tail.lines().toList()) {
            if (line.contains("VM error stream") || line.contains("VM output stream")) {
                inErrorStream = true;
            } else if (line.startsWith("......") || line.startsWith("  HTML report")) {
                inErrorStream = false;
            }
            if (!inErrorStream && !line.isBlank()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
