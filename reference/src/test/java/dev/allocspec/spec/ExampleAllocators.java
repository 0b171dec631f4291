package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.reference.ReferenceAllocator;

/**
 * Allocators for showing what the verifier's profiles tell apart, by name:
 * {@code --impl dev.allocspec.spec.ExampleAllocators.FIFO_REUSE --profile family}.
 */
public enum ExampleAllocators implements AllocatorFactory {

    /** {@link FifoReuseAllocator}: safe, of another policy (oldest freed block first). */
    FIFO_REUSE {
        @Override
        public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
            return create(policy, memory, PurgePolicy.DEFAULT);
        }

        @Override
        public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
            return new FifoReuseAllocator(new ReferenceAllocator(policy, memory, purgePolicy));
        }
    }
}
