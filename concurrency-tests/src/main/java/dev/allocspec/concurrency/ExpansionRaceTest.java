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
 * Two threads find a class's stack empty at once and both grow it, as {@code LockFreeBlockAllocator.allocate} does:
 * each carves its own two-block chain (A -> B for T1, C -> D for T2), pushes the whole chain with one CAS, then pops.
 * No block is handed out twice and the spare carving is not lost. r1, r2: the blocks the threads got; r3: 1 if those
 * plus the blocks left on the stack are exactly the blocks carved (A, B by T1 and C, D by T2, if each grew), each
 * once.
 */
public class ExpansionRaceTest {

    /** The shared scenario. */
    static final class Scenario {
        final StackFixture fixture;

        Scenario(CasStrategy strategy) {
            this.fixture = new StackFixture(strategy);
        }

        /** Blocks carved by T1 (slot 0) and T2 (slot 1); each slot written by its own actor only. */
        final int[] carved = new int[2];

        /** Pop; on an empty stack carve the chain first -> first+1, push it with one CAS and pop again. */
        int allocate(int first) {
            long block = fixture.stack.pop();
            if (block == FreeStack.EMPTY) {
                fixture.pushChain(first, 2);
                carved[first / 2] = 2;
                block = fixture.stack.pop();
            }
            return fixture.index(block);
        }

        void t1(III_Result r) {
            r.r1 = allocate(0);
        }

        void t2(III_Result r) {
            r.r2 = allocate(2);
        }

        void arbiter(III_Result r) {
            r.r3 = fixture.accountedFor(carved[0] + carved[1], List.of(r.r1, r.r2));
        }
    }

    @JCStressTest
    @Outcome(id = {"0, 2, 1", "0, 3, 1", "1, 2, 1", "0, 1, 1", "1, 0, 1", "2, 0, 1", "2, 3, 1", "3, 2, 1",
        "2, 1, 1", "3, 0, 1", "1, 3, 1", "3, 1, 1"}, expect = ACCEPTABLE,
            desc = "both grew, or one grew and the other took a block of its chain: every block owned once")
    @Outcome(expect = FORBIDDEN, desc = "a block handed to both threads, or a carved block lost")
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
    @Outcome(id = {"0, 2, 1", "0, 3, 1", "1, 2, 1", "0, 1, 1", "1, 0, 1", "2, 0, 1", "2, 3, 1", "3, 2, 1",
        "2, 1, 1", "3, 0, 1", "1, 3, 1", "3, 1, 1"}, expect = ACCEPTABLE,
            desc = "both grew, or one grew and the other took a block of its chain: every block owned once")
    @Outcome(expect = FORBIDDEN, desc = "a block handed to both threads, or a carved block lost")
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
