package dev.allocspec.properties.controls;

import dev.allocspec.spec.BlockAllocator;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A correct allocator with one flaw that keeps every block with one owner, every cookie intact and nothing lost, yet
 * gives concurrent histories that no sequential run explains: negative controls for the history check
 * (INV-LINEARIZABLE), which only concurrency can expose. Sequentially it is the allocator it wraps.
 */
final class NonLinearizableAllocator extends ForwardingAllocator {

    /** The flaw. */
    enum Flaw {
        /**
         * A free publishes the block before it records it as freed: a thread that gets the block in between owns
         * it when the record lands, and its own free is then rejected as a double free.
         */
        PUBLISHES_BEFORE_MARKING_FREE,
        /**
         * A free that overlapped another call takes effect and then reports failure ("not a block of this
         * allocator"): the block is free, but its owner was told it is not.
         */
        FAILS_AFTER_EFFECT_UNDER_CONTENTION
    }

    /** Yields that widen the window between publishing and recording. */
    private static final int WINDOW = 20;

    private final Flaw flaw;
    private final Set<Long> recordedFree = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();

    NonLinearizableAllocator(Flaw flaw, BlockAllocator delegate) {
        super(delegate);
        this.flaw = flaw;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        inFlight.incrementAndGet();
        try {
            MemorySegment block = delegate.allocate(byteSize, byteAlignment);
            recordedFree.remove(block.address());
            return block;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void free(MemorySegment block) {
        boolean overlapped = inFlight.incrementAndGet() > 1;
        try {
            switch (flaw) {
                case PUBLISHES_BEFORE_MARKING_FREE -> {
                    if (block != null && recordedFree.contains(block.address())) {
                        throw new IllegalStateException("double free of block 0x"
                                + Long.toHexString(block.address()));
                    }
                    delegate.free(block);
                    for (int i = 0; i < WINDOW; i++) {
                        Thread.yield();
                    }
                    recordedFree.add(block.address());
                }
                case FAILS_AFTER_EFFECT_UNDER_CONTENTION -> {
                    delegate.free(block);
                    if (overlapped || inFlight.get() > 1) {
                        throw new IllegalArgumentException("not a block of this allocator: 0x"
                                + Long.toHexString(block.address()));
                    }
                }
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }
}
