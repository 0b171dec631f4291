package dev.allocspec.properties.allocator;

import dev.allocspec.properties.harness.Action;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;

/**
 * The actions of the allocator state machine. Each runs the same call on the model (reference) and on the system
 * under test and fails with {@code INV-REFINEMENT} when the outcomes differ; the outcome string is the log entry.
 */
final class AllocatorActions {

    private AllocatorActions() {
    }

    static void requireSame(String call, Outcome model, Outcome system) {
        if (!model.text().equals(system.text())) {
            throw new InvariantViolation(Invariant.REFINEMENT, call + ": reference gave " + model.text()
                    + ", system under test gave " + system.text());
        }
    }

    /** Allocates {@code size} bytes with {@code alignment} on both sides; handle {@code id} names the block. */
    record Allocate(int id, long size, long alignment) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return true;
        }

        @Override
        public String run(AllocatorTwin twin) {
            Outcome model = Outcome.ofBlock(twin.model, () -> twin.model.allocate(size, alignment));
            Outcome system = Outcome.ofBlock(twin.system, () -> twin.system.allocate(size, alignment));
            requireSame(toString(), model, system);
            if (model.block() == null) {
                return "(" + model.text() + ")";
            }
            twin.live.put(id, new AllocatorTwin.Handle(id, model.block(), system.block()));
            return "#" + id + " (class " + SizeClass.forRequest(size, alignment, Long.MAX_VALUE) + ")";
        }

        @Override
        public String kind() {
            return "alloc";
        }

        @Override
        public List<Action<AllocatorTwin>> simplifications() {
            return EdgeSizes.simplerRequests(size, alignment, (s, a) -> new Allocate(id, s, a));
        }

        @Override
        public String toString() {
            return "alloc " + size + (alignment == 1 ? "" : " align " + alignment);
        }
    }

    /** Frees a live block on both sides. */
    record Free(int id) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed && twin.live.containsKey(id);
        }

        @Override
        public String run(AllocatorTwin twin) {
            AllocatorTwin.Handle handle = twin.live.remove(id);
            Outcome model = Outcome.of(() -> twin.model.free(handle.model));
            Outcome system = Outcome.of(() -> twin.system.free(handle.system));
            requireSame(toString(), model, system);
            twin.freed.put(id, handle);
            return model.text() + " (free " + handle.sizeClass() + ")";
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
     * Frees an already freed block again: both sides must refuse it alike. Only while the block is still free: once
     * its address is handed out again, the stale segment is indistinguishable from the new owner's (as with malloc),
     * and freeing it frees the new owner's block.
     */
    record DoubleFree(int id) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            AllocatorTwin.Handle stale = twin.freed.get(id);
            return !twin.closed && stale != null && twin.live.values().stream().noneMatch(h ->
                    h.model.address() == stale.model.address() || h.system.address() == stale.system.address());
        }

        @Override
        public String run(AllocatorTwin twin) {
            AllocatorTwin.Handle handle = twin.freed.get(id);
            Outcome model = Outcome.of(() -> twin.model.free(handle.model));
            Outcome system = Outcome.of(() -> twin.system.free(handle.system));
            requireSame(toString(), model, system);
            return "(" + model.text() + ")";
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

    /** The kinds of bad segment a free can be given, each made from a live block of the allocator. */
    enum BadSegment {
        INTERIOR, WRONG_SIZE, FOREIGN, HEAP, NULL;

        /** The bad segment made from {@code block}; a foreign one comes from {@code foreign}. */
        @SuppressWarnings("restricted") // bad segments made on purpose from real block addresses
        MemorySegment from(MemorySegment block, Arena foreign) {
            return switch (this) {
                case INTERIOR -> MemorySegment.ofAddress(block.address() + 8).reinterpret(block.byteSize());
                case WRONG_SIZE -> MemorySegment.ofAddress(block.address()).reinterpret(block.byteSize() + 1);
                case FOREIGN -> foreign.allocate(Math.max(1, block.byteSize()), 64);
                case HEAP -> MemorySegment.ofArray(new byte[16]);
                case NULL -> null;
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /** Frees a bad segment derived from a live block: both sides must refuse it alike and change nothing. */
    record BadFree(int id, BadSegment segment) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed && twin.live.containsKey(id);
        }

        @Override
        public String run(AllocatorTwin twin) {
            AllocatorTwin.Handle handle = twin.live.get(id);
            try (Arena foreign = Arena.ofConfined()) {
                Outcome model = Outcome.of(() -> twin.model.free(segment.from(handle.model, foreign)));
                Outcome system = Outcome.of(() -> twin.system.free(segment.from(handle.system, foreign)));
                requireSame(toString(), model, system);
                return "(" + model.text() + ")";
            }
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

    /** Writes a pattern into a live block on both sides. */
    record Write(int id, long pattern) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed && twin.live.containsKey(id);
        }

        @Override
        public String run(AllocatorTwin twin) {
            AllocatorTwin.Handle handle = twin.live.get(id);
            fill(handle.model, pattern);
            fill(handle.system, pattern);
            handle.pattern = pattern;
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

    /** Verifies the pattern of a written live block on the system under test (INV-CONTENT). */
    record Verify(int id) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed && twin.live.containsKey(id) && twin.live.get(id).pattern != 0;
        }

        @Override
        public String run(AllocatorTwin twin) {
            AllocatorTwin.Handle handle = twin.live.get(id);
            long bad = firstWrongByte(handle.system, handle.pattern);
            if (bad >= 0) {
                throw new InvariantViolation(Invariant.CONTENT, "byte " + bad + " of #" + id + " changed");
            }
            return "ok (verify)";
        }

        @Override
        public String kind() {
            return "verify";
        }

        @Override
        public String toString() {
            return "verify #" + id;
        }
    }

    /** Moves both sides' clock (they share it): what decay measures. Calls nothing; the next purge point decays. */
    record PassTime(int seconds) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return true;
        }

        @Override
        public String run(AllocatorTwin twin) {
            twin.clock.advance(Duration.ofSeconds(seconds));
            return "ok (time)";
        }

        @Override
        public String kind() {
            return "time";
        }

        @Override
        public String toString() {
            return seconds + " s pass";
        }
    }

    /**
     * purge() on both sides; then every freed large block whose mapping is still mapped and not handed out again must
     * read zeros on the system under test (INV-PURGED-ZERO): after purge() no cached mapping is dirty.
     */
    record Purge() implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return true;
        }

        @Override
        public String run(AllocatorTwin twin) {
            Outcome model = Outcome.of(() -> twin.model.purge());
            Outcome system = Outcome.of(() -> twin.system.purge());
            requireSame(toString(), model, system);
            if (!model.failed()) {
                long dirty = twin.system.stats().dirtyBytes();
                if (dirty != 0) {
                    throw new InvariantViolation(Invariant.PURGED_ZERO, "purge() left " + dirty + " bytes dirty");
                }
                for (ClassStats pool : twin.system.stats().pools()) {
                    if (twin.purgePolicy.purgesPooled(pool.sizeClass()) && pool.purged() != pool.free()) {
                        throw new InvariantViolation(Invariant.PURGED_ZERO, "purge() left " + (pool.free()
                                - pool.purged()) + " free blocks of class " + pool.sizeClass() + " unpurged");
                    }
                }
                staleLargeBlocksReadZero(twin);
            }
            return model.text() + " (purge)";
        }

        /** Stale large blocks and stale blocks of the purged pooled classes, not handed out again since. */
        private static void staleLargeBlocksReadZero(AllocatorTwin twin) {
            for (AllocatorTwin.Handle stale : twin.freed.values()) {
                boolean reused = twin.live.values().stream().anyMatch(h -> h.system.address() == stale.system.address());
                boolean purgeable = stale.sizeClass().isRaw() || twin.purgePolicy.purgesPooled(stale.sizeClass());
                if (!purgeable || reused || !stale.system.scope().isAlive()) {
                    continue;
                }
                for (long offset = 0; offset + 8 <= stale.system.byteSize(); offset += 4096) {
                    if (stale.system.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) != 0) {
                        throw new InvariantViolation(Invariant.PURGED_ZERO, "#" + stale.id + " (freed, mapping "
                                + "cached) reads non-zero at offset " + offset + " after purge()");
                    }
                }
            }
        }

        @Override
        public String kind() {
            return "purge";
        }

        @Override
        public String toString() {
            return "purge";
        }
    }

    /** Compares stats() of both sides. */
    record QueryStats() implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed;
        }

        @Override
        public String run(AllocatorTwin twin) {
            Outcome model = Outcome.of(() -> twin.model.stats());
            Outcome system = Outcome.of(() -> twin.system.stats());
            requireSame(toString(), model, system);
            AllocatorStateMachine.statsAgree(twin);
            return "ok (stats)";
        }

        @Override
        public String kind() {
            return "stats";
        }

        @Override
        public String toString() {
            return "stats";
        }
    }

    /** Compares arenas() of both sides: same count, same sizes, in the same order. */
    record QueryArenas() implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed;
        }

        @Override
        public String run(AllocatorTwin twin) {
            List<Long> model = twin.model.arenas().stream().map(MemorySegment::byteSize).toList();
            List<Long> system = twin.system.arenas().stream().map(MemorySegment::byteSize).toList();
            if (!model.equals(system)) {
                throw new InvariantViolation(Invariant.ARENAS_RECORDED, "arena sizes differ: reference " + model
                        + ", system under test " + system);
            }
            return model.size() + " arenas (arenas)";
        }

        @Override
        public String kind() {
            return "arenas";
        }

        @Override
        public String toString() {
            return "arenas";
        }
    }

    /** Closes both sides. */
    record Close() implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return !twin.closed;
        }

        @Override
        public String run(AllocatorTwin twin) {
            Outcome model = Outcome.of(() -> twin.model.close());
            Outcome system = Outcome.of(() -> twin.system.close());
            requireSame(toString(), model, system);
            twin.closed = true;
            twin.live.clear();
            twin.freed.clear();
            return model.text() + " (close)";
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

    /** The calls that must fail after close, on both sides alike (INV-REJECT-AFTER-CLOSE). */
    enum LateCall { ALLOCATE, STATS, ARENAS, CLOSE }

    /** Calls a closed allocator. */
    record UseAfterClose(LateCall call) implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return twin.closed;
        }

        @Override
        public String run(AllocatorTwin twin) {
            Outcome model = Outcome.of(() -> call(twin.model));
            Outcome system = Outcome.of(() -> call(twin.system));
            requireSame(toString(), model, system);
            if (!system.failed()) {
                throw new InvariantViolation(Invariant.REJECT_AFTER_CLOSE, call + " after close succeeded");
            }
            return "(" + system.text() + ")";
        }

        private void call(dev.allocspec.spec.BlockAllocator allocator) {
            switch (call) {
                case ALLOCATE -> allocator.allocate(64);
                case STATS -> allocator.stats();
                case ARENAS -> allocator.arenas();
                case CLOSE -> allocator.close();
            }
        }

        @Override
        public String kind() {
            return "use after close";
        }

        @Override
        public String toString() {
            return call.name().toLowerCase(java.util.Locale.ROOT) + " after close";
        }
    }

    /** Opens fresh allocators on both sides after a close. */
    record Reopen() implements Action<AllocatorTwin> {
        @Override
        public boolean precondition(AllocatorTwin twin) {
            return twin.closed;
        }

        @Override
        public String run(AllocatorTwin twin) {
            twin.open();
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

    static void fill(MemorySegment block, long pattern) {
        for (long i = 0; i < block.byteSize(); i++) {
            block.set(ValueLayout.JAVA_BYTE, i, patternByte(pattern, i));
        }
    }

    /** The index of the first byte that is not the pattern, or -1. */
    static long firstWrongByte(MemorySegment block, long pattern) {
        for (long i = 0; i < block.byteSize(); i++) {
            if (block.get(ValueLayout.JAVA_BYTE, i) != patternByte(pattern, i)) {
                return i;
            }
        }
        return -1;
    }

    private static byte patternByte(long pattern, long index) {
        return (byte) (pattern * 31 + index * 7);
    }
}
