package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.reference.ReferenceAllocator;

/**
 * The family contract run against the FIFO allocator. Not run by surefire on its own: {@link PolicyDiffersTest}
 * launches it and checks it fails on policy alone.
 */
class FifoReuseFamilyContract extends BlockAllocatorContract {

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return ExampleAllocators.FIFO_REUSE.create(policy, memory, purgePolicy);
    }
}
