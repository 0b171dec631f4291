package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import dev.allocspec.reference.ReferenceAllocator;

import java.util.Optional;

/** An allocator of another policy (FIFO reuse) keeps every safety invariant. */
class FifoReuseAllocatorSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @Override
    protected OffHeapAllocator newAllocator() {
        return new FifoReuseAllocator(new ReferenceAllocator(new ChunkPolicy(4), OsMemory.system()));
    }

    @Override
    protected Optional<OffHeapAllocator> newAllocator(MemorySource memory) {
        return Optional.of(new FifoReuseAllocator(new ReferenceAllocator(new ChunkPolicy(4), memory)));
    }
}
