package dev.allocspec.concurrency;

import dev.allocspec.impl.BrokenFreeStacks;
import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.FreeStack;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * NEGATIVE CONTROL: {@link PushPushTest} on a stack whose push gives up when its CAS fails. The build expects
 * FORBIDDEN outcomes here (the jcstress gate fails if none is seen): two pushes racing on one top lose a block. No
 * widening: the race is frequent enough on two cores.
 */
public class NegativeControlLostPushTest {

    @JCStressTest
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = PushPushTest.BOTH_PUSHED)
    @Outcome(expect = FORBIDDEN, desc = PushPushTest.PUSH_LOST)
    @State
    public static class LosesPush {
        private final PushPushTest.Scenario s = new PushPushTest.Scenario(new StackFixture(CasStrategy.LOCKED,
                FreeStack.PopProbe.NONE,
                (top, links, probe) -> new BrokenFreeStacks.LosesPushOnCasFailure(top, links)));

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
