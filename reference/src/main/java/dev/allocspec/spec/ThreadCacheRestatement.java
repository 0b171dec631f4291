package dev.allocspec.spec;

import java.util.List;

/**
 * What per-thread caches of free blocks change in the {@link Invariant} catalogue, invariant by invariant.
 *
 * <p>An implementation may keep free blocks in caches in front of its shared free stacks, as jemalloc's tcache does:
 * the lock-free allocator does by default (a cache per platform thread, and stripe caches that virtual threads share
 * one operation at a time). Its caches are exact for a single thread: a thread's cache sits on top of the shared stack
 * as one logical LIFO stack, and moving blocks between them never reorders it, so the single-threaded invariants hold
 * as written. What changes is what "the free stack" means, and which block another thread's allocation gets. Each
 * constant restates one invariant for that configuration; invariants not listed hold exactly as written.
 * {@code INVARIANTS.md} renders these below the catalogue.
 */
public enum ThreadCacheRestatement {

    CONSERVATION(Invariant.CONSERVATION,
            "Free blocks are those on the shared stack and those in every cache (of live threads, of threads that "
                    + "ended and are not yet reclaimed, and of the stripes); carved = live + free per class, and no "
                    + "block is twice among the stack and the caches together.",
            CheckNames.LOCK_FREE + "#checkInvariants",
            CheckNames.CACHES + "#cachesOfThreadsThatEndedAreReclaimed",
            CheckNames.CACHES + "#aVirtualThreadAllocatesAndFreesThroughItsStripe"),
    REUSE_BEFORE_GROWTH(Invariant.REUSE_BEFORE_GROWTH,
            "An allocation obtains a new chunk only when the cache it uses has no block of the class, the shared "
                    + "stack is empty, and no cache of a thread that ended holds a free block. Free blocks in the "
                    + "caches of live threads do not stop it: they return to the shared stack when their cache "
                    + "flushes (full bin, low-water pass) or their thread ends. A single thread sees no difference.",
            CheckNames.CONTRACT + "#reusesFreedBlockBeforeGrowing",
            CheckNames.REFINES,
            CheckNames.CACHES + "#aPoolTakesBackTheCachesOfThreadsThatEndedBeforeItGrows"),
    LIFO(Invariant.LIFO,
            "Unchanged for a single thread: its allocation returns the block it freed last, whether that block is "
                    + "still in its cache or was flushed to the shared stack.",
            CheckNames.CACHES + "#aSingleThreadSeesOneLogicalLifoStackAcrossCacheAndSharedStack",
            CheckNames.CACHES + "#aVirtualThreadAllocatesAndFreesThroughItsStripe",
            CheckNames.REFINES_ON_VIRTUAL_THREAD),
    SINGLE_OWNER(Invariant.SINGLE_OWNER,
            "Also: a cache has one user at a time. A platform thread's cache is used only by that thread (and "
                    + "drained by another only after it ended); a stripe cache only by the thread that holds its "
                    + "try-lock.",
            CheckNames.CACHES + "#threadsWhoseIdsShareASlotEachGetTheirOwnCache",
            CheckNames.CACHES + "#aStripeHasOneUserAtATime",
            CheckNames.STRESS + "#virtualThreadsSharingStripeCachesLoseNothing",
            CheckNames.VIRTUAL_SCENARIOS),
    NOTHING_LOST(Invariant.NOTHING_LOST,
            "After concurrent threads free everything they allocated, every carved block is on the shared stack or "
                    + "in one cache, exactly once; caches of threads that ended are drained, never dropped.",
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.STRESS + "#virtualThreadsSharingStripeCachesLoseNothing",
            CheckNames.VIRTUAL_SCENARIOS,
            CheckNames.CACHES + "#cachesOfThreadsThatEndedAreReclaimed",
            CheckNames.CACHES + "#aNewThreadDrainsTheCachesOfThreadsThatEnded",
            CheckNames.CACHES + "#shortLivedThreadsDoNotStrandBlocks",
            CheckNames.CACHES + "#sweepsReachTheCacheOfAnEndedThreadBehindManyLiveOnes"),
    LINEARIZABLE(Invariant.LINEARIZABLE,
            "Unchanged, and checked as stated: the history check leaves open which free block an allocation "
                    + "returns, so the caches' policy (a LIFO bin per cache on top of the shared stack, refilled and "
                    + "flushed in batches) needs no model of its own there; sizes, errors, ownership and content do "
                    + "not change.",
            CheckNames.SCENARIOS,
            CheckNames.VIRTUAL_SCENARIOS,
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost"),
    REFINEMENT(Invariant.REFINEMENT,
            "Unchanged: with the caches on, a single-threaded sequence gives the reference's results exactly, on "
                    + "a platform thread through its own cache and on a virtual thread through a stripe (the caches "
                    + "model the reference's LIFO policy, they do not restate it).",
            CheckNames.REFINES,
            CheckNames.REFINES_ON_VIRTUAL_THREAD,
            "dev.allocspec.properties.allocator.DifferentialRunTest#sameOutcomesAsTheReferenceOnALongRandomSequence");

    private final Invariant invariant;
    private final String restatement;
    private final List<String> enforcedBy;

    ThreadCacheRestatement(Invariant invariant, String restatement, String... enforcedBy) {
        this.invariant = invariant;
        this.restatement = restatement;
        this.enforcedBy = List.of(enforcedBy);
    }

    /** The invariant restated. */
    public Invariant invariant() {
        return invariant;
    }

    /** What the invariant says with thread caches on. */
    public String restatement() {
        return restatement;
    }

    /** The checks that run it with thread caches on, as {@code fully.qualified.Class#method}. */
    public List<String> enforcedBy() {
        return enforcedBy;
    }
}
