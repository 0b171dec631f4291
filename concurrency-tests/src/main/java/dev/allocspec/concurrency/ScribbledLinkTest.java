package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.FreeStack;
import dev.allocspec.spec.InvariantViolation;
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
 * A pop that reads a new owner's data where the link was: the stack holds A -> B. T1 pops with the allocator's link
 * guard; T2 pops and, as the block's new owner, writes an address of nothing mapped (0x40) over its first eight bytes,
 * where the link lived. If T1 read the top before T2's pop and A's link after T2's write, the guard refuses the link,
 * and T1 must see that the top moved and start over, not report corruption (nor follow 0x40). The {@code *Widened}
 * variants stall T1 for 20 µs between its read of the top and its read of the link (through the pop probe), so that
 * T2's pop and write land in that window; the negative control (see NegativeControlScribbledLinkTest) gets the same
 * window.
 *
 * <p>r1: T1's block (0 = A, 1 = B; -2 if T1 reported corruption), r2: T2's block, r3: 1 if the blocks owned plus
 * those left on the stack are A and B exactly once each.
 */
public class ScribbledLinkTest {

    /** What T2 writes over its block's first eight bytes: below every mapping, so following it would crash. */
    static final long OWNER_DATA = 0x40;
    /** T1's result when its pop reported a corrupt link. */
    static final int REPORTED_CORRUPT = -2;
    private static final long WINDOW_NANOS = 20_000;
    /** The outcomes, shared with the negative control. */
    static final String T1_FIRST = "T1 pop A, then T2 pop B and write over it";
    static final String T2_FIRST = "T2 pop A and write over it, T1 pop B (after a retry, if it read T2's data)";
    static final String REPORTED_OR_LOST = "T1 reported T2's data as a corrupt link, or a block owned twice or lost";

    /** The shared scenario. */
    static final class Scenario implements FreeStack.PopProbe {
        final StackFixture fixture;
        private final boolean widened;
        private volatile Thread t1;

        Scenario(CasStrategy strategy, boolean widened) {
            this(strategy, widened, FreeStack::new);
        }

        /** A scenario over a stack the factory builds, given this scenario as its probe. */
        Scenario(CasStrategy strategy, boolean widened, StackFixture.StackMaker make) {
            this.widened = widened;
            this.fixture = new StackFixture(strategy, this, make);
            fixture.pushInOrder(0, 1);
        }

        @Override
        public void beforePopCas(long node, long next) {
        }

        /** Holds T1 between its read of the top and its read of the link, if widened. */
        @Override
        public void afterTopRead(long node) {
            if (widened && Thread.currentThread() == t1) {
                long until = System.nanoTime() + WINDOW_NANOS;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }

        void t1(III_Result r) {
            t1 = Thread.currentThread();
            try {
                r.r1 = fixture.index(fixture.stack.pop(fixture::isBlock));
            } catch (InvariantViolation e) {
                r.r1 = REPORTED_CORRUPT;
            }
        }

        void t2(III_Result r) {
            long block = fixture.stack.pop(fixture::isBlock);
            fixture.writeAsOwner(block, OWNER_DATA);
            r.r2 = fixture.index(block);
        }

        void arbiter(III_Result r) {
            r.r3 = fixture.accountedFor(2, List.of(r.r1, r.r2));
        }
    }

    @JCStressTest
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(expect = FORBIDDEN, desc = REPORTED_OR_LOST)
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
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(expect = FORBIDDEN, desc = REPORTED_OR_LOST)
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
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(expect = FORBIDDEN, desc = REPORTED_OR_LOST)
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
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = T1_FIRST)
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = T2_FIRST)
    @Outcome(expect = FORBIDDEN, desc = REPORTED_OR_LOST)
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
