package dev.allocspec.properties.concurrent;

import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A concurrency property: generated {@link Scenario}s, each run several times (schedules vary from run to run), and
 * the first failing one shrunk by deleting operations, chunks first, while it still fails within the same number of
 * runs. A shrunk scenario is evidence, not a deterministic replay: the schedule that broke it is not recorded.
 */
public final class ConcurrentProperty {

    private static final int MAX_SHRINK_CANDIDATES = 200;

    private final String name;
    private final ScenarioRunner runner;
    private final int repetitions;
    private final int maxOpsPerThread;
    private final Set<String> requiredPaths;

    /**
     * @param name            the property's name for reports
     * @param runner          runs one scenario on a fresh allocator
     * @param repetitions     runs per scenario
     * @param maxOpsPerThread the longest operation list of one thread
     */
    public ConcurrentProperty(String name, ScenarioRunner runner, int repetitions, int maxOpsPerThread) {
        this(name, runner, repetitions, maxOpsPerThread, Set.of());
    }

    private ConcurrentProperty(String name, ScenarioRunner runner, int repetitions, int maxOpsPerThread,
                               Set<String> requiredPaths) {
        this.name = name;
        this.runner = runner;
        this.repetitions = repetitions;
        this.maxOpsPerThread = maxOpsPerThread;
        this.requiredPaths = Set.copyOf(requiredPaths);
    }

    /**
     * The same property, failing unless its runs reach each of these internal paths of the allocator
     * ({@link dev.allocspec.spec.InternalPaths}), e.g. the reclaim of an ended thread's cache.
     */
    public ConcurrentProperty requiring(Set<String> paths) {
        return new ConcurrentProperty(name, runner, repetitions, maxOpsPerThread, paths);
    }

    /** Runs {@code settings.tries()} scenarios; the shrunk failure, if any. */
    public Optional<Failure> check(Settings settings) {
        SplittableRandom seeds = new SplittableRandom(settings.baseSeed());
        for (int t = 1; t <= settings.tries(); t++) {
            long seed = seeds.nextLong();
            Scenario scenario = Scenario.generate(new SplittableRandom(seed), maxOpsPerThread);
            Optional<Throwable> failure = runner.run(scenario, repetitions);
            if (failure.isPresent()) {
                return Optional.of(shrink(seed, t, scenario, failure.get()));
            }
        }
        return unreachedPaths(settings);
    }

    /** How often each internal path of the allocator ran over this property's runs (its coverage line). */
    public Map<String, Long> pathCounts() {
        return runner.pathCounts();
    }

    private Optional<Failure> unreachedPaths(Settings settings) {
        List<String> unreached = requiredPaths.stream().sorted()
                .filter(path -> runner.pathCounts().getOrDefault(path, 0L) == 0).toList();
        if (unreached.isEmpty()) {
            return Optional.empty();
        }
        AssertionError cause = new AssertionError("coverage: " + settings.tries() + " scenarios never reached the "
                + "internal path(s) " + unreached + " (reached: " + runner.pathCounts() + "), so a fault there would "
                + "go unseen");
        return Optional.of(new Failure(name, settings.baseSeed(), settings.tries(), 0,
                List.of("(no counterexample: the runs did not reach every required path)"), cause, 0));
    }

    private Failure shrink(long seed, int tryNumber, Scenario failing, Throwable cause) {
        Scenario current = failing;
        Throwable currentCause = cause;
        int candidates = 0;
        boolean progress = true;
        while (progress && candidates < MAX_SHRINK_CANDIDATES) {
            progress = false;
            for (Scenario smaller : smallerThan(current)) {
                if (++candidates > MAX_SHRINK_CANDIDATES) {
                    break;
                }
                Optional<Throwable> failure = runner.run(smaller, repetitions);
                if (failure.isPresent() && sameKind(failure.get(), cause)) {
                    current = smaller;
                    currentCause = failure.get();
                    progress = true;
                    break;
                }
            }
        }
        List<String> lines = current.describe().lines().toList();
        return new Failure(name, seed, tryNumber, failing.size(), lines, currentCause, candidates);
    }

    /** Scenarios with a chunk of one list deleted: halves first, then single operations. */
    private static List<Scenario> smallerThan(Scenario scenario) {
        List<Scenario> smaller = new ArrayList<>();
        List<List<Scenario.Op>> lists = new ArrayList<>();
        lists.add(scenario.prefix());
        lists.addAll(scenario.threads());
        for (int l = 0; l < lists.size(); l++) {
            List<Scenario.Op> ops = lists.get(l);
            for (int chunk = Math.max(1, ops.size() / 2); chunk >= 1; chunk /= 2) {
                for (int start = 0; start + chunk <= ops.size(); start += chunk) {
                    List<Scenario.Op> shorter = new ArrayList<>(ops.subList(0, start));
                    shorter.addAll(ops.subList(start + chunk, ops.size()));
                    List<List<Scenario.Op>> copy = new ArrayList<>(lists);
                    copy.set(l, shorter);
                    smaller.add(new Scenario(copy.getFirst(), copy.subList(1, copy.size())));
                }
                if (chunk == 1) {
                    break;
                }
            }
        }
        return smaller;
    }

    private static boolean sameKind(Throwable a, Throwable b) {
        return a.getClass() == b.getClass() && String.valueOf(a.getMessage()).split(" ")[0]
                .equals(String.valueOf(b.getMessage()).split(" ")[0]);
    }
}
