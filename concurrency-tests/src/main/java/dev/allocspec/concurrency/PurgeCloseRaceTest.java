package dev.allocspec.concurrency;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A purge() of a dirty cached mapping races close(): the purge completes or throws IllegalStateException, close()
 * succeeds, and the mapping is unmapped afterwards whatever the order. A purge whose advice still held the mapping's
 * scope when close() tried to close it would make close() skip it: a mapping leaked for the life of the process.
 * r1: 1 if purge() returned, 0 if it threw IllegalStateException (closed first); r2: 1 if close() succeeded; r3: 1
 * if the mapping's scope is closed (unmapped) afterwards.
 */
@JCStressTest
@Outcome(id = {"1, 1, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "either order: closed and unmapped")
@Outcome(expect = FORBIDDEN, desc = "a wrong exception, a failed close, or the mapping left mapped")
@State
public class PurgeCloseRaceTest {

    private final LargeBlockFixture f = new LargeBlockFixture();

    public PurgeCloseRaceTest() {
        f.allocator.free(f.block);
    }

    @Actor
    public void purge(III_Result r) {
        r.r1 = f.tryPurge();
    }

    @Actor
    public void close(III_Result r) {
        try {
            f.allocator.close();
            r.r2 = 1;
        } catch (RuntimeException e) {
            r.r2 = 0;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = f.block.scope().isAlive() ? 0 : 1;
    }
}
