package dev.allocspec.properties.concurrent;

import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * A concurrency property: generated {@link Scenario}s, each run several times (schedules vary from run to run), and
 * the first failing one shrunk (whole threads, then work moved into the sequential prefix, then operations within
 * each thread) while it still fails within the same number of runs. A shrunk scenario is evidence, not a deterministic
 * replay: the schedule that broke it is not recorded; {@code -Dallocspec.pbt.replay=<seed>} generates the same
 * scenario again and runs it.
 */
public final class ConcurrentProperty {

    /** Candidate scenarios shrinking may run, each up to {@code repetitions} times. */
    private static final int MAX_SHRINK_CANDIDATES = 1_000;

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
        int tries = settings.replaySeed().isPresent() ? 1 : settings.tries();
        for (int t = 1; t <= tries; t++) {
            long seed = settings.replaySeed().isPresent() ? settings.replaySeed().getAsLong() : seeds.nextLong();
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

    /**
     * Shrinks a failing scenario, coarse to fine, while the same kind of failure still shows within the same number
     * of runs: drop whole threads; move a thread's work into the sequential prefix (a fault that needs no
     * concurrency then shows in one thread); delete chunks of operations within each list (delta debugging per thread:
     * halves, quarters, ... single operations). Repeats until no pass makes progress or the budget is spent.
     */
    private Failure shrink(long seed, int tryNumber, Scenario failing, Throwable cause) {
        Shrinking shrinking = new Shrinking(failing, cause);
        boolean progress = true;
        while (progress && shrinking.budgetLeft()) {
            progress = eachThread(shrinking, Scenario::withoutThread)
                    | eachThread(shrinking, Scenario::withThreadInPrefix) | deleteChunks(shrinking);
        }
        List<String> lines = shrinking.current.describe().lines().toList();
        return new Failure(name, seed, tryNumber, failing.size(), shrinking.current.size(), lines,
                shrinking.currentCause, shrinking.candidates, "-Dallocspec.pbt.replay=" + Long.toHexString(seed));
    }

    /** The scenario being shrunk, what it fails with, and the candidates tried so far. */
    private final class Shrinking {
        final Throwable cause;
        Scenario current;
        Throwable currentCause;
        int candidates;

        Shrinking(Scenario failing, Throwable cause) {
            this.cause = cause;
            this.current = failing;
            this.currentCause = cause;
        }

        boolean budgetLeft() {
            return candidates < MAX_SHRINK_CANDIDATES;
        }

        /** Runs the candidate; keeps it as the current scenario if it fails the same way. */
        boolean tryCandidate(Scenario candidate) {
            if (!budgetLeft()) {
                return false;
            }
            candidates++;
            Optional<Throwable> failure = runner.run(candidate, repetitions);
            if (failure.isPresent() && sameKind(failure.get(), cause)) {
                current = candidate;
                currentCause = failure.get();
                return true;
            }
            return false;
        }
    }

    /** Tries {@code change} (drop the thread, move it into the prefix) on each thread, the last first. */
    private static boolean eachThread(Shrinking shrinking, BiFunction<Scenario, Integer, Scenario> change) {
        boolean progress = false;
        for (int t = shrinking.current.threads().size() - 1; t >= 0; t--) {
            if (t < shrinking.current.threads().size()) {
                progress |= shrinking.tryCandidate(change.apply(shrinking.current, t));
            }
        }
        return progress;
    }

    /** Delta debugging within each list (the prefix is list 0, thread t is list t + 1). */
    private static boolean deleteChunks(Shrinking shrinking) {
        boolean progress = false;
        for (int list = 0; list <= shrinking.current.threads().size(); list++) {
            for (int chunk = Math.max(1, shrinking.current.list(list).size() / 2); chunk >= 1
                    && shrinking.budgetLeft(); chunk /= 2) {
                int start = 0;
                while (start + chunk <= shrinking.current.list(list).size() && shrinking.budgetLeft()) {
                    if (shrinking.tryCandidate(shrinking.current.withoutOps(list, start, chunk))) {
                        progress = true;
                    } else {
                        start += chunk;
                    }
                }
            }
        }
        return progress;
    }

    private static boolean sameKind(Throwable a, Throwable b) {
        return a.getClass() == b.getClass() && String.valueOf(a.getMessage()).split(" ")[0]
                .equals(String.valueOf(b.getMessage()).split(" ")[0]);
    }
}
