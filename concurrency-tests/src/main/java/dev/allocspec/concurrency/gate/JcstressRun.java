package dev.allocspec.concurrency.gate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one jcstress run printed, and the facts read from it.
 *
 * @param exitCode the jcstress process's exit code (non-zero when a test failed)
 * @param output   everything it printed
 * @param seconds  how long it ran
 */
public record JcstressRun(int exitCode, String output, long seconds) {

    private static final Pattern PROGRESS = Pattern.compile(
            "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");
    private static final Pattern VERDICT = Pattern.compile("(?m)^\\.+ \\[(OK|FAILED|ERROR)\\] (\\S+)$");
    private static final Pattern SAMPLE_ROW = Pattern.compile("(?m)^\\s+[-\\d, ]+?\\s+([\\d,]+)\\s+[<\\d.]+%\\s+"
            + "(Acceptable|Forbidden|Interesting)");
    private static final String JCSTRESS_FAILED_TESTS = "java.lang.AssertionError: TEST FAILURES";
    private static final Pattern HOST_FAILURE = Pattern.compile("(?m)^Exception in thread \"main\" (.+)$");

    /** The last progress line's counts: planned, passed, failed, soft errors, hard errors. */
    public int[] results() {
        Matcher m = PROGRESS.matcher(output);
        int[] last = null;
        while (m.find()) {
            last = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))};
        }
        if (last == null) {
            throw new IllegalStateException("no jcstress progress line in its output:\n" + output);
        }
        return last;
    }

    /** Whether every planned result passed and nothing failed or errored. */
    public boolean allPassed() {
        int[] r = results();
        return exitCode == 0 && r[0] > 0 && r[1] == r[0] && r[2] + r[3] + r[4] == 0;
    }

    /** Each test's verdict from the run results ({@code -v} prints every test), in order. */
    public Map<String, String> verdicts() {
        Map<String, String> verdicts = new LinkedHashMap<>();
        Matcher m = VERDICT.matcher(runResults());
        while (m.find()) {
            verdicts.merge(m.group(2), m.group(1), (a, b) -> a.equals("OK") ? b : a);
        }
        return verdicts;
    }

    /** Samples of one test over all configurations (the sum of its result table), 0 if not found. */
    public long samples(String test) {
        return samples(test, null);
    }

    /**
     * Samples of one test whose outcome jcstress graded Forbidden, from its result table. The table is printed as the
     * run goes, so this holds even when jcstress fails afterwards (e.g. writing its HTML report on a runtime without
     * java.desktop), where the closing "Observed forbidden state" summary never comes.
     */
    public long forbiddenSamples(String test) {
        return samples(test, "Forbidden");
    }

    /** Whether jcstress observed a FORBIDDEN outcome in {@code test}. */
    public boolean forbiddenObserved(String test) {
        return forbiddenSamples(test) > 0;
    }

    /**
     * The exception that ended the jcstress host VM (its first line), if it died instead of finishing, e.g.
     * {@code java.lang.NoClassDefFoundError: java/awt/Color}; empty if it finished, also when it finished by reporting
     * failed tests (which jcstress does by throwing an AssertionError).
     */
    public Optional<String> hostFailure() {
        Matcher m = HOST_FAILURE.matcher(output);
        // jcstress ends with "AssertionError: TEST FAILURES" when a test failed: its verdict, not a crash.
        return m.find() && !m.group(1).startsWith(JCSTRESS_FAILED_TESTS) ? Optional.of(m.group(1)) : Optional.empty();
    }

    private long samples(String test, String grade) {
        String results = runResults();
        int at = results.indexOf("] " + test + "\n");
        if (at < 0) {
            return 0;
        }
        int next = results.indexOf("\n......", at + 1);
        Matcher m = SAMPLE_ROW.matcher(next < 0 ? results.substring(at) : results.substring(at, next));
        long samples = 0;
        while (m.find()) {
            if (grade == null || grade.equals(m.group(2))) {
                samples += Long.parseLong(m.group(1).replace(",", ""));
            }
        }
        return samples;
    }

    /** The RUN RESULTS section without the forked VMs' error streams. */
    public String runResults() {
        int at = output.indexOf("RUN RESULTS:");
        String tail = at < 0 ? output : output.substring(at);
        StringBuilder kept = new StringBuilder();
        boolean inVmStream = false;
        for (String line : tail.lines().toList()) {
            if (line.contains("VM error stream") || line.contains("VM output stream")) {
                inVmStream = true;
            } else if (line.startsWith("......") || line.startsWith("  HTML report")) {
                inVmStream = false;
            }
            if (!inVmStream && !line.isBlank()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
