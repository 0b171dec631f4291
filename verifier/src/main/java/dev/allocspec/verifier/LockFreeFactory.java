package dev.allocspec.verifier;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.MemorySource;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;

/**
 * The lock-free allocator as the verifier checks it: one strategy, thread caches on or off, with the small cache
 * thresholds of the properties (so that their runs reach refills, flushes, low-water passes and reclaims, which they
 * are then required to).
 *
 * @param strategy    the CAS strategy
 * @param threadCache whether threads get caches
 */
record LockFreeFactory(CasStrategy strategy, boolean threadCache) implements AllocatorFactory {

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return builder(policy, memory).build();
    }

    /** Without the decay thread: its ticks would be purge points the reference does not see. */
    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return builder(policy, memory).purgePolicy(purgePolicy).decayThread(false).build();
    }

    private LockFreeBlockAllocator.Builder builder(ChunkPolicy policy, MemorySource memory) {
        return LockFreeBlockAllocator.builder().strategy(strategy).threadCache(threadCache)
                .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(policy).memory(memory);
    }
}
