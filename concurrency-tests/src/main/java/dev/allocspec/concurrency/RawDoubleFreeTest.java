package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads free the same raw (20,000-byte) block at once: exactly one succeeds and caches the mapping, the other
 * gets IllegalStateException. r1, r2: 1 if that thread's free succeeded, 0 if it got IllegalStateException, 2 for any
 * other exception; r3: 1 if the block's mapping is still mapped afterwards (cached for reuse, INV-RAW-RETURNED: the
 * shared allocator's default cap of 1 GiB is far above what the states hold).
 *
 * <p>Every variant runs on a shared allocator per strategy, with the thread caches on (the plain variants) and off
 * ({@code *NoCache}).
 */
public class RawDoubleFreeTest {

    /** The outcome texts, once for every variant. */
    private static final String ONE_WINS =
            "T1 free wins and caches the mapping, T2 gets IllegalStateException (or the other way round)";
    private static final String OTHERWISE =
            "both or neither freed it, a wrong exception, or the mapping was unmapped";

    /** The shared scenario. */
    static final class Scenario {
        final LockFreeBlockAllocator allocator;
        final MemorySegment block;

        Scenario(CasStrategy strategy, boolean threadCache) {
            this.allocator = SharedAllocators.of(strategy, threadCache);
            this.block = allocator.allocate(20_000);
        }

        int tryFree() {
            try {
                allocator.free(block);
                return 1;
            } catch (IllegalStateException doubleFree) {
                return 0;
            } catch (RuntimeException other) {
                return 2;
            }
        }

        void t1(III_Result r) {
            r.r1 = tryFree();
        }

        void t2(III_Result r) {
            r.r2 = tryFree();
        }

        void arbiter(III_Result r) {
            r.r3 = block.scope().isAlive() ? 1 : 0;
        }
    }

    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = ONE_WINS)
    @Outcome(expect = FORBIDDEN, desc = OTHERWISE)
    @State
    public static class Native {
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
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = ONE_WINS)
    @Outcome(expect = FORBIDDEN, desc = OTHERWISE)
    @State
    public static class NativeNoCache {
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
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = ONE_WINS)
    @Outcome(expect = FORBIDDEN, desc = OTHERWISE)
    @State
    public static class Locked {
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

    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = ONE_WINS)
    @Outcome(expect = FORBIDDEN, desc = OTHERWISE)
    @State
    public static class LockedNoCache {
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
}
