package dev.allocspec.properties.controls;

import dev.allocspec.impl.BrokenCachePaths;
import dev.allocspec.impl.BrokenFreeStacks;
import dev.allocspec.impl.BrokenPurge;
import dev.allocspec.impl.FreeStack;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.MemorySource;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.FaultyAllocator;
import dev.allocspec.spec.PlantedFault;

/**
 * Broken variants of the lock-free allocator, each breaking one thing. The properties must catch every sequential
 * one; the concurrent ones are caught by the deterministic ABA replay and the concurrent scenarios (the last two by
 * the scenarios' history check alone).
 */
public enum NegativeControl implements AllocatorFactory {
    /** The stamp is never incremented (ABA possible). Concurrent only. */
    UNSTAMPED_STACK(true),
    /** A push whose CAS fails is dropped. Concurrent only. */
    LOST_PUSH_ON_CAS_FAILURE(true),
    /** A new chunk is carved into overlapping blocks. */
    OVERLAPPING_CARVE(false),
    /** A request of exactly a class's block size goes to the next class. */
    CLASS_BOUNDARY_OFF_BY_ONE(false),
    /** Freeing a block writes a free-list link into the neighbouring, possibly live, block. */
    LINK_INTO_LIVE_NEIGHBOUR(false),
    /** A double free is silently accepted. */
    DOUBLE_FREE_UNDETECTED(false),
    /** A raw block is never given back to the system. */
    RAW_BLOCK_NOT_RETURNED(false),
    /** The caller's size is trusted on free (jalib's release build). */
    FREE_SIZE_TRUSTED(false),
    /** Frees are delayed by one, so reuse is not LIFO. */
    REUSE_NOT_LIFO(false),
    /**
     * A free publishes the block before it records it freed, so the block's next owner may be told its free is a
     * double free. Ownership and content hold; only the history check catches it. Concurrent only.
     */
    FREE_PUBLISHED_BEFORE_MARKED(true),
    /**
     * A free that overlaps another call takes effect, then reports the block as not the allocator's. Ownership and
     * content hold; only the history check catches it. Concurrent only.
     */
    FREE_FAILS_AFTER_EFFECT(true),
    /**
     * From the 500th allocation on, every allocation hands out the previous block again. Only a long-lived try gets
     * there.
     */
    DUPLICATES_AFTER_500_ALLOCATIONS(false, false, DuplicatesAfterManyAllocations.FIVE_HUNDRED + 100),
    /** A flush of a full thread-cache bin loses a block. Only thresholds within reach show it. */
    FULL_BIN_FLUSH_LOSES_A_BLOCK(false, true, 24),
    /** A low-water pass loses a block. Only thresholds within reach show it. */
    LOW_WATER_PASS_LOSES_A_BLOCK(false, true, 40),
    /** The drain of an ended thread's cache loses a block. Concurrent only (a thread must end). */
    RECLAIM_LOSES_A_BLOCK(true, true, 0),
    /** Freed large mappings are unmapped at once (a retained cap of 0, the policy before the cache). */
    LARGE_MAPPINGS_NOT_CACHED(false),
    /** The retained cap is never enforced. */
    RETAINED_CAP_IGNORED(false, false, 12),
    /** The dirty bound is never checked on free. */
    DIRTY_BOUND_IGNORED(false, false, 12),
    /** Dirty mappings decay a thousand times slower than the policy says. */
    DECAY_IGNORED(false, false, 12),
    /** purge() returns without purging. */
    PURGE_DOES_NOTHING(false, false, 8),
    /** Purges are counted, but the memory source's purge keeps the bytes: a stale reader sees them. */
    PURGE_KEEPS_BYTES(false, false, 8),
    /** Free pooled blocks are never purged (the policy's pooled purge off). */
    POOLED_BLOCKS_NOT_PURGED(false, false, 8);

    /** The longest shrunk counterexample a sequential control may have: a few steps, unless it needs many. */
    private static final int SHORT = 6;

    private final boolean concurrentOnly;
    private final boolean needsThreadCache;
    private final int maxShrunkLength;

    NegativeControl(boolean concurrentOnly) {
        this(concurrentOnly, false, SHORT);
    }

    NegativeControl(boolean concurrentOnly, boolean needsThreadCache, int maxShrunkLength) {
        this.concurrentOnly = concurrentOnly;
        this.needsThreadCache = needsThreadCache;
        this.maxShrunkLength = maxShrunkLength;
    }

    /** Whether only a concurrent schedule can expose it. */
    public boolean concurrentOnly() {
        return concurrentOnly;
    }

    /** Whether the fault lives in the thread caches, so that without them there is nothing to catch. */
    public boolean needsThreadCache() {
        return needsThreadCache;
    }

    /** The longest shrunk counterexample the state machine may report for it. */
    public int maxShrunkLength() {
        return maxShrunkLength;
    }

    /** The broken allocator, with the thread caches on (the allocator's default). */
    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return create(policy, memory, PurgePolicy.DEFAULT, true);
    }

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return create(policy, memory, purgePolicy, true);
    }

    /**
     * The broken allocator, with the thread caches on (with the checks' small thresholds,
     * {@link AllocatorStateMachine#CACHE_SETTINGS}) or off.
     */
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy,
                                 boolean threadCache) {
        LockFreeBlockAllocator.Builder builder = LockFreeBlockAllocator.builder().policy(policy).memory(memory)
                .purgePolicy(purgePolicy).decayThread(false)
                .threadCache(threadCache).threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS);
        return switch (this) {
            case UNSTAMPED_STACK -> builder.freeStacks((c, top, links) ->
                    new BrokenFreeStacks.Unstamped(top, links, FreeStack.PopProbe.NONE)).build();
            case LOST_PUSH_ON_CAS_FAILURE -> builder.freeStacks((c, top, links) ->
                    new BrokenFreeStacks.LosesPushOnCasFailure(top, links)).build();
            case OVERLAPPING_CARVE -> builder.freeStacks(BrokenFreeStacks.OverlappingCarve::new).build();
            case CLASS_BOUNDARY_OFF_BY_ONE -> planted(PlantedFault.CLASS_OFF_BY_ONE, builder);
            case LINK_INTO_LIVE_NEIGHBOUR -> planted(PlantedFault.LINKS_INTO_NEIGHBOUR, builder);
            case DOUBLE_FREE_UNDETECTED -> planted(PlantedFault.IGNORES_DOUBLE_FREE, builder);
            case RAW_BLOCK_NOT_RETURNED -> planted(PlantedFault.KEEPS_RAW_MAPPING, builder);
            case FREE_SIZE_TRUSTED -> planted(PlantedFault.TRUSTS_FREE_SIZE, builder);
            case REUSE_NOT_LIFO -> planted(PlantedFault.DELAYS_FREE, builder);
            // Without the caches a freed block goes straight to the shared stack, where another thread can take it.
            case FREE_PUBLISHED_BEFORE_MARKED -> new NonLinearizableAllocator(
                    NonLinearizableAllocator.Flaw.PUBLISHES_BEFORE_MARKING_FREE, builder.threadCache(false).build());
            case FREE_FAILS_AFTER_EFFECT -> new NonLinearizableAllocator(
                    NonLinearizableAllocator.Flaw.FAILS_AFTER_EFFECT_UNDER_CONTENTION, builder.build());
            case DUPLICATES_AFTER_500_ALLOCATIONS -> new DuplicatesAfterManyAllocations(
                    DuplicatesAfterManyAllocations.FIVE_HUNDRED, builder.build());
            case FULL_BIN_FLUSH_LOSES_A_BLOCK -> BrokenCachePaths.fullBinFlushLosesABlock(builder).build();
            case LOW_WATER_PASS_LOSES_A_BLOCK -> BrokenCachePaths.lowWaterPassLosesABlock(builder).build();
            case RECLAIM_LOSES_A_BLOCK -> BrokenCachePaths.reclaimLosesABlock(builder).build();
            case LARGE_MAPPINGS_NOT_CACHED -> builder.purgePolicy(purgePolicy.withRetainedCap(0)).build();
            case RETAINED_CAP_IGNORED -> builder.purgePolicy(purgePolicy.withRetainedCap(Long.MAX_VALUE)).build();
            case DIRTY_BOUND_IGNORED -> builder.purgePolicy(purgePolicy.withDirtyBound(Long.MAX_VALUE, 62)).build();
            case DECAY_IGNORED -> builder.purgePolicy(purgePolicy.withDecayDelay(
                    purgePolicy.decayDelay().multipliedBy(1000))).build();
            case PURGE_DOES_NOTHING -> planted(PlantedFault.PURGE_DOES_NOTHING, builder);
            case PURGE_KEEPS_BYTES -> builder.memory(BrokenPurge.keepsBytes(memory)).build();
            case POOLED_BLOCKS_NOT_PURGED -> builder.purgePolicy(purgePolicy.withPooledPurge(false)).build();
        };
    }

    private static BlockAllocator planted(PlantedFault fault, LockFreeBlockAllocator.Builder builder) {
        return new FaultyAllocator(fault, builder.build());
    }
}
