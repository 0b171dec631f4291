package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.StackTopLayout;
import dev.allocspec.impl.StampedTop;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.Arena;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The stamped top's read-compare-write is exclusive and never torn, for the locked fallback (jalib's futex + memcpy)
 * and the native instruction alike: two threads CAS the same expected {stamp 0, node 0} to pairs of their own ({1,
 * A} and {1, B}). Exactly one wins, and the top afterwards is the winner's pair, whole. r1, r2: 1 if that thread's
 * CAS succeeded; r3: 1 if the top holds T1's pair, 2 if T2's, 0 for anything else (a torn mix).
 */
public class TopExclusivityTest {

    /** The shared scenario. */
    static final class Scenario {
        private static final long NODE_A = 0x1000;
        private static final long NODE_B = 0x2000;
        final StampedTop top;

        Scenario(CasStrategy strategy) {
            this.top = StampedTop.over(Arena.ofAuto().allocate(StackTopLayout.PADDED_SIZE, StackTopLayout.ALIGNMENT),
                    strategy);
        }

        void t1(III_Result r) {
            r.r1 = top.casTop(0, 0, 1, NODE_A) ? 1 : 0;
        }

        void t2(III_Result r) {
            r.r2 = top.casTop(0, 0, 1, NODE_B) ? 1 : 0;
        }

        void arbiter(III_Result r) {
            long stamp = top.laStamp();
            long node = top.laNode();
            r.r3 = stamp != 1 ? 0 : node == NODE_A ? 1 : node == NODE_B ? 2 : 0;
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "T1 CAS {0,0}->{1,A} wins, T2's CAS sees {1,A} and fails")
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "T2 CAS {0,0}->{1,B} wins, T1's CAS sees {1,B} and fails")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the top is a torn mix of the two pairs")
    @State
    public static class Native {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128);

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
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "T1 CAS {0,0}->{1,A} wins, T2's CAS sees {1,A} and fails")
    @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "T2 CAS {0,0}->{1,B} wins, T1's CAS sees {1,B} and fails")
    @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the top is a torn mix of the two pairs")
    @State
    public static class Locked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED);

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
