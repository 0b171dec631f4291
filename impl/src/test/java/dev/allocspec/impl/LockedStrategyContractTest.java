package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.BeforeAll;

/** The contract, held by the lock-free allocator with the {@link CasStrategy#LOCKED} strategy forced. */
class LockedStrategyContractTest extends BlockAllocatorContract {

    @BeforeAll
    static void strategyRunsHere() {
        Configurations.assumeRunsHere(CasStrategy.LOCKED);
        System.out.println("[LockedStrategyContractTest] strategy: " + CasStrategy.LOCKED.instructionPath());
    }

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return LockFreeBlockAllocator.builder().strategy(CasStrategy.LOCKED).policy(policy).memory(memory)
                .purgePolicy(purgePolicy).decayThread(false).build();
    }
}
