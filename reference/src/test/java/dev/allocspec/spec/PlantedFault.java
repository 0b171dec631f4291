package dev.allocspec.spec;

/**
 * One deliberate bug each, planted by {@link FaultyAllocator} around a correct allocator. The contract must catch
 * every one of them; {@link ContractTeethTest} shows it does. The property module plants some of them around the
 * lock-free allocator as negative controls.
 */
public enum PlantedFault {
    /** Requests of exactly a class's block size are served from the next class up. */
    CLASS_OFF_BY_ONE,
    /** Zero-byte requests are refused. */
    REJECTS_ZERO_SIZE,
    /** Alignment is ignored. */
    IGNORES_ALIGNMENT,
    /** Every third allocation hands out the previous block again. */
    HANDS_OUT_BLOCK_TWICE,
    /** Every other allocation of up to 8 KiB starts halfway into the one before it: live neighbours overlap. */
    OVERLAPS_NEIGHBOUR,
    /** arenas() forgets every arena. */
    FORGETS_ARENAS,
    /** Freeing a block writes a free-list link into the block after it, which may be live. */
    LINKS_INTO_NEIGHBOUR,
    /** Freed pooled blocks are leaked instead of reused. */
    LEAKS_FREED_BLOCK,
    /** Frees are delayed by one, so reuse is no longer LIFO. */
    DELAYS_FREE,
    /** Chunks carry twice the blocks the policy says. */
    WRONG_CHUNK_SIZE,
    /** Raw blocks are never given back. */
    KEEPS_RAW_MAPPING,
    /** Freed large mappings are unmapped at once instead of cached (a retained cap of 0: the old policy). */
    CACHES_NO_LARGE_MAPPING,
    /** Cached large mappings are never unmapped before close, whatever the retained cap. */
    IGNORES_RETAINED_CAP,
    /** The dirty bound is never checked: dirty mappings are purged only by decay and purge(). */
    IGNORES_DIRTY_BOUND,
    /** Dirty mappings decay a thousand times slower than the policy says. */
    IGNORES_DECAY,
    /** purge() returns without purging. */
    PURGE_DOES_NOTHING,
    /** Free pooled blocks are never purged (the policy's pooled purge off): only large mappings are. */
    IGNORES_POOLED_PURGE,
    /** stats() counts one live 64-byte block too many. */
    STATS_OFF_BY_ONE,
    /** A negative size is served as zero. */
    ACCEPTS_NEGATIVE_SIZE,
    /** A size above the maximum is passed to the system. */
    ACCEPTS_HUGE_SIZE,
    /** A non-power-of-two alignment is rounded up instead of refused. */
    ROUNDS_BAD_ALIGNMENT,
    /** Freeing a segment the allocator does not own is silently ignored. */
    IGNORES_FOREIGN_FREE,
    /** An interior address is rounded down to its block and freed. */
    FREES_INTERIOR_ADDRESS,
    /** The caller's size is not checked: the block is freed whatever size is given (jalib's release build). */
    TRUSTS_FREE_SIZE,
    /** A double free is silently ignored. */
    IGNORES_DOUBLE_FREE,
    /** free(null) returns quietly. */
    IGNORES_NULL,
    /** stats() keeps answering after close. */
    STATS_AFTER_CLOSE,
    /** A second close() returns quietly instead of refusing (an "idempotent" close). */
    CLOSE_TWICE_QUIET,
    /** close() marks the allocator closed but keeps its memory. */
    CLOSE_KEEPS_MEMORY,
    /** After the system refused memory once, the allocator refuses everything. */
    POISONED_BY_REFUSAL,
    /** Frees from a thread other than the allocating one are dropped (a naive thread-confined cache). */
    DROPS_CROSS_THREAD_FREE
}
