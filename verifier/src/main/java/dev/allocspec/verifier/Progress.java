package dev.allocspec.verifier;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Stage-by-stage progress on the terminal: which stage, how far, time elapsed and an estimate of the total. Quiet
 * when the output is not a terminal (CI logs get only the verdict and warnings).
 */
final class Progress {

    private final PrintStream out;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private final long estimateSeconds;
    private final int stages;
    private int stage;

    Progress(PrintStream out, boolean interactive, int stages, long estimateSeconds) {
        this.out = out;
        this.interactive = interactive;
        this.stages = stages;
        this.estimateSeconds = estimateSeconds;
    }

    void stage(String name) {
        stage++;
        if (interactive) {
            out.printf("[%d/%d] %-52s elapsed %s, estimated total %s%n", stage, stages, name,
                    format(elapsedSeconds()), format(estimateSeconds));
        }
    }

    /** Something the user must see even in a CI log: printed whether or not the output is a terminal. */
    void warn(String line) {
        out.println("allocspec-verify: warning: " + line);
    }

    void note(String line) {
        if (interactive) {
            out.println("      " + line);
        }
    }

    long elapsedSeconds() {
        return (System.nanoTime() - start) / 1_000_000_000L;
    }

    private static String format(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        return String.format("%02d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
