package dev.allocspec.concurrency;

import dev.allocspec.impl.BrokenPurge;
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
 * NEGATIVE CONTROLS for the purge races; the build expects FORBIDDEN outcomes from each. {@link KeepsBytes}:
 * {@link PurgeFreeRaceTest} on a memory source whose purge gives nothing back (the pages keep their bytes): whenever
 * the free wins the race, the allocator counts the mapping purged while a stale reader still sees its owner's bytes.
 * {@link OutsideTheLock}: {@link PurgeReuseRaceTest} with a purge that advises the mappings after letting the cache's
 * lock go (widened by a 20 us spin): an allocation that takes the mapping meanwhile has its new owner's write zeroed.
 * {@link InPlace}: {@link PooledPurgeRaceTest} with a pooled pass that advises the top of the stack where it lies
 * instead of popping the free blocks first: the reused block's new owner's write is zeroed, or the block left on the
 * stack loses its link and the free list the blocks below it.
 */
public class NegativeControlPurgeTest {

    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = PurgeReuseRaceTest.REUSED_DIRTY)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = PurgeReuseRaceTest.PURGED_FIRST)
    @Outcome(expect = FORBIDDEN, desc = PurgeReuseRaceTest.LIVE_ZEROED)
    @State
    public static class OutsideTheLock {
        private final PurgeReuseRaceTest.Scenario s = new PurgeReuseRaceTest.Scenario(
                new LargeBlockFixture(BrokenPurge::largePurgeOutsideTheLock));

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

    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = PooledPurgeRaceTest.NOTHING_LIVE_ZEROED)
    @Outcome(expect = FORBIDDEN, desc = PooledPurgeRaceTest.BROKEN)
    @State
    public static class InPlace {
        private final PooledPurgeRaceTest.Scenario s = new PooledPurgeRaceTest.Scenario(BrokenPurge::pooledPurgeInPlace);

        @Actor
        public void freeAndReuse(III_Result r) {
            s.freeAndReuse();
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

    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = PurgeFreeRaceTest.PURGE_FIRST)
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = PurgeFreeRaceTest.FREE_FIRST)
    @Outcome(expect = FORBIDDEN, desc = PurgeFreeRaceTest.DISAGREE)
    @State
    public static class KeepsBytes {
        private final PurgeFreeRaceTest.Scenario s = new PurgeFreeRaceTest.Scenario(
                new LargeBlockFixture(BrokenPurge.keepsBytes(OsMemory.system())));

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
}
