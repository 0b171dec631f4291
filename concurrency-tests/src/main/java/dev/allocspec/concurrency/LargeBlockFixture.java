package dev.allocspec.concurrency;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * An allocator of its own for one jcstress state of the purge races, and one large block in it. Its purge policy
 * purges only when told to (no ratio, a clock that never moves, no decay thread), so that the one purge an actor
 * calls is the only one. The arbiter closes it: a shared allocator would mix other states' mappings into the
 * counts the outcomes read.
 */
final class LargeBlockFixture {

    /** Five pages: a large block. */
    static final long SIZE = 5 * OsMemory.system().pageSize();
    /** What the first owner writes at the start of its block. */
    static final long OLD_OWNER = 0x01D0_0E11_0A0A_0001L;
    /** What the next owner writes. */
    static final long NEW_OWNER = 0x0E11_0A0A_0002_0002L;

    final LockFreeBlockAllocator allocator;
    final MemorySegment block;

    LargeBlockFixture() {
        this(OsMemory.system());
    }

    /** On {@code memory}: a negative control passes a broken one. */
    LargeBlockFixture(MemorySource memory) {
        this(builder -> builder.memory(memory));
    }

    /** With {@code variant} applied to the allocator's builder: a negative control plants its fault there. */
    LargeBlockFixture(UnaryOperator<LockFreeBlockAllocator.Builder> variant) {
        allocator = variant.apply(LockFreeBlockAllocator.builder()
                .purgePolicy(new PurgePolicy(1L << 40, Long.MAX_VALUE, 62, Duration.ofDays(1), new ManualClock()))
                .decayThread(false).threadCache(false)).build();
        block = allocator.allocate(SIZE);
        block.set(ValueLayout.JAVA_LONG, 0, OLD_OWNER);
    }

    /** What a stale reader of the first block sees at its start. */
    long firstWord(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_LONG, 0);
    }

    /** purge(): 1 if it returned, 0 on IllegalStateException (closed), 2 on anything else. */
    int tryPurge() {
        try {
            allocator.purge();
            return 1;
        } catch (IllegalStateException closed) {
            return 0;
        } catch (RuntimeException other) {
            return 2;
        }
    }

    /** 1 if the allocator's own invariant walk holds, 0 if it throws. */
    int invariantsHold() {
        try {
            allocator.checkInvariants();
            return 1;
        } catch (RuntimeException | InvariantViolation broken) { // a walk that fails names the invariant by throwing
            return 0;
        }
    }

    void close() {
        try {
            allocator.close();
        } catch (IllegalStateException alreadyClosed) {
            // the scenario closed it
        }
    }
}
