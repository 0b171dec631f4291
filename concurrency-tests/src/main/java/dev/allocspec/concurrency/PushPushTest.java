package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads push a block each onto an empty stack: nothing is lost. r1: blocks on the stack afterwards, r2: 1 if
 * they are exactly A and B. The negative control with a push that gives up when its CAS fails loses one
 * (NegativeControlLostPushTest).
 */
public class PushPushTest {

    /** The outcome texts, once for every variant (and the negative control's). */
    static final String BOTH_PUSHED = "T1 push A, T2 push B (either order): both on the stack";
    static final String PUSH_LOST = "T1 read top, T2 push, T1 CAS failed and its block was lost";

    /** The shared scenario. */
    static final class Scenario {
        final StackFixture fixture;

        Scenario(CasStrategy strategy) {
            this(new StackFixture(strategy));
        }

        Scenario(StackFixture fixture) {
            this.fixture = fixture;
        }

        void t1(II_Result r) {
            fixture.stack.push(fixture.block(0));
        }

        void t2(II_Result r) {
            fixture.stack.push(fixture.block(1));
        }

        void arbiter(II_Result r) {
            java.util.List<Integer> left = fixture.drain();
            r.r1 = left.size();
            r.r2 = left.size() == 2 && left.contains(0) && left.contains(1) ? 1 : 0;
        }
    }

    @JCStressTest
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = BOTH_PUSHED)
    @Outcome(expect = FORBIDDEN, desc = PUSH_LOST)
    @State
    public static class Native {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128);

        @Actor
        public void t1(II_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(II_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = BOTH_PUSHED)
    @Outcome(expect = FORBIDDEN, desc = PUSH_LOST)
    @State
    public static class Locked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED);

        @Actor
        public void t1(II_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(II_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            s.arbiter(r);
        }
    }
}
