package dev.allocspec.concurrency;

import dev.allocspec.impl.BrokenFreeStacks;
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
 * NEGATIVE CONTROL: the ABA schedule of {@link AbaStackTest} on a stack that never increments its stamp. The build
 * expects FORBIDDEN outcomes here (the jcstress gate fails if none is seen). On two cores the natural window between
 * T1's read and its CAS is too short for T2's three operations, so T1 is stalled for 20 µs there, exactly as in
 * AbaStackTest's {@code *Widened} variants, which the real stamped stack passes.
 */
public class NegativeControlAbaTest {

    @JCStressTest
    @Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = AbaStackTest.T1_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = AbaStackTest.T2_FIRST)
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = AbaStackTest.T1_TAKES_B)
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = AbaStackTest.T1_TAKES_C)
    @Outcome(expect = FORBIDDEN,
            desc = "T1 read {A, next B}, T2 pop A+pop B+push A, T1's unstamped CAS succeeds: B owned twice")
    @State
    public static class Unstamped {
        private final AbaStackTest.Scenario s = new AbaStackTest.Scenario(CasStrategy.LOCKED,
                BrokenFreeStacks.Unstamped::new);

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
