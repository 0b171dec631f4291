package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.FreeStack;
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
 * The ABA schedule on the free stack. The stack holds A -> B -> C. T1 pops once; T2 pops twice and pushes its first
 * block back. If T1 reads top = A and A.next = B, stalls while T2 pops A, pops B and pushes A, then CASes, a stack
 * without a stamp installs B, which T2 owns. With the stamp T1's CAS fails and it retries.
 *
 * <p>r1: T1's block, r2: the block T2 keeps (0 = A, 1 = B, 2 = C), r3: 1 if the blocks owned plus those left on the
 * stack are A, B and C exactly once each. The {@code *Widened} variants stall T1 for 20 µs between its read and its
 * CAS (through the pop probe), the same window the unstamped negative control gets (see NegativeControlAbaTest).
 *
 * <p>Results on this machine (2-core AMD EPYC, JDK 25, -m quick): see the issue notes; no FORBIDDEN outcome in any
 * variant.
 */
public class AbaStackTest {

    /** The outcome texts, once for every variant (and the negative control's). */
    static final String T1_FIRST = "T1 pop A, then T2 pop B+pop C+push B";
    static final String T2_FIRST = "T2 pop A+pop B+push A, then T1 pop A";
    static final String T2_FIRST_IN_WINDOW =
            "T2 pop A+pop B+push A (inside T1's window: T1's stale CAS failed), then T1 pop A";
    static final String T1_TAKES_B = "T2 pop A, T1 pop B, T2 pop C+push A";
    static final String T1_TAKES_C = "T2 pop A+pop B, T1 pop C, T2 push A";
    static final String STALE_CAS_WON = "T1 read {s, A}, T2 pop A+pop B+push A, T1 CAS: B owned twice or a block lost";

    private static final long WINDOW_NANOS = 20_000;

    /** The shared scenario: T1's pop, T2's pop-pop-push, the arbiter's accounting. */
    static final class Scenario {
        final StackFixture fixture;
        volatile Thread t1;

        Scenario(CasStrategy strategy, boolean widened) {
            this(strategy, widened ? FreeStack::new : (top, links, probe) -> new FreeStack(top, links));
        }

        /** A scenario over a stack the factory builds, given the probe that widens T1's window. */
        Scenario(CasStrategy strategy, StackFixture.StackMaker make) {
            this.fixture = new StackFixture(strategy, this::stallT1, make);
            fixture.pushInOrder(0, 1, 2);
        }

        /** Probe: holds T1 between its read of the top and its CAS, so T2's three operations fit in the window. */
        void stallT1(long node, long next) {
            if (Thread.currentThread() == t1) {
                long until = System.nanoTime() + WINDOW_NANOS;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }

        void t1(III_Result r) {
            t1 = Thread.currentThread();
            r.r1 = fixture.index(fixture.stack.pop());
        }

        void t2(III_Result r) {
            long first = fixture.stack.pop();
            long second = fixture.stack.pop();
            fixture.stack.push(first);
            r.r2 = fixture.index(second);
        }

        void arbiter(III_Result r) {
            r.r3 = fixture.accountedFor(3, List.of(r.r1, r.r2));
        }
    }

    @JCStressTest
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = T1_TAKES_B)
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = T1_TAKES_C)
    @Outcome(expect = FORBIDDEN, desc = STALE_CAS_WON)
    @State
    public static class Native {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, false);

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
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = T1_TAKES_B)
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = T1_TAKES_C)
    @Outcome(expect = FORBIDDEN, desc = STALE_CAS_WON)
    @State
    public static class Locked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, false);

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
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T2_FIRST_IN_WINDOW)
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = T1_TAKES_B)
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = T1_TAKES_C)
    @Outcome(expect = FORBIDDEN, desc = STALE_CAS_WON)
    @State
    public static class NativeWidened {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, true);

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
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T2_FIRST_IN_WINDOW)
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = T1_TAKES_B)
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = T1_TAKES_C)
    @Outcome(expect = FORBIDDEN, desc = STALE_CAS_WON)
    @State
    public static class LockedWidened {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, true);

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
