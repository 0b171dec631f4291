package dev.allocspec.concurrency;

import dev.allocspec.impl.BrokenFreeStacks;
import dev.allocspec.impl.CasStrategy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * NEGATIVE CONTROL: {@link ScribbledLinkTest}'s widened schedule on a stack that reports every link its guard refuses
 * as corrupt, without asking whether the top moved. The build expects FORBIDDEN outcomes here (the jcstress gate fails
 * if none is seen): T1 reads T2's data where A's link was and reports corruption that is not there.
 */
public class NegativeControlScribbledLinkTest {

    @JCStressTest
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = ScribbledLinkTest.T1_FIRST)
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = ScribbledLinkTest.T2_FIRST)
    @Outcome(expect = FORBIDDEN, desc = ScribbledLinkTest.REPORTED_OR_LOST)
    @State
    public static class TrustsRefusedLink {
        private final ScribbledLinkTest.Scenario s = new ScribbledLinkTest.Scenario(CasStrategy.LOCKED, true,
                BrokenFreeStacks.TrustsRefusedLink::new);

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
