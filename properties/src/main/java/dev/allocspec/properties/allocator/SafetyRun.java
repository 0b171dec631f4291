package dev.allocspec.properties.allocator;

import dev.allocspec.spec.OffHeapAllocator;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The state of one run of the {@link SafetyStateMachine}: the allocator under test and the model, which is nothing but
 * the blocks it handed out — live ones with their size, alignment and the pattern written into them, and freed ones
 * whose stale segments a double free reuses. No positions: any allocator's are right.
 */
public final class SafetyRun {

    /** A block the allocator handed out, under the handle number the run gave it. */
    static final class Block {
        final int id;
        final MemorySegment segment;
        /** The pattern written into it; 0: none yet. */
        long pattern;

        Block(int id, MemorySegment segment) {
            this.id = id;
            this.segment = segment;
        }

        /** The bytes it takes: its size, and one for an empty block, so that two live blocks never share an address. */
        long extent() {
            return Math.max(1, segment.byteSize());
        }
    }

    private final Supplier<? extends OffHeapAllocator> factory;
    OffHeapAllocator system;
    final Map<Integer, Block> live = new TreeMap<>();
    final Map<Integer, Block> freed = new TreeMap<>();
    boolean closed;
    /** Handle numbers are given out at generation time, so a deleted allocation leaves a gap, not a renumbering. */
    int nextHandle = 1;

    SafetyRun(Supplier<? extends OffHeapAllocator> factory) {
        this.factory = factory;
        open();
    }

    void open() {
        system = factory.get();
        live.clear();
        freed.clear();
        closed = false;
    }

    /** Whether a live block starts at {@code address}: a stale segment there is the new owner's block. */
    boolean liveAt(long address) {
        return live.values().stream().anyMatch(b -> b.segment.address() == address);
    }

    void closeQuietly() {
        try {
            system.close();
        } catch (RuntimeException alreadyClosedOrBroken) {
            // disposal after a failure: the failure is what gets reported
        }
    }
}
