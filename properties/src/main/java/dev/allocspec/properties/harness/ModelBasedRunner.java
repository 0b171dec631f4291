package dev.allocspec.properties.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Checks a {@link StateMachine} property: generates action sequences from seeded randomness, runs them checking
 * postconditions and invariants after every step, and shrinks the first failure to a minimal sequence.
 *
 * <p>Short tries (many, each on a fresh state) come first; then a few long-lived tries ({@link Settings.LongTries}):
 * thousands of steps on one state, from the machine's {@link StateMachine#longLivedActions() long-lived actions},
 * with its cheap checks after every step and the full invariant walk every few steps. A property whose runs never
 * reached an internal path the machine {@linkplain StateMachine#requiredPaths() requires} fails too.
 *
 * <p>Shrinking repeats three passes until none makes progress: delete every action of one kind at once (which takes a
 * long try's hundreds of irrelevant steps out in one replay), delete chunks of actions (delta debugging: halves,
 * quarters, ... single actions), then replace single actions by their {@linkplain Action#simplifications() simpler
 * variants}. A candidate counts as failing only with the same failure signature (exception type and invariant ID), so
 * shrinking cannot slide into a different bug. Replays skip actions whose precondition no longer holds.
 *
 * @param <S> the run's state
 */
public final class ModelBasedRunner<S> {

    private static final int MAX_SHRINK_RUNS = 3_000;
    /**
     * Actions replayed while shrinking, at most: a long try's counterexample costs hundreds of steps a replay, so its
     * shrinking stops on this budget (a few seconds) rather than on the count of replays.
     */
    private static final long MAX_SHRINK_STEPS = 150_000;
    private static final int GENERATION_ATTEMPTS = 32;

    private final StateMachine<S> machine;
    private final Settings settings;

    /** A runner for {@code machine} with {@code settings}. */
    public ModelBasedRunner(StateMachine<S> machine, Settings settings) {
        this.machine = machine;
        this.settings = settings;
    }

    /** A runner with the settings the system properties ask for. */
    public static <S> ModelBasedRunner<S> of(StateMachine<S> machine) {
        return new ModelBasedRunner<>(machine, Settings.fromSystemProperties());
    }

    /**
     * Checks the property and prints its summary (coverage included).
     *
     * @throws PropertyFailure with the shrunk counterexample, if it fails
     */
    public PropertyReport assertHolds() {
        PropertyReport report = check();
        System.out.println(report.summary());
        if (report.failure().isPresent()) {
            throw new PropertyFailure(report.failure().get());
        }
        return report;
    }

    /**
     * Runs one fixed sequence, as a regression test of a counterexample found before: actions whose precondition does
     * not hold are skipped, invariants are checked after every step.
     *
     * @throws PropertyFailure if the sequence fails
     */
    public void assertSequenceHolds(List<Action<S>> actions) {
        Run<S> run = replay(actions);
        if (run.cause != null) {
            throw new PropertyFailure(new Failure(machine.name(), 0, 1, actions.size(), run.log, run.cause, 0));
        }
    }

    /** Checks the property and returns the report, failed or not. */
    public PropertyReport check() {
        Coverage coverage = new Coverage();
        long steps = 0;
        boolean replaying = settings.replaySeed().isPresent();
        int tries = replaying ? 1 : settings.tries() + settings.longTries().count();
        SplittableRandom seeds = new SplittableRandom(settings.baseSeed());
        for (int t = 1; t <= tries; t++) {
            // Long tries come after the short ones, so a short try's seed does not depend on them.
            boolean longLived = replaying ? settings.replayLong() : t > settings.tries();
            long seed = replaying ? settings.replaySeed().getAsLong() : seeds.nextLong();
            Run<S> run = generateAndRun(seed, longLived, coverage);
            steps += run.actions.size();
            if (run.cause != null) {
                return new PropertyReport(machine.name(), t, steps, coverage,
                        Optional.of(shrink(seed, t, longLived, run.actions, run.cause)));
            }
        }
        return new PropertyReport(machine.name(), tries, steps, coverage, unreachedPaths(coverage, tries));
    }

    /** A failure when the runs never reached a path the machine requires; empty when they reached all. */
    private Optional<Failure> unreachedPaths(Coverage coverage, int tries) {
        List<String> unreached = machine.requiredPaths().stream().sorted()
                .filter(path -> coverage.paths().getOrDefault(path, 0L) == 0).toList();
        if (unreached.isEmpty() || settings.replaySeed().isPresent()) {
            return Optional.empty();
        }
        AssertionError cause = new AssertionError("coverage: " + tries + " tries never reached the internal path(s) "
                + unreached + " (reached: " + coverage.paths() + "), so a fault there would go unseen: lower the "
                + "subject's thresholds or lengthen the runs");
        return Optional.of(new Failure(machine.name(), settings.baseSeed(), tries, 0,
                List.of("(no counterexample: the runs did not reach every required path)"), cause, 0,
                "-Dallocspec.pbt.seed=" + settings.baseSeed()));
    }

    /** The actions run, and what the last one failed with (null if none failed). */
    private record Run<S>(List<Action<S>> actions, List<String> log, Throwable cause) {
    }

    private Run<S> generateAndRun(long seed, boolean longLived, Coverage coverage) {
        SplittableRandom random = new SplittableRandom(seed);
        int length = longLived ? settings.longTries().length() : 1 + random.nextInt(settings.maxLength());
        List<StateMachine.Weighted<S>> kinds = longLived ? machine.longLivedActions() : machine.actions();
        int fullCheckEvery = fullCheckEvery(length);
        List<Action<S>> actions = new ArrayList<>();
        List<String> log = new ArrayList<>();
        S state = machine.newState();
        try {
            for (int i = 0; i < length; i++) {
                Action<S> action = pick(state, random, kinds);
                if (action == null) {
                    break;
                }
                actions.add(action);
                String outcome = action.run(state);
                coverage.record(action, outcome);
                log.add(action + " -> " + outcome);
                check(state, i, fullCheckEvery);
            }
            if (fullCheckEvery > 1) {
                machine.checkInvariants(state);
            }
            return new Run<>(actions, log, null);
        } catch (AssertionError | RuntimeException | OutOfMemoryError failure) {
            return new Run<>(actions, log, failure);
        } finally {
            coverage.recordPaths(machine.internalPathCounts(state));
            machine.dispose(state);
        }
    }

    /** Steps between full invariant walks for a sequence of {@code length}: every step, unless it is a long one. */
    private int fullCheckEvery(int length) {
        return length > settings.maxLength() ? settings.longTries().fullCheckEvery() : 1;
    }

    /** The checks after step {@code index} (0-based): the full walk every {@code fullCheckEvery} steps, else cheap. */
    private void check(S state, int index, int fullCheckEvery) {
        if ((index + 1) % fullCheckEvery == 0) {
            machine.checkInvariants(state);
        } else {
            machine.checkCheapInvariants(state);
        }
    }

    private Action<S> pick(S state, SplittableRandom random, List<StateMachine.Weighted<S>> kinds) {
        int total = kinds.stream().mapToInt(StateMachine.Weighted::weight).sum();
        for (int attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
            int ticket = random.nextInt(total);
            for (StateMachine.Weighted<S> kind : kinds) {
                ticket -= kind.weight();
                if (ticket < 0) {
                    Action<S> action = kind.source().generate(state, random);
                    if (action != null && action.precondition(state)) {
                        return action;
                    }
                    break;
                }
            }
        }
        return null;
    }

    /** Replays a fixed sequence on a fresh state, skipping actions whose precondition does not hold. */
    private Run<S> replay(List<Action<S>> actions) {
        List<Action<S>> ran = new ArrayList<>();
        List<String> log = new ArrayList<>();
        int fullCheckEvery = fullCheckEvery(actions.size());
        S state = machine.newState();
        try {
            for (Action<S> action : actions) {
                if (!action.precondition(state)) {
                    continue;
                }
                ran.add(action);
                log.add(action + " -> FAILS");
                String outcome = action.run(state);
                log.set(log.size() - 1, action + " -> " + outcome);
                check(state, ran.size() - 1, fullCheckEvery);
            }
            if (fullCheckEvery > 1) {
                log.add("(full invariant walk at the end) -> FAILS");
                machine.checkInvariants(state);
                log.removeLast();
            }
            return new Run<>(ran, log, null);
        } catch (AssertionError | RuntimeException | OutOfMemoryError failure) {
            String firstLine = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
            log.set(log.size() - 1, log.getLast() + (log.getLast().endsWith("FAILS") ? ": " : "; then FAILS: ")
                    + firstLine);
            return new Run<>(ran, log, failure);
        } finally {
            machine.dispose(state);
        }
    }

    private Failure shrink(long seed, int tryNumber, boolean longLived, List<Action<S>> failing, Throwable cause) {
        String signature = signature(cause);
        List<Action<S>> current = List.copyOf(failing);
        ShrinkBudget budget = new ShrinkBudget();
        boolean progress = true;
        while (progress && budget.left()) {
            progress = false;
            for (String kind : current.stream().map(Action::kind).distinct().toList()) {
                List<Action<S>> candidate = current.stream().filter(a -> !a.kind().equals(kind)).toList();
                if (candidate.isEmpty() || !budget.left()) {
                    continue;
                }
                budget.spend(candidate.size());
                Run<S> run = replay(candidate);
                if (run.cause != null && signature(run.cause).equals(signature)) {
                    current = run.actions;
                    progress = true;
                }
            }
            for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && budget.left(); chunk /= 2) {
                int start = 0;
                while (start + chunk <= current.size() && budget.left()) {
                    List<Action<S>> candidate = new ArrayList<>(current.subList(0, start));
                    candidate.addAll(current.subList(start + chunk, current.size()));
                    budget.spend(candidate.size());
                    Run<S> run = replay(candidate);
                    if (run.cause != null && signature(run.cause).equals(signature)) {
                        current = run.actions;
                        progress = true;
                    } else {
                        start += chunk;
                    }
                }
            }
            for (int i = 0; i < current.size() && budget.left(); i++) {
                for (Action<S> simpler : current.get(i).simplifications()) {
                    List<Action<S>> candidate = new ArrayList<>(current);
                    candidate.set(i, simpler);
                    budget.spend(candidate.size());
                    Run<S> run = replay(candidate);
                    if (run.cause != null && signature(run.cause).equals(signature)) {
                        current = run.actions;
                        progress = true;
                        break;
                    }
                }
            }
        }
        Run<S> minimal = replay(current);
        Throwable finalCause = minimal.cause != null ? minimal.cause : cause; // a flaky failure keeps its first cause
        String replay = "-Dallocspec.pbt.replay=" + Long.toHexString(seed) + (longLived
                ? " -Dallocspec.pbt.replayLong=true (a long-lived try of " + settings.longTries().length() + " steps)"
                : "");
        return new Failure(machine.name(), seed, tryNumber, failing.size(), minimal.log, finalCause, budget.runs,
                replay);
    }

    /** What shrinking may still spend: replays, and actions replayed. */
    private static final class ShrinkBudget {
        int runs;
        long steps;

        boolean left() {
            return runs < MAX_SHRINK_RUNS && steps < MAX_SHRINK_STEPS;
        }

        void spend(int length) {
            runs++;
            steps += length;
        }
    }

    /** Exception type and, for invariant violations, the invariant ID: what must stay the same while shrinking. */
    static String signature(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int idEnd = message.indexOf(' ');
        String id = message.startsWith("INV-") && idEnd > 0 ? message.substring(0, idEnd) : "";
        return failure.getClass().getName() + " " + id;
    }
}
