package dev.allocspec.properties.allocator;

import dev.allocspec.os.OsMemory;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The state of one run of the allocator state machine: the reference allocator (the model) and the allocator under
 * test side by side, with the blocks both handed out under one handle number.
 */
public final class AllocatorTwin {

    /** A block as both sides handed it out, and the pattern written into it (0: none yet). */
    public static final class Handle {
        final int id;
        final MemorySegment model;
        final MemorySegment system;
        long pattern;

        Handle(int id, MemorySegment model, MemorySegment system) {
            this.id = id;
            this.model = model;
            this.system = system;
        }

        SizeClass sizeClass() {
            return SizeClass.forSize(model.byteSize());
        }
    }

    private final BiFunction<ChunkPolicy, PurgePolicy, BlockAllocator> systemFactory;
    private final ChunkPolicy policy;
    /** The time both sides' purge policy reads; only {@code PassTime} moves it. */
    final ManualClock clock = new ManualClock();
    final PurgePolicy purgePolicy = AllocatorStateMachine.purgePolicy(clock);
    BlockAllocator model;
    BlockAllocator system;
    final Map<Integer, Handle> live = new TreeMap<>();
    final Map<Integer, Handle> freed = new TreeMap<>();
    boolean closed;
    /** Handle numbers are given out at generation time, so a deleted allocation leaves a gap, not a renumbering. */
    int nextHandle = 1;

    AllocatorTwin(BiFunction<ChunkPolicy, PurgePolicy, BlockAllocator> systemFactory, ChunkPolicy policy) {
        this.systemFactory = systemFactory;
        this.policy = policy;
        open();
    }

    void open() {
        model = new ReferenceAllocator(policy, OsMemory.system(), purgePolicy);
        system = systemFactory.apply(policy, purgePolicy);
        live.clear();
        freed.clear();
        closed = false;
    }

    void closeQuietly() {
        for (BlockAllocator side : new BlockAllocator[] {model, system}) {
            try {
                side.close();
            } catch (RuntimeException alreadyClosedOrBroken) {
                // disposal after a failure: the failure is what gets reported
            }
        }
    }
}
