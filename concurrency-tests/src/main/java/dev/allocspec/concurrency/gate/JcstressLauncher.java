package dev.allocspec.concurrency.gate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the jcstress suite in a child JVM (which forks its own test JVMs), inside a working folder of the caller's
 * choosing: jcstress drops its result blob in the working folder, so it must never be the user's.
 */
public final class JcstressLauncher {

    /** The allocspec jcstress tests. */
    public static final String PACKAGE = "dev.allocspec.concurrency.";
    /** The negative controls, which must show FORBIDDEN outcomes. */
    public static final String NEGATIVE_CONTROLS = "^dev\\.allocspec\\.concurrency\\.NegativeControl";
    /** Each negative control (class.variant, under {@link #PACKAGE}); each must show a FORBIDDEN outcome. */
    public static final List<String> NEGATIVE_CONTROL_TESTS = List.of("NegativeControlAbaTest.Unstamped",
            "NegativeControlLostPushTest.LosesPush", "NegativeControlScribbledLinkTest.TrustsRefusedLink",
            "NegativeControlPurgeTest.KeepsBytes", "NegativeControlPurgeTest.OutsideTheLock",
            "NegativeControlPurgeTest.InPlace");

    /** The filter for every real test (no negative control), without the native-strategy variants if asked. */
    public static String realTests(boolean withNative) {
        return "^dev\\.allocspec\\.concurrency\\." + (withNative ? "" : "(?!.*Native)") + "(?!NegativeControl)";
    }

    private final String classpath;
    private final long timeoutMinutes;

    /**
     * @param classpath      the class path holding jcstress and the tests (a jar, or several entries)
     * @param timeoutMinutes how long a run may take before it is killed
     */
    public JcstressLauncher(String classpath, long timeoutMinutes) {
        this.classpath = classpath;
        this.timeoutMinutes = timeoutMinutes;
    }

    /**
     * Runs the tests matching {@code filter} in {@code mode} (quick, default, tough...), with every test's result
     * table printed. {@code singleConfiguration} runs one JVM configuration per test (default flags, no split
     * compilation, no stress forks): the budget mode for CI.
     */
    public JcstressRun run(Path workDir, String mode, String filter, boolean singleConfiguration)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", classpath, "org.openjdk.jcstress.Main",
                "-m", mode, "-t", filter, "-v", "-r", "report"));
        if (singleConfiguration) {
            command.addAll(List.of("-jvmArgs", "--enable-native-access=ALL-UNNAMED", "-sc", "false", "-fsm", "0"));
        } else {
            command.addAll(List.of("-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED"));
        }
        Path log = workDir.resolve("output.txt");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("jcstress did not finish in " + timeoutMinutes + " minutes");
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        return new JcstressRun(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), seconds);
    }
}
