package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.BeforeAll;

/** The contract, held by the lock-free allocator with the strategy chosen automatically, as {@code create()} does. */
class AutoStrategyContractTest extends BlockAllocatorContract {

    @BeforeAll
    static void reportStrategy() {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.create()) {
            System.out.println("[AutoStrategyContractTest] " + allocator.strategyReport());
        }
    }

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return LockFreeBlockAllocator.builder().policy(policy).memory(memory)
                .purgePolicy(purgePolicy).decayThread(false).build();
    }
}
