package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
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
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return LockFreeBlockAllocator.builder().policy(policy).memory(memory).build();
    }
}
