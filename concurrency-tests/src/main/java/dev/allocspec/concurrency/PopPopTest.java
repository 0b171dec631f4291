package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads pop a stack of one block (A) and, in the {@code Two} variants, of two blocks (A -> B): never the same
 * block twice, never a block lost, and a pop finds the stack empty only after the other pop took its last block (the
 * pops are linearizable: two pops of a two-block stack both get a block). r1, r2: the blocks popped (0 = A, 1 = B,
 * -1 = empty); r3: 1 if popped plus left over are exactly the blocks pushed.
 */
public class PopPopTest {

    /** The outcome texts, once for every variant (the last one forbidden). */
    private static final String ONE_WINS_A = "one pop wins A, the other finds the stack empty";
    private static final String EACH_ONE = "T1 pop A, T2 pop B, or the other way round";
    private static final String LOST_OR_TWICE =
            "both pops took the same block, a block vanished, or a pop found a stack empty that still held a block";

    /** The shared scenario. */
    static final class Scenario {
        final StackFixture fixture;
        final int blocks;

        Scenario(CasStrategy strategy, int blocks) {
            this.fixture = new StackFixture(strategy);
            this.blocks = blocks;
            fixture.pushInOrder(blocks == 1 ? new int[] {0} : new int[] {0, 1});
        }

        void t1(III_Result r) {
            r.r1 = fixture.index(fixture.stack.pop());
        }

        void t2(III_Result r) {
            r.r2 = fixture.index(fixture.stack.pop());
        }

        void arbiter(III_Result r) {
            r.r3 = fixture.accountedFor(blocks, List.of(r.r1, r.r2));
        }
    }

    @JCStressTest
    @Outcome(id = {"0, -1, 1", "-1, 0, 1"}, expect = ACCEPTABLE, desc = ONE_WINS_A)
    @Outcome(expect = FORBIDDEN, desc = LOST_OR_TWICE)
    @State
    public static class OneNative {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, 1);

        @Actor
        public void t1(III_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(III_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Outcome(id = {"0, -1, 1", "-1, 0, 1"}, expect = ACCEPTABLE, desc = ONE_WINS_A)
    @Outcome(expect = FORBIDDEN, desc = LOST_OR_TWICE)
    @State
    public static class OneLocked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, 1);

        @Actor
        public void t1(III_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(III_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Outcome(id = {"0, 1, 1", "1, 0, 1"}, expect = ACCEPTABLE, desc = EACH_ONE)
    @Outcome(expect = FORBIDDEN, desc = LOST_OR_TWICE)
    @State
    public static class TwoNative {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, 2);

        @Actor
        public void t1(III_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(III_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Outcome(id = {"0, 1, 1", "1, 0, 1"}, expect = ACCEPTABLE, desc = EACH_ONE)
    @Outcome(expect = FORBIDDEN, desc = LOST_OR_TWICE)
    @State
    public static class TwoLocked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, 2);

        @Actor
        public void t1(III_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(III_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }
}
