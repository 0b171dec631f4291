package dev.allocspec.properties.allocator;

import dev.allocspec.properties.harness.Action;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/**
 * The actions of the {@link SafetyStateMachine}. Each runs one call on the allocator under test and judges its answer
 * by what any allocator must answer: a block of the size and alignment asked for, disjoint from every live one, or the
 * exception the safety profile names for bad input. The returned string is the log entry.
 */
final class SafetyActions {

    /** Larger than any allocator serves; a request for it must be refused, with IllegalArgumentException or OOM. */
    static final long UNSERVABLE = 1L << 50;

    private SafetyActions() {
    }

    /** Allocates {@code size} bytes with {@code alignment}; handle {@code id} names the block. */
    record Allocate(int id, long size, long alignment) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return !run.closed;
        }

        @Override
        public String run(SafetyRun run) {
            boolean badSize = size < 0;
            boolean badAlignment = alignment <= 0 || Long.bitCount(alignment) != 1;
            MemorySegment block;
            try {
                block = run.system.allocate(size, alignment);
            } catch (IllegalArgumentException e) {
                if (badSize || badAlignment || size >= UNSERVABLE || alignment > 4096) {
                    return "(IllegalArgumentException)";
                }
                throw violation(Invariant.LINEARIZABLE, "a valid request was refused with " + e, e);
            } catch (OutOfMemoryError e) {
                if (badSize || badAlignment) {
                    throw violation(badSize ? Invariant.REJECT_SIZE : Invariant.REJECT_ALIGNMENT,
                            "bad input ran out of memory instead of IllegalArgumentException: " + e, e);
                }
                return "(OutOfMemoryError)"; // the system may refuse any request
            } catch (RuntimeException e) {
                throw violation(badSize ? Invariant.REJECT_SIZE : badAlignment ? Invariant.REJECT_ALIGNMENT
                        : Invariant.LINEARIZABLE, "threw " + e, e);
            }
            if (badSize || badAlignment || size >= UNSERVABLE) {
                throw new InvariantViolation(badAlignment ? Invariant.REJECT_ALIGNMENT : Invariant.REJECT_SIZE,
                        "served " + this + " at 0x" + Long.toHexString(block.address()));
            }
            if (!block.isNative() || block.byteSize() != size) {
                throw new InvariantViolation(Invariant.EXACT_SIZE, this + " returned " + block);
            }
            if (block.address() % alignment != 0) {
                throw new InvariantViolation(Invariant.ALIGN, this + " returned 0x" + Long.toHexString(block.address()));
            }
            run.live.put(id, new SafetyRun.Block(id, block));
            return "#" + id + " (block)";
        }

        @Override
        public String kind() {
            return "alloc";
        }

        @Override
        public List<Action<SafetyRun>> simplifications() {
            return EdgeSizes.simplerRequests(size, alignment, (s, a) -> new Allocate(id, s, a));
        }

        @Override
        public String toString() {
            return "alloc " + size + (alignment == 1 ? "" : " align " + alignment);
        }
    }

    /** Frees a live block: must succeed. */
    record Free(int id) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return !run.closed && run.live.containsKey(id);
        }

        @Override
        public String run(SafetyRun run) {
            SafetyRun.Block block = run.live.remove(id);
            try {
                run.system.free(block.segment);
            } catch (RuntimeException e) {
                throw violation(Invariant.LINEARIZABLE, "the free of live block #" + id + " was refused: " + e, e);
            }
            run.freed.put(id, block);
            return "ok (free)";
        }

        @Override
        public String kind() {
            return "free";
        }

        @Override
        public String toString() {
            return "free #" + id;
        }
    }

    /**
     * Frees a freed block again, while no live block starts at its address (after that the stale segment is the new
     * owner's, as with malloc): must be refused with IllegalStateException.
     */
    record DoubleFree(int id) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            SafetyRun.Block stale = run.freed.get(id);
            return !run.closed && stale != null && !run.liveAt(stale.segment.address());
        }

        @Override
        public String run(SafetyRun run) {
            expectRejection(run, IllegalStateException.class, Invariant.REJECT_DOUBLE_FREE,
                    () -> run.system.free(run.freed.get(id).segment));
            return "(IllegalStateException)";
        }

        @Override
        public String kind() {
            return "double free";
        }

        @Override
        public String toString() {
            return "free #" + id + " again";
        }
    }

    /** The kinds of bad segment a free can be given, each made from a live block, and what each must be refused as. */
    enum BadSegment {
        INTERIOR(Invariant.REJECT_INTERIOR), WRONG_SIZE(Invariant.REJECT_WRONG_SIZE),
        FOREIGN(Invariant.REJECT_FOREIGN), HEAP(Invariant.REJECT_FOREIGN), NULL(Invariant.REJECT_NULL);

        final Invariant invariant;

        BadSegment(Invariant invariant) {
            this.invariant = invariant;
        }

        /** Whether a bad segment of this kind can be made from {@code block}: an interior one needs two bytes. */
        boolean appliesTo(MemorySegment block) {
            return this != INTERIOR || block.byteSize() >= 2;
        }

        /** The bad segment made from {@code block}; a foreign one comes from {@code foreign}. */
        @SuppressWarnings("restricted") // bad segments made on purpose from real block addresses
        MemorySegment from(MemorySegment block, Arena foreign) {
            return switch (this) {
                case INTERIOR -> MemorySegment.ofAddress(block.address() + block.byteSize() / 2)
                        .reinterpret(block.byteSize() - block.byteSize() / 2);
                case WRONG_SIZE -> MemorySegment.ofAddress(block.address()).reinterpret(block.byteSize() + 1);
                case FOREIGN -> foreign.allocate(Math.max(1, block.byteSize()), 16);
                case HEAP -> MemorySegment.ofArray(new byte[16]);
                case NULL -> null;
            };
        }

        Class<? extends RuntimeException> rejection() {
            return this == NULL ? NullPointerException.class : IllegalArgumentException.class;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** Frees a bad segment derived from a live block: must be refused, and change nothing. */
    record BadFree(int id, BadSegment segment) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return !run.closed && run.live.containsKey(id) && segment.appliesTo(run.live.get(id).segment);
        }

        @Override
        public String run(SafetyRun run) {
            try (Arena foreign = Arena.ofConfined()) {
                MemorySegment bad = segment.from(run.live.get(id).segment, foreign);
                expectRejection(run, segment.rejection(), segment.invariant, () -> run.system.free(bad));
            }
            return "(" + segment.rejection().getSimpleName() + ")";
        }

        @Override
        public String kind() {
            return "bad free";
        }

        @Override
        public String toString() {
            return "free " + segment + " of #" + id;
        }
    }

    /** Writes a pattern into a live block. */
    record Write(int id, long pattern) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return !run.closed && run.live.containsKey(id);
        }

        @Override
        public String run(SafetyRun run) {
            SafetyRun.Block block = run.live.get(id);
            AllocatorActions.fill(block.segment, pattern);
            block.pattern = pattern;
            return "ok (write)";
        }

        @Override
        public String kind() {
            return "write";
        }

        @Override
        public String toString() {
            return "write pattern " + pattern + " into #" + id;
        }
    }

    /** Closes the allocator: every segment it handed out must then be unusable. */
    record Close() implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return !run.closed;
        }

        @Override
        public String run(SafetyRun run) {
            try {
                run.system.close();
            } catch (RuntimeException e) {
                throw violation(Invariant.CLOSE_RETURNS_ALL, "close() threw " + e, e);
            }
            run.closed = true;
            for (SafetyRun.Block block : run.live.values()) {
                if (block.segment.scope().isAlive()) {
                    throw new InvariantViolation(Invariant.CLOSE_RETURNS_ALL, "live block #" + block.id
                            + " can still be used after close()");
                }
            }
            run.live.clear();
            return "ok (close)";
        }

        @Override
        public String kind() {
            return "close";
        }

        @Override
        public String toString() {
            return "close";
        }
    }

    /** The calls that must fail after close (INV-REJECT-AFTER-CLOSE). */
    enum LateCall { ALLOCATE, FREE, CLOSE }

    /** Calls a closed allocator: IllegalStateException. */
    record UseAfterClose(LateCall call) implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return run.closed && (call != LateCall.FREE || !run.freed.isEmpty());
        }

        @Override
        public String run(SafetyRun run) {
            expectRejection(run, IllegalStateException.class, Invariant.REJECT_AFTER_CLOSE, () -> {
                switch (call) {
                    case ALLOCATE -> run.system.allocate(64, 1);
                    case FREE -> run.system.free(run.freed.values().iterator().next().segment);
                    case CLOSE -> run.system.close();
                }
            });
            return "(IllegalStateException)";
        }

        @Override
        public String kind() {
            return "use after close";
        }

        @Override
        public String toString() {
            return call.name().toLowerCase(Locale.ROOT) + " after close";
        }
    }

    /** A fresh allocator after a close. */
    record Reopen() implements Action<SafetyRun> {
        @Override
        public boolean precondition(SafetyRun run) {
            return run.closed;
        }

        @Override
        public String run(SafetyRun run) {
            run.open();
            return "ok (reopen)";
        }

        @Override
        public String kind() {
            return "reopen";
        }

        @Override
        public String toString() {
            return "reopen";
        }
    }

    /** Runs a call that must throw {@code expected}; anything else breaks {@code invariant}. */
    private static void expectRejection(SafetyRun run, Class<? extends RuntimeException> expected,
                                        Invariant invariant, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (expected.isInstance(e)) {
                return;
            }
            throw violation(invariant, "expected " + expected.getSimpleName() + ", got " + e, e);
        } catch (OutOfMemoryError e) {
            throw violation(invariant, "expected " + expected.getSimpleName() + ", got " + e, e);
        }
        throw new InvariantViolation(invariant, "accepted: expected " + expected.getSimpleName());
    }

    private static InvariantViolation violation(Invariant invariant, String message, Throwable cause) {
        InvariantViolation violation = new InvariantViolation(invariant, message);
        violation.initCause(cause);
        return violation;
    }
}
