package dev.allocspec.verifier;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM that runs the checks: a child of the verifier's own JVM, with the same runtime, JVM options and arguments,
 * plus the options of its {@link JvmConfiguration}. The allocator under test works on raw memory; when it corrupts its
 * free lists it can crash the whole JVM (a SIGSEGV in off-heap code is fatal, not an exception), and on a new CPU or
 * JVM that is exactly what a porting check must report. Only the checking JVM dies then; the verifier's JVM, which
 * writes the report from the checking JVMs' journals, records a failure that names the stage that was running and
 * quotes the JVM's crash log.
 */
final class CheckingJvm {

    /** The stage name of the finding that says the checking JVM died. */
    static final String DIED = "checking-jvm";

    /** At most how many lines of the crash log the finding quotes: its summary and the crashed thread's stack. */
    private static final int CRASH_LOG_LINES = 120;

    /**
     * How the checking JVM ended.
     *
     * @param exitCode its exit code
     * @param crashLog where the JVM writes its fatal error log, if it wrote one ({@code -XX:ErrorFile})
     */
    record Outcome(int exitCode, Path crashLog) {

        /**
         * The failing finding that reports that the checking JVM under {@code configuration} died (or never got
         * going: a JVM that cannot start exits with 1), after the stage the journal names last (or null).
         */
        Finding death(JvmConfiguration configuration, String lastStage) throws IOException {
            String during = lastStage == null ? configuration.label("before its first stage")
                    : "during the stage '" + lastStage + "'";
            StringBuilder detail = new StringBuilder("The JVM running the checks ended with exit code " + exitCode
                    + meaning(exitCode) + " " + during + ", before it had run every stage. The checks that finished "
                    + "before it are kept in this report.\n");
            if (Files.exists(crashLog)) {
                detail.append("The JVM's crash log: ").append(crashLog).append("; it begins:\n\n");
                quoteUpToTheCrashedStack(Files.readAllLines(crashLog, StandardCharsets.UTF_8), detail);
            } else {
                detail.append("It wrote no crash log (").append(crashLog).append("); its last words are in the "
                        + "output above and in verification").append(configuration.fileSuffix()).append(".log.\n");
            }
            return new Finding(DIED, "the checking JVM died", DIED, during, 0, false, null, detail.toString());
        }

        /** The log's summary and the crashed thread's stack: what it says up to the first blank line after it. */
        private static void quoteUpToTheCrashedStack(List<String> log, StringBuilder detail) {
            boolean inStack = false;
            for (String line : log.subList(0, Math.min(log.size(), CRASH_LOG_LINES))) {
                if (inStack && line.isBlank()) {
                    return;
                }
                inStack |= line.startsWith("Native frames:") || line.startsWith("Java frames:");
                detail.append(line).append('\n');
            }
        }

        private static String meaning(int exitCode) {
            return switch (exitCode) {
                case 134 -> " (SIGABRT: how the JVM ends after a fatal error, such as the SIGSEGV of an allocator "
                        + "that reads or writes memory that is not there)";
                case 137 -> " (SIGKILL: killed from outside, e.g. by the kernel's out-of-memory killer)";
                default -> exitCode > 128 ? " (signal " + (exitCode - 128) + ")"
                        : " (an error it could not turn into a report, or a JVM that could not start: see the output "
                        + "above)";
            };
        }
    }

    private CheckingJvm() {
    }

    /**
     * The command line of a checking JVM: this runtime's java, this JVM's options ({@code inputOptions}: -Xmx,
     * -XX:+UseZGC, -D...) with the configuration's after them, the crash log's and the journal's place, then the
     * verifier's class and {@code args}.
     */
    static List<String> command(List<String> inputOptions, JvmConfiguration configuration,
                                Progress.Position position, Path crashLog, Path journal, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Two collectors chosen would stop the JVM at start: the configuration's choice replaces the one given.
        inputOptions.stream().filter(option -> !(configuration.picksGc() && JvmConfiguration.isGcChoice(option)))
                .forEach(command::add);
        if (inputOptions.stream().noneMatch(option -> option.startsWith("--enable-native-access"))) {
            command.add("--enable-native-access=ALL-UNNAMED"); // the jar's manifest grants it only to java -jar
        }
        command.addAll(configuration.options()); // after the options given: where two disagree, the last one wins
        command.add("-XX:ErrorFile=" + crashLog);
        command.add("-D" + JvmConfiguration.PROPERTY + "=" + configuration.name());
        command.add("-D" + Progress.Position.PROPERTY + "=" + position.encoded());
        command.add("-D" + Journal.PROPERTY + "=" + journal);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VerifyCommand.class.getName()));
        command.addAll(args);
        return command;
    }

    /**
     * Runs the verifier with {@code args} in a child JVM under {@code configuration} that records its progress in
     * {@code journal} and numbers its stages from {@code position}, its output going where this JVM's goes, and waits
     * for it. If this JVM is stopped meanwhile, the
     * child is stopped too.
     */
    static Outcome run(List<String> args, JvmConfiguration configuration, Progress.Position position, Path journal,
                       Path out) throws IOException, InterruptedException {
        Files.createDirectories(out);
        Path crashLog = out.resolve("hs_err_checking_jvm" + configuration.fileSuffix() + ".log");
        Files.deleteIfExists(crashLog); // a log left by an earlier run must not be quoted as this one's
        List<String> command = command(ManagementFactory.getRuntimeMXBean().getInputArguments(), configuration,
                position, crashLog, journal, args);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().remove("JDK_JAVA_OPTIONS"); // already among the input arguments passed above
        Process process = builder.start();
        Thread stopChild = new Thread(process::destroy, "allocspec-verify: stop the checking JVM");
        Runtime.getRuntime().addShutdownHook(stopChild);
        try {
            return new Outcome(process.waitFor(), crashLog);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to undo
            }
        }
    }
}
