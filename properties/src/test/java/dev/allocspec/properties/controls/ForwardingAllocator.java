package dev.allocspec.properties.controls;

import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.InternalPaths;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * A correct allocator passed through, for the negative controls that break one call of it: everything not overridden
 * goes to the allocator it wraps, its internal path counts included.
 */
abstract class ForwardingAllocator implements BlockAllocator, InternalPaths {

    final BlockAllocator delegate;

    ForwardingAllocator(BlockAllocator delegate) {
        this.delegate = delegate;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return delegate.allocate(byteSize, byteAlignment);
    }

    @Override
    public void free(MemorySegment block) {
        delegate.free(block);
    }

    @Override
    public List<MemorySegment> arenas() {
        return delegate.arenas();
    }

    @Override
    public AllocatorStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void purge() {
        delegate.purge();
    }

    @Override
    public Map<String, Long> internalPathCounts() {
        return delegate instanceof InternalPaths paths ? paths.internalPathCounts() : Map.of();
    }
}
