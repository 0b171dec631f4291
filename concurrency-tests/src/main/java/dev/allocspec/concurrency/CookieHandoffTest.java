package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Blocks change hands between threads with their bytes intact, and the allocator's free-list link never lands in a
 * live block. T1 allocates a 256-byte block, fills it with a cookie and publishes it (volatile) for T2, then
 * allocates a second block, fills it, churns the same class (allocate+free twice) and checks its second block. T2
 * takes the published block if it is there yet, checks every byte, and frees it. r1: 1 if T1's own block is intact;
 * r2: 1 if T2 saw the handed-off block intact, -1 if it was not published yet (the arbiter frees it then).
 *
 * <p>Every variant runs on a shared allocator per strategy, with the thread caches on (the plain variants) and off
 * ({@code *NoCache}).
 */
public class CookieHandoffTest {

    /** The outcome texts, once for every variant (the last one forbidden). */
    private static final String INTACT = "T1 fill+publish, T2 take+check+free: bytes intact on both";
    private static final String NOTHING_HANDED_OFF = "T2 looked before T1 published: nothing handed off";
    private static final String LIVE_BYTES_CHANGED =
            "a live block's bytes changed: torn handoff or a free-list link written into it";

    /** The shared scenario. */
    static final class Scenario {
        private static final byte COOKIE = (byte) 0xC5;
        final LockFreeBlockAllocator allocator;
        volatile MemorySegment handoff;
        MemorySegment published;

        Scenario(CasStrategy strategy, boolean threadCache) {
            this.allocator = SharedAllocators.of(strategy, threadCache);
        }

        static boolean intact(MemorySegment block) {
            for (long i = 0; i < block.byteSize(); i++) {
                if (block.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != COOKIE) {
                    return false;
                }
            }
            return true;
        }

        void t1(II_Result r) {
            MemorySegment shared = allocator.allocate(256);
            shared.fill(COOKIE);
            published = shared;
            handoff = shared;
            MemorySegment own = allocator.allocate(256);
            own.fill(COOKIE);
            allocator.free(allocator.allocate(256));
            allocator.free(allocator.allocate(256));
            r.r1 = intact(own) ? 1 : 0;
            allocator.free(own);
        }

        void t2(II_Result r) {
            MemorySegment taken = handoff;
            if (taken == null) {
                r.r2 = -1;
                return;
            }
            r.r2 = intact(taken) ? 1 : 0;
            allocator.free(taken);
        }

        void arbiter(II_Result r) {
            if (r.r2 == -1) {
                allocator.free(published);
            }
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = INTACT)
    @Outcome(id = "1, -1", expect = ACCEPTABLE, desc = NOTHING_HANDED_OFF)
    @Outcome(expect = FORBIDDEN, desc = LIVE_BYTES_CHANGED)
    @State
    public static class Native {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, true);

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
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = INTACT)
    @Outcome(id = "1, -1", expect = ACCEPTABLE, desc = NOTHING_HANDED_OFF)
    @Outcome(expect = FORBIDDEN, desc = LIVE_BYTES_CHANGED)
    @State
    public static class NativeNoCache {
        private final Scenario s = new Scenario(CasStrategy.NATIVE_CAS128, false);

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
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = INTACT)
    @Outcome(id = "1, -1", expect = ACCEPTABLE, desc = NOTHING_HANDED_OFF)
    @Outcome(expect = FORBIDDEN, desc = LIVE_BYTES_CHANGED)
    @State
    public static class Locked {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, true);

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
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = INTACT)
    @Outcome(id = "1, -1", expect = ACCEPTABLE, desc = NOTHING_HANDED_OFF)
    @Outcome(expect = FORBIDDEN, desc = LIVE_BYTES_CHANGED)
    @State
    public static class LockedNoCache {
        private final Scenario s = new Scenario(CasStrategy.LOCKED, false);

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
