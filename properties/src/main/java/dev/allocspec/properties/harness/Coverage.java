package dev.allocspec.properties.harness;

import java.util.Map;
import java.util.TreeMap;

/** What a property's runs exercised: actions by kind and outcomes by label (size classes, errors). */
public final class Coverage {

    private final Map<String, Long> actions = new TreeMap<>();
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Long> paths = new TreeMap<>();

    void record(Action<?> action, String outcome) {
        actions.merge(action.kind(), 1L, Long::sum);
        outcomes.merge(label(outcome), 1L, Long::sum);
    }

    /** Adds one run's counts of the subject's internal paths. */
    void recordPaths(Map<String, Long> counts) {
        counts.forEach((path, count) -> paths.merge(path, count, Long::sum));
    }

    /** How often each internal path of the subject ran, over all runs (empty when the subject does not say). */
    public Map<String, Long> paths() {
        return Map.copyOf(paths);
    }

    /** Actions taken, by kind. */
    public Map<String, Long> actions() {
        return Map.copyOf(actions);
    }

    /** Outcomes seen, by label: the part in parentheses, or the outcome itself when it has none. */
    public Map<String, Long> outcomes() {
        return Map.copyOf(outcomes);
    }

    private static String label(String outcome) {
        int open = outcome.indexOf('(');
        int close = outcome.lastIndexOf(')');
        return open >= 0 && close > open ? outcome.substring(open + 1, close) : outcome;
    }

    @Override
    public String toString() {
        return "actions " + actions + "\n  outcomes " + outcomes
                + (paths.isEmpty() ? "" : "\n  internal paths " + paths);
    }
}
