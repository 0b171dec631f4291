package dev.allocspec.properties.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Checks a {@link StateMachine} property: generates action sequences from seeded randomness, runs them checking
 * postconditions and invariants after every step, and shrinks the first failure to a minimal sequence.
 *
 * <p>Shrinking alternates two passes until neither makes progress: delete chunks of actions (delta debugging: halves,
 * quarters, ... single actions), then replace single actions by their {@linkplain Action#simplifications() simpler
 * variants}. A candidate counts as failing only with the same failure signature (exception type and invariant ID), so
 * shrinking cannot slide into a different bug. Replays skip actions whose precondition no longer holds.
 *
 * @param <S> the run's state
 */
public final class ModelBasedRunner<S> {

    private static final int MAX_SHRINK_RUNS = 3_000;
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
        int tries = settings.replaySeed().isPresent() ? 1 : settings.tries();
        SplittableRandom seeds = new SplittableRandom(settings.baseSeed());
        for (int t = 1; t <= tries; t++) {
            long seed = settings.replaySeed().isPresent() ? settings.replaySeed().getAsLong() : seeds.nextLong();
            Run<S> run = generateAndRun(seed, coverage);
            steps += run.actions.size();
            if (run.cause != null) {
                return new PropertyReport(machine.name(), t, steps, coverage,
                        Optional.of(shrink(seed, t, run.actions, run.cause)));
            }
        }
        return new PropertyReport(machine.name(), tries, steps, coverage, Optional.empty());
    }

    /** The actions run, and what the last one failed with (null if none failed). */
    private record Run<S>(List<Action<S>> actions, List<String> log, Throwable cause) {
    }

    private Run<S> generateAndRun(long seed, Coverage coverage) {
        SplittableRandom random = new SplittableRandom(seed);
        int length = 1 + random.nextInt(settings.maxLength());
        List<Action<S>> actions = new ArrayList<>();
        List<String> log = new ArrayList<>();
        S state = machine.newState();
        try {
            for (int i = 0; i < length; i++) {
                Action<S> action = pick(state, random);
                if (action == null) {
                    break;
                }
                actions.add(action);
                String outcome = action.run(state);
                coverage.record(action, outcome);
                log.add(action + " -> " + outcome);
                machine.checkInvariants(state);
            }
            return new Run<>(actions, log, null);
        } catch (AssertionError | RuntimeException | OutOfMemoryError failure) {
            return new Run<>(actions, log, failure);
        } finally {
            machine.dispose(state);
        }
    }

    private Action<S> pick(S state, SplittableRandom random) {
        List<StateMachine.Weighted<S>> kinds = machine.actions();
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
                machine.checkInvariants(state);
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

    private Failure shrink(long seed, int tryNumber, List<Action<S>> failing, Throwable cause) {
        String signature = signature(cause);
        List<Action<S>> current = List.copyOf(failing);
        int runs = 0;
        boolean progress = true;
        while (progress && runs < MAX_SHRINK_RUNS) {
            progress = false;
            for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && runs < MAX_SHRINK_RUNS; chunk /= 2) {
                int start = 0;
                while (start + chunk <= current.size() && runs < MAX_SHRINK_RUNS) {
                    List<Action<S>> candidate = new ArrayList<>(current.subList(0, start));
                    candidate.addAll(current.subList(start + chunk, current.size()));
                    runs++;
                    Run<S> run = replay(candidate);
                    if (run.cause != null && signature(run.cause).equals(signature)) {
                        current = run.actions;
                        progress = true;
                    } else {
                        start += chunk;
                    }
                }
            }
            for (int i = 0; i < current.size() && runs < MAX_SHRINK_RUNS; i++) {
                for (Action<S> simpler : current.get(i).simplifications()) {
                    List<Action<S>> candidate = new ArrayList<>(current);
                    candidate.set(i, simpler);
                    runs++;
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
        return new Failure(machine.name(), seed, tryNumber, failing.size(), minimal.log, finalCause, runs);
    }

    /** Exception type and, for invariant violations, the invariant ID: what must stay the same while shrinking. */
    static String signature(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int idEnd = message.indexOf(' ');
        String id = message.startsWith("INV-") && idEnd > 0 ? message.substring(0, idEnd) : "";
        return failure.getClass().getName() + " " + id;
    }
}
