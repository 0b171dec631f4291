package dev.allocspec.properties.controls;

import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A correct allocator until its {@code healthy}th allocation; from then on every allocation hands out the block it
 * handed out before (a pooled one), again, while that block may be live. A fault that only a long life shows: short
 * tries on a fresh allocator never get there, and a concurrent counterexample needs that many allocations, in any
 * threads.
 */
public final class DuplicatesAfterManyAllocations extends ForwardingAllocator {

    /** The allocations {@link NegativeControl#DUPLICATES_AFTER_500_ALLOCATIONS} serves correctly. */
    static final int FIVE_HUNDRED = 500;

    private final int healthy;
    private final AtomicInteger allocations = new AtomicInteger();
    private volatile MemorySegment previous;

    /** {@code delegate}, correct for its first {@code healthy} allocations. */
    public DuplicatesAfterManyAllocations(int healthy, BlockAllocator delegate) {
        super(delegate);
        this.healthy = healthy;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment last = previous;
        // Pooled blocks only, and a slice that keeps the block's scope: a use after close throws instead of
        // crashing the JVM.
        if (allocations.incrementAndGet() > healthy && last != null && byteSize <= last.byteSize()
                && last.byteSize() <= SizeClass.LARGEST_BLOCK) {
            return last.asSlice(0, byteSize);
        }
        MemorySegment block = delegate.allocate(byteSize, byteAlignment);
        previous = block;
        return block;
    }
}
