package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;

/**
 * An allocator seen through the three calls of {@link OffHeapAllocator} only: no stats, no arenas, no count of live
 * blocks — what the safety profile sees of an allocator somebody else wrote.
 */
public final class ThreeCallView implements OffHeapAllocator {

    private final OffHeapAllocator allocator;

    /** {@code allocator} through allocate, free and close only. */
    public ThreeCallView(OffHeapAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return allocator.allocate(byteSize, byteAlignment);
    }

    @Override
    public void free(MemorySegment block) {
        allocator.free(block);
    }

    @Override
    public void close() {
        allocator.close();
    }
}
