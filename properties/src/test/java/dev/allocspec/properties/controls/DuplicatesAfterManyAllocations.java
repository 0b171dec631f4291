package dev.allocspec.properties.controls;

import dev.allocspec.spec.BlockAllocator;

import java.lang.foreign.MemorySegment;

/**
 * A correct allocator until its {@value #HEALTHY}th allocation; from then on every allocation hands out the block it
 * handed out before, again, while that block is live. A fault that only a long life shows: short tries on a fresh
 * allocator never get there.
 */
@SuppressWarnings("restricted") // a segment over a known block's address, made on purpose
final class DuplicatesAfterManyAllocations extends ForwardingAllocator {

    /** Allocations served correctly before the fault begins. */
    static final int HEALTHY = 500;

    private int allocations;
    private MemorySegment previous;

    DuplicatesAfterManyAllocations(BlockAllocator delegate) {
        super(delegate);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (++allocations > HEALTHY && previous != null && previous.scope().isAlive()
                && byteSize <= previous.byteSize()) {
            return MemorySegment.ofAddress(previous.address()).reinterpret(byteSize);
        }
        previous = delegate.allocate(byteSize, byteAlignment);
        return previous;
    }
}
