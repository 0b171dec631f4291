package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.BeforeAll;

/** The contract, held by the lock-free allocator with {@link CasStrategy#NATIVE_CAS128} and no thread caches. */
class NativeStrategyNoCacheContractTest extends BlockAllocatorContract {

    @BeforeAll
    static void strategyRunsHere() {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
    }

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return LockFreeBlockAllocator.builder().strategy(CasStrategy.NATIVE_CAS128).policy(policy).memory(memory)
                .purgePolicy(purgePolicy).decayThread(false)
                .threadCache(false).build();
    }
}
