package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.util.List;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The thread caches' batch refill against the ABA schedule: the stack holds A -> B -> C -> D. T1 takes a chain of two
 * with one CAS ({@code popChain}), walking A.next = B and B.next = C; T2 pops twice and pushes its first block back.
 * If T2 runs inside T1's walk, a chain pop that trusted the node alone would install C (or B) as the top while T2
 * owns it; the stamp makes T1's CAS fail, and the stamp re-check after every link keeps the walk from following a
 * link that moved. r1, r2: T1's blocks (0 = A ... 3 = D, -1 none); r3: the block T2 keeps; r4: 1 if the blocks
 * owned plus those left are A, B, C and D once each.
 */
public class BatchPopTest {

    /** The forbidden outcome of every variant. */
    private static final String STALE_CHAIN_ACCEPTED =
            "T1 walked a stale chain and its CAS still succeeded: a block owned twice or lost";

    /** The shared scenario. */
    static final class Scenario {
        final StackFixture fixture;

        Scenario(CasStrategy strategy) {
            this.fixture = new StackFixture(strategy);
            fixture.pushInOrder(0, 1, 2, 3);
        }

        void t1(IIII_Result r) {
            long[] taken = new long[2];
            int n = fixture.stack.popChain(2, taken);
            r.r1 = n > 0 ? fixture.index(taken[0]) : StackFixture.EMPTY;
            r.r2 = n > 1 ? fixture.index(taken[1]) : StackFixture.EMPTY;
        }

        void t2(IIII_Result r) {
            long first = fixture.stack.pop();
            long second = fixture.stack.pop();
            fixture.stack.push(first);
            r.r3 = fixture.index(second);
        }

        void arbiter(IIII_Result r) {
            r.r4 = fixture.accountedFor(4, List.of(r.r1, r.r2, r.r3));
        }
    }

    @JCStressTest
    @Outcome(id = "0, 1, 3, 1", expect = ACCEPTABLE, desc = "T1 takes A+B, then T2 pop C+pop D+push C")
    @Outcome(id = "0, 2, 1, 1", expect = ACCEPTABLE, desc = "T2 pop A+pop B+push A, then T1 takes A+C")
    @Outcome(id = "2, 3, 1, 1", expect = ACCEPTABLE, desc = "T2 pop A+pop B, T1 takes C+D, T2 push A")
    @Outcome(id = "1, 2, 3, 1", expect = ACCEPTABLE, desc = "T2 pop A, T1 takes B+C, T2 pop D+push A")
    @Outcome(expect = FORBIDDEN, desc = STALE_CHAIN_ACCEPTED)
    @State
    public static class Native {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128);

        @Actor
        public void t1(IIII_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(IIII_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Outcome(id = "0, 1, 3, 1", expect = ACCEPTABLE, desc = "T1 takes A+B, then T2 pop C+pop D+push C")
    @Outcome(id = "0, 2, 1, 1", expect = ACCEPTABLE, desc = "T2 pop A+pop B+push A, then T1 takes A+C")
    @Outcome(id = "2, 3, 1, 1", expect = ACCEPTABLE, desc = "T2 pop A+pop B, T1 takes C+D, T2 push A")
    @Outcome(id = "1, 2, 3, 1", expect = ACCEPTABLE, desc = "T2 pop A, T1 takes B+C, T2 pop D+push A")
    @Outcome(expect = FORBIDDEN, desc = STALE_CHAIN_ACCEPTED)
    @State
    public static class Locked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED);

        @Actor
        public void t1(IIII_Result r) {
            s.t1(r);
        }

        @Actor
        public void t2(IIII_Result r) {
            s.t2(r);
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            s.arbiter(r);
        }
    }
}
