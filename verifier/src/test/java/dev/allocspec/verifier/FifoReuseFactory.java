package dev.allocspec.verifier;

import dev.allocspec.os.MemorySource;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.FifoReuseAllocator;

/** A correct allocator of another policy (FIFO reuse), for the verifier's profiles end to end. */
public final class FifoReuseFactory implements AllocatorFactory {

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return new FifoReuseAllocator(new ReferenceAllocator(policy, memory));
    }
}
