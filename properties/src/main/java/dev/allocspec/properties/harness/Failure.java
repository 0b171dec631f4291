package dev.allocspec.properties.harness;

import java.util.List;

/**
 * A property's failure after shrinking.
 *
 * @param property       the property's name
 * @param seed           the seed of the failing try: {@code -Dallocspec.pbt.replay=<hex>} runs exactly it again
 * @param tryNumber      which try failed (1-based)
 * @param originalLength actions in the failing sequence as generated
 * @param minimalLength  actions in the shrunk sequence
 * @param minimalLog     the shrunk sequence: one line per action with its outcome, the failing one last (or, for a
 *                       concurrent scenario, one line per thread)
 * @param cause          what the shrunk sequence fails with
 * @param shrinkRuns     replays the shrinking took
 * @param replay         the system properties that run exactly this try again
 */
public record Failure(String property, long seed, int tryNumber, int originalLength, int minimalLength,
                      List<String> minimalLog, Throwable cause, int shrinkRuns, String replay) {

    /** A failure whose log has one line per action, replayed by {@code replay}. */
    public Failure(String property, long seed, int tryNumber, int originalLength, List<String> minimalLog,
                   Throwable cause, int shrinkRuns, String replay) {
        this(property, seed, tryNumber, originalLength, minimalLog.size(), minimalLog, cause, shrinkRuns, replay);
    }

    /** A failure of a short try, one log line per action: {@code -Dallocspec.pbt.replay=<hex seed>} replays it. */
    public Failure(String property, long seed, int tryNumber, int originalLength, List<String> minimalLog,
                   Throwable cause, int shrinkRuns) {
        this(property, seed, tryNumber, originalLength, minimalLog, cause, shrinkRuns,
                "-Dallocspec.pbt.replay=" + Long.toHexString(seed));
    }

    /** The failure as a readable report. */
    public String report() {
        StringBuilder text = new StringBuilder();
        text.append("Property '").append(property).append("' failed on try ").append(tryNumber)
                .append(" (seed 0x").append(Long.toHexString(seed)).append(").\n")
                .append("Generated ").append(originalLength).append(" actions; shrunk to ").append(minimalLength())
                .append(" in ").append(shrinkRuns).append(" replays:\n");
        for (int i = 0; i < minimalLog.size(); i++) {
            text.append(String.format("  %2d. %s%n", i + 1, minimalLog.get(i)));
        }
        text.append("Failure: ").append(cause).append('\n');
        StackTraceElement[] frames = cause.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            text.append("    at ").append(frames[i]).append('\n');
        }
        text.append("Replay: ").append(replay).append('\n');
        return text.toString();
    }
}
