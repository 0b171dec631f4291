package dev.allocspec.concurrency;

import dev.allocspec.os.OsMemory;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A free of a large block races a purge(): the purge takes the mapping whole or not at all. r1: 1 if the mapping is
 * still dirty afterwards (the purge ran first), 0 if purged; r2: 1 if the freed block's stale segment reads zeros
 * (purged), 0 if it reads its owner's bytes; r3: 1 if the allocator's invariants hold and the next allocation reuses
 * the mapping. Dirty and zeros together would be memory purged while counted dirty; clean and the old bytes, a purge
 * counted that gave nothing back (INV-PURGED-ZERO, INV-DECAY).
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = PurgeFreeRaceTest.PURGE_FIRST)
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = PurgeFreeRaceTest.FREE_FIRST)
@Outcome(expect = FORBIDDEN, desc = PurgeFreeRaceTest.DISAGREE)
@State
public class PurgeFreeRaceTest {

    static final String PURGE_FIRST = "purge first (nothing dirty yet), then the free: dirty, bytes kept";
    static final String FREE_FIRST = "free first, then the purge: clean, reads zeros";
    static final String DISAGREE = "counts and memory disagree, or the mapping is lost";

    /** The shared scenario, on a fixture of its own. */
    static final class Scenario {
        private final LargeBlockFixture f;

        Scenario(LargeBlockFixture fixture) {
            this.f = fixture;
        }

        void free() {
            f.allocator.free(f.block);
        }

        void purge() {
            f.allocator.purge();
        }

        void arbiter(III_Result r) {
            long dirty = f.allocator.stats().dirtyBytes();
            r.r1 = dirty == LargeBlockFixture.SIZE ? 1 : dirty == 0 ? 0 : 2;
            long word = f.firstWord(f.block);
            r.r2 = word == 0 ? 1 : word == LargeBlockFixture.OLD_OWNER ? 0 : 2;
            r.r3 = f.invariantsHold() == 1
                    && f.allocator.allocate(LargeBlockFixture.SIZE).address() == f.block.address() ? 1 : 0;
            f.close();
        }
    }

    private final Scenario s = new Scenario(new LargeBlockFixture(OsMemory.system()));

    @Actor
    public void free(III_Result r) {
        s.free();
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
