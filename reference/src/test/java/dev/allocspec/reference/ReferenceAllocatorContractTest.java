package dev.allocspec.reference;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;

/** The contract, held by the reference allocator. */
class ReferenceAllocatorContractTest extends BlockAllocatorContract {

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return new ReferenceAllocator(policy, memory, purgePolicy);
    }
}
