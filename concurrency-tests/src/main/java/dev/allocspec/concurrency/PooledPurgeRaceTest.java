package dev.allocspec.concurrency;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A purge() of the 16 KiB class races a free of one of its blocks and the allocation that takes it back, whose owner
 * then writes into it: the pass pops the free blocks it purges, so it can never zero a block that has been handed
 * out, and the purged blocks come back in LIFO order. A chunk of four blocks, two live; no thread caches, so the free
 * goes straight to the shared stack the pass empties. r1: 1 if the new owner's words survived; r2: 1 if the allocation
 * took the freed block back (LIFO across the purge); r3: 1 if the allocator's invariants hold afterwards.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = PooledPurgeRaceTest.NOTHING_LIVE_ZEROED)
@Outcome(expect = FORBIDDEN, desc = PooledPurgeRaceTest.BROKEN)
@State
public class PooledPurgeRaceTest {

    static final String NOTHING_LIVE_ZEROED = "the purge ran before, between or after: nothing live zeroed";
    static final String BROKEN = "a live block zeroed, the order of reuse changed, or the free list broken";

    private final Scenario s = new Scenario(UnaryOperator.identity());

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

    /** The race on an allocator of its own; a negative control plants its fault through {@code variant}. */
    static final class Scenario {
        private static final long NEW_OWNER = 0x0E11_0A0A_0003_0003L;

        private final LockFreeBlockAllocator allocator;
        private final MemorySegment freed;
        private final MemorySegment kept;
        private MemorySegment reused;

        Scenario(UnaryOperator<LockFreeBlockAllocator.Builder> variant) {
            allocator = variant.apply(LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4))
                    .purgePolicy(new PurgePolicy(1L << 40, Long.MAX_VALUE, 62, Duration.ofDays(1), new ManualClock()))
                    .decayThread(false).threadCache(false)).build();
            freed = allocator.allocate(16_384);
            kept = allocator.allocate(16_384);
        }

        void freeAndReuse() {
            allocator.free(freed);
            MemorySegment next = allocator.allocate(16_384);
            next.set(ValueLayout.JAVA_LONG, 8, NEW_OWNER);
            next.set(ValueLayout.JAVA_LONG, 8192, NEW_OWNER);
            reused = next;
        }

        void purge() {
            allocator.purge();
        }

        void arbiter(III_Result r) {
            r.r1 = reused.get(ValueLayout.JAVA_LONG, 8) == NEW_OWNER
                    && reused.get(ValueLayout.JAVA_LONG, 8192) == NEW_OWNER ? 1 : 0;
            r.r2 = reused.address() == freed.address() ? 1 : 0;
            try {
                allocator.checkInvariants();
                r.r3 = kept.scope().isAlive() ? 1 : 0;
            } catch (RuntimeException | InvariantViolation broken) {
                r.r3 = 0;
            }
            allocator.close();
        }
    }
}
