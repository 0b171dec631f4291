package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * One thread pushes B onto a stack holding A while another pops. r1: the block popped (0 = A, 1 = B); r2: 1 if the
 * popped block plus those left are exactly A and B.
 */
public class PushPopTest {

    /** The shared scenario. */
    static final class Scenario {
        final StackFixture fixture;

        Scenario(CasStrategy strategy) {
            this.fixture = new StackFixture(strategy);
            fixture.pushInOrder(0);
        }

        void t1(II_Result r) {
            fixture.stack.push(fixture.block(1));
        }

        void t2(II_Result r) {
            r.r1 = fixture.index(fixture.stack.pop());
        }

        void arbiter(II_Result r) {
            r.r2 = fixture.accountedFor(2, List.of(r.r1));
        }
    }

    @JCStressTest
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "T2 pop A before T1 push B")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "T1 push B, then T2 pop B")
    @Outcome(expect = FORBIDDEN, desc = "a block popped twice or lost between the push and the pop")
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
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "T2 pop A before T1 push B")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "T1 push B, then T2 pop B")
    @Outcome(expect = FORBIDDEN, desc = "a block popped twice or lost between the push and the pop")
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
