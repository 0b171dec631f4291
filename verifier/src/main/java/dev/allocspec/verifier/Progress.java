package dev.allocspec.verifier;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Stage-by-stage progress on the terminal: which stage, how far, time elapsed and an estimate of the total. Quiet
 * when the output is not a terminal (CI logs get only the verdict and warnings). The checking JVMs of one verification
 * run one after the other and count on from where the one before stopped ({@link Position}).
 */
final class Progress {

    /**
     * Where a checking JVM's stages fall in the whole verification, passed to it as a system property.
     *
     * @param stagesBefore    the stages the checking JVMs before it ran
     * @param stages          the stages of the whole verification
     * @param startedAtMillis when the verification started (wall clock: the JVMs share no other)
     */
    record Position(int stagesBefore, int stages, long startedAtMillis) {

        /** The system property that carries it. */
        static final String PROPERTY = "allocspec.verify.progress";

        /** The position the supervising JVM passed, or the start of a verification of {@code stages} stages. */
        static Position ofThisJvm(int stages) {
            String passed = System.getProperty(PROPERTY);
            if (passed == null) {
                return new Position(0, stages, System.currentTimeMillis());
            }
            String[] fields = passed.split(",");
            return new Position(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), Long.parseLong(fields[2]));
        }

        /** The property's value. */
        String encoded() {
            return stagesBefore + "," + stages + "," + startedAtMillis;
        }
    }

    private final PrintStream out;
    private final boolean interactive;
    private final long startedAtMillis;
    private final long estimateSeconds;
    private final int stages;
    private int stage;

    Progress(PrintStream out, boolean interactive, Position position, long estimateSeconds) {
        this.out = out;
        this.interactive = interactive;
        this.stage = position.stagesBefore();
        this.stages = position.stages();
        this.startedAtMillis = position.startedAtMillis();
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
        return (System.currentTimeMillis() - startedAtMillis) / 1000;
    }

    private static String format(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        return String.format("%02d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
