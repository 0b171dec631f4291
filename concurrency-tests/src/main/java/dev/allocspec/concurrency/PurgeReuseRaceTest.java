package dev.allocspec.concurrency;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A purge() races the reuse of the same cached mapping by the next allocation, whose owner then writes into it: a
 * purge must never zero memory that has been handed out. r1: what the new owner saw before writing (1: the old
 * owner's bytes, reused dirty; 0: zeros, purged first); r2: 1 if the new owner's write survived the race; r3: 1 if
 * the block was the cached mapping and the allocator's invariants hold.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = PurgeReuseRaceTest.REUSED_DIRTY)
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = PurgeReuseRaceTest.PURGED_FIRST)
@Outcome(expect = FORBIDDEN, desc = PurgeReuseRaceTest.LIVE_ZEROED)
@State
public class PurgeReuseRaceTest {

    static final String REUSED_DIRTY = "reused dirty, then the purge found nothing to purge";
    static final String PURGED_FIRST = "purged first, reused clean";
    static final String LIVE_ZEROED = "the purge zeroed a live block, or the mapping was not reused";

    /** The shared scenario, on a fixture of its own (freed once made). */
    static final class Scenario {
        private final LargeBlockFixture f;
        private MemorySegment reused;

        Scenario(LargeBlockFixture fixture) {
            this.f = fixture;
            f.allocator.free(f.block);
        }

        void reuse(III_Result r) {
            MemorySegment next = f.allocator.allocate(LargeBlockFixture.SIZE);
            long seen = next.get(ValueLayout.JAVA_LONG, 0);
            r.r1 = seen == LargeBlockFixture.OLD_OWNER ? 1 : seen == 0 ? 0 : 2;
            next.set(ValueLayout.JAVA_LONG, 0, LargeBlockFixture.NEW_OWNER);
            reused = next;
        }

        void purge() {
            f.allocator.purge();
        }

        void arbiter(III_Result r) {
            r.r2 = reused.get(ValueLayout.JAVA_LONG, 0) == LargeBlockFixture.NEW_OWNER ? 1 : 0;
            r.r3 = reused.address() == f.block.address() && f.invariantsHold() == 1 ? 1 : 0;
            f.close();
        }
    }

    private final Scenario s = new Scenario(new LargeBlockFixture());

    @Actor
    public void reuse(III_Result r) {
        s.reuse(r);
    }

    @Actor
    public void purge(III_Result r) {
        s.purge();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        s.arbiter(r);
    }
}
