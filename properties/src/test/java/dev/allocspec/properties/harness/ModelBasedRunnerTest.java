package dev.allocspec.properties.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The harness on a toy subject: a bounded stack checked against {@link ArrayDeque}, with faults planted on cue. It
 * must find each fault, shrink it to the known minimal sequence, replay it from its seed, and pass a correct subject.
 */
class ModelBasedRunnerTest {

    /** The planted faults of the toy stack. */
    enum Fault { NONE, DROPS_THIRD_PUSH, REJECTS_LARGE_VALUES, DROPS_PUSHES_AFTER_300 }

    /** Pushes a toy stack serves before {@link Fault#DROPS_PUSHES_AFTER_300} begins: only a long life gets there. */
    static final int HEALTHY_PUSHES = 300;

    /** Model and system under test side by side. */
    static final class Twin {
        final Deque<Integer> model = new ArrayDeque<>();
        final List<Integer> system = new ArrayList<>();
        final Fault fault;
        int pushes;

        Twin(Fault fault) {
            this.fault = fault;
        }

        void systemPush(int value) {
            if (fault == Fault.DROPS_PUSHES_AFTER_300 && ++pushes > HEALTHY_PUSHES) {
                return;
            }
            if (fault == Fault.DROPS_THIRD_PUSH && system.size() == 2) {
                return;
            }
            if (fault == Fault.REJECTS_LARGE_VALUES && value >= 100) {
                throw new IllegalStateException("value too large: " + value);
            }
            system.add(value);
        }
    }

    record Push(int value) implements Action<Twin> {
        @Override
        public boolean precondition(Twin twin) {
            return true;
        }

        @Override
        public String run(Twin twin) {
            twin.model.push(value);
            twin.systemPush(value);
            return "ok (push)";
        }

        @Override
        public String kind() {
            return "push";
        }

        @Override
        public List<Action<Twin>> simplifications() {
            return value == 0 ? List.of() : List.of(new Push(0), new Push(value / 2), new Push(value - 1));
        }

        @Override
        public String toString() {
            return "push " + value;
        }
    }

    record Pop() implements Action<Twin> {
        @Override
        public boolean precondition(Twin twin) {
            return !twin.model.isEmpty();
        }

        @Override
        public String run(Twin twin) {
            int expected = twin.model.pop();
            int actual = twin.system.removeLast();
            if (expected != actual) {
                throw new AssertionError("popped " + actual + ", model popped " + expected);
            }
            return actual + " (pop)";
        }

        @Override
        public String kind() {
            return "pop";
        }

        @Override
        public String toString() {
            return "pop";
        }
    }

    record Peek() implements Action<Twin> {
        @Override
        public boolean precondition(Twin twin) {
            return true;
        }

        @Override
        public String run(Twin twin) {
            return "ok (peek)";
        }

        @Override
        public String kind() {
            return "peek";
        }

        @Override
        public String toString() {
            return "peek";
        }
    }

    static StateMachine<Twin> machine(Fault fault) {
        return machine(fault, Set.of());
    }

    /** The toy machine, reporting how deep the stack got as internal paths, and requiring {@code required}. */
    static StateMachine<Twin> machine(Fault fault, Set<String> required) {
        return new StateMachine<>() {
            @Override
            public String name() {
                return "toy stack with " + fault;
            }

            @Override
            public Twin newState() {
                return new Twin(fault);
            }

            @Override
            public List<Weighted<Twin>> actions() {
                return List.of(new Weighted<>(5, (t, r) -> new Push(r.nextInt(1000))),
                        new Weighted<>(2, (t, r) -> t.model.isEmpty() ? null : new Pop()),
                        new Weighted<>(3, (t, r) -> new Peek()));
            }

            @Override
            public void checkInvariants(Twin twin) {
                if (twin.model.size() != twin.system.size()) {
                    throw new AssertionError("size " + twin.system.size() + ", model size " + twin.model.size());
                }
            }

            @Override
            public Map<String, Long> internalPathCounts(Twin twin) {
                return Map.of("deep stack", twin.model.size() >= 10 ? 1L : 0L, "never", 0L);
            }

            @Override
            public Set<String> requiredPaths() {
                return required;
            }

            @Override
            public void dispose(Twin twin) {
            }
        };
    }

    private static final Settings SETTINGS = new Settings(200, 30, 42, OptionalLong.empty());

    @Test
    void correctSubjectHoldsAndCoverageIsCounted() {
        PropertyReport report = new ModelBasedRunner<>(machine(Fault.NONE), SETTINGS).check();
        assertThat(report.passed()).isTrue();
        assertThat(report.tries()).isEqualTo(200);
        assertThat(report.coverage().actions()).containsKeys("push", "pop", "peek");
        assertThat(report.coverage().outcomes()).containsKeys("push", "pop", "peek");
    }

    @Test
    void findsAStateDependentFaultAndShrinksItToTheThreePushesItNeeds() {
        Failure failure = new ModelBasedRunner<>(machine(Fault.DROPS_THIRD_PUSH), SETTINGS).check().failure()
                .orElseThrow();
        assertThat(failure.minimalLength()).as(failure.report()).isEqualTo(3);
        assertThat(failure.minimalLog()).allSatisfy(line -> assertThat(line).startsWith("push 0"));
        assertThat(failure.originalLength()).isGreaterThanOrEqualTo(3);
        assertThat(failure.report()).contains("Replay: -Dallocspec.pbt.replay=");
    }

    @Test
    void findsAnArgumentFaultAndShrinksTheArgumentTowardTheBoundary() {
        Failure failure = new ModelBasedRunner<>(machine(Fault.REJECTS_LARGE_VALUES), SETTINGS).check().failure()
                .orElseThrow();
        assertThat(failure.minimalLength()).as(failure.report()).isEqualTo(1);
        assertThat(failure.minimalLog().getFirst()).matches("push 1\\d\\d -> FAILS: value too large: 1\\d\\d");
        assertThat(failure.cause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void replaysAFailingTryExactlyFromItsSeed() {
        Failure first = new ModelBasedRunner<>(machine(Fault.DROPS_THIRD_PUSH), SETTINGS).check().failure()
                .orElseThrow();
        Settings replay = new Settings(1, SETTINGS.maxLength(), 0, OptionalLong.of(first.seed()));
        PropertyReport again = new ModelBasedRunner<>(machine(Fault.DROPS_THIRD_PUSH), replay).check();
        assertThat(again.tries()).isEqualTo(1);
        assertThat(again.failure()).get().satisfies(f -> {
            assertThat(f.originalLength()).isEqualTo(first.originalLength());
            assertThat(f.minimalLog()).isEqualTo(first.minimalLog());
        });
    }

    @Test
    void assertHoldsThrowsTheShrunkReportAndRegressionSequencesReplay() {
        ModelBasedRunner<Twin> runner = new ModelBasedRunner<>(machine(Fault.DROPS_THIRD_PUSH), SETTINGS);
        assertThatThrownBy(runner::assertHolds).isInstanceOf(PropertyFailure.class)
                .hasMessageContaining("shrunk to 3");
        assertThatThrownBy(() -> runner.assertSequenceHolds(List.of(new Push(1), new Pop(), new Push(2), new Push(3),
                new Push(4)))).isInstanceOf(PropertyFailure.class)
                .hasMessageContaining("push 4 -> ok (push); then FAILS");
        runner.assertSequenceHolds(List.of(new Push(1), new Push(2), new Pop(), new Pop(), new Pop()));
    }

    @Test
    void aFaultOfALongLifeIsFoundOnlyByLongTriesAndShrunkToTheStepsItNeeds() {
        assertThat(new ModelBasedRunner<>(machine(Fault.DROPS_PUSHES_AFTER_300), SETTINGS).check().passed())
                .as("short tries of at most 30 steps never get to push 301").isTrue();
        Settings withLongTries = SETTINGS.withLongTries(new Settings.LongTries(2, 1_000, 50));
        PropertyReport report = new ModelBasedRunner<>(machine(Fault.DROPS_PUSHES_AFTER_300), withLongTries).check();
        Failure failure = report.failure().orElseThrow();
        assertThat(failure.tryNumber()).as("a long try, after the 200 short ones").isGreaterThan(200);
        assertThat(failure.minimalLength()).as(failure.report()).isBetween(HEALTHY_PUSHES + 1, HEALTHY_PUSHES + 5);
        assertThat(failure.minimalLog()).as("every other kind of step removed").allSatisfy(line ->
                assertThat(line).startsWith("push"));
        assertThat(failure.replay()).contains("-Dallocspec.pbt.replayLong=true");
    }

    @Test
    void aPropertyWhoseRunsNeverReachARequiredPathFails() {
        PropertyReport reached = new ModelBasedRunner<>(machine(Fault.NONE, Set.of("deep stack")), SETTINGS).check();
        assertThat(reached.passed()).as(reached.summary()).isTrue();
        assertThat(reached.coverage().paths()).containsKey("deep stack");
        assertThat(reached.summary()).contains("internal paths {deep stack=");
        PropertyReport unreached = new ModelBasedRunner<>(machine(Fault.NONE, Set.of("deep stack", "never")),
                SETTINGS).check();
        assertThat(unreached.failure()).get().satisfies(f -> assertThat(f.cause().getMessage())
                .startsWith("coverage: ").contains("[never]"));
    }

    @Test
    void settingsComeFromSystemPropertiesAndRejectNonsense() {
        assertThat(Settings.forDepth("quick").tries()).isLessThan(Settings.forDepth("standard").tries());
        assertThat(Settings.forDepth("deep").tries()).isGreaterThan(Settings.forDepth("standard").tries());
        assertThatThrownBy(() -> Settings.forDepth("thorough")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quick, standard or deep");
        assertThatThrownBy(() -> new Settings(0, 10, 1, OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
