package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.BeforeAll;

/** The contract, held by the lock-free allocator with the {@link CasStrategy#NATIVE_CAS128} strategy forced. */
class NativeStrategyContractTest extends BlockAllocatorContract {

    @BeforeAll
    static void strategyRunsHere() {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
        System.out.println("[NativeStrategyContractTest] strategy: " + CasStrategy.NATIVE_CAS128.instructionPath());
    }

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return LockFreeBlockAllocator.builder().strategy(CasStrategy.NATIVE_CAS128).policy(policy).memory(memory)
                .purgePolicy(purgePolicy).decayThread(false)
                .build();
    }
}
