package dev.allocspec.spec;

import java.util.Arrays;
import java.util.List;

/**
 * The catalogue of allocator invariants: each has a stable ID, a one-line statement, the reason it matters, and the
 * checks that enforce it ({@code fully.qualified.Class#method}). {@code INVARIANTS.md} at the repository root is
 * rendered from this enum by {@link InvariantCatalogue} and kept in sync by a test.
 *
 * <p>IDs are stable: reports and regression tests refer to them. Add new ones; never rename or reuse one.
 */
public enum Invariant {

    SIZE_CLASS("INV-SIZE-CLASS", Profile.FAMILY,
            "A returned segment has exactly the requested size and starts a block of the smallest class whose block "
                    + "size is at least max(size, alignment), at an address that is a multiple of min(block size, "
                    + "page size); zero bytes is served by the 64-byte class.",
            "Callers rely on the byte size for bounds checks; a block from the wrong class wastes memory or, if too "
                    + "small, lets writes run into the next block.",
            CheckNames.CONTRACT + "#returnsExactSizeInSmallestClass",
            CheckNames.CONTRACT + "#servesZeroSizeFromSmallestClass",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    EXACT_SIZE("INV-EXACT-SIZE", Profile.SAFETY,
            "A returned segment is native, of exactly the requested size (zero allowed), and readable and writable "
                    + "over all of it.",
            "Callers rely on the byte size for bounds checks: a segment shorter than asked for fails them, a longer "
                    + "one lets writes run into the next block.",
            CheckNames.SAFETY_CONTRACT + "#returnsNativeSegmentOfExactSize",
            CheckNames.CONTRACT + "#returnsExactSizeInSmallestClass",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    ALIGN("INV-ALIGN", Profile.SAFETY,
            "Every block address is a multiple of the requested alignment.",
            "Unaligned blocks break atomic and vector accesses and foreign code that assumes natural alignment.",
            CheckNames.SAFETY_CONTRACT + "#honoursRequestedAlignment",
            CheckNames.CONTRACT + "#honoursPowerOfTwoAlignment",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    DISJOINT("INV-DISJOINT", Profile.SAFETY,
            "No two live blocks overlap.",
            "Overlapping blocks let one owner silently overwrite another's data.",
            CheckNames.SAFETY_CONTRACT + "#liveBlocksNeverOverlap",
            CheckNames.CONTRACT + "#liveBlocksNeverOverlap",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE),
    ARENA_CONTAINMENT("INV-ARENA-CONTAINMENT", Profile.FAMILY,
            "Every pooled block lies on a block boundary inside a recorded arena of its own class.",
            "Ownership lookup for free, arena listing and the conservation law all depend on it.",
            CheckNames.CONTRACT + "#blocksLieInsideRecordedArenas",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            "dev.allocspec.impl.LockFreeInvariantsTest#refusesToHandOutABlockOfAnotherClassFromTheSharedStack",
            "dev.allocspec.impl.LockFreeInvariantsTest#refusesToTakeABlockOfAnotherClassIntoAThreadCache",
            "dev.allocspec.impl.LockFreeInvariantsTest#refusesToFollowALinkWrittenAfterFreeInsteadOfCrashing",
            "dev.allocspec.impl.LockFreeInvariantsTest#refusesToRefillACacheThroughALinkWrittenAfterFree",
            "dev.allocspec.impl.FreeStackLinkGuardTest#aPopReportsARefusedLinkOnlyIfTheTopNeverMoved",
            CheckNames.JCSTRESS + "ScribbledLinkTest$Scenario#t1"),
    ARENAS_RECORDED("INV-ARENAS-RECORDED", Profile.FAMILY,
            "Every chunk and raw mapping obtained from the system and not given back is listed by arenas(), in the "
                    + "order obtained, with no cap on their number.",
            "Tools (checkpointing, leak checks) walk the arenas; jalib's fixed array of 1024 records overflowed.",
            CheckNames.CONTRACT + "#blocksLieInsideRecordedArenas",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndCached",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE),
    CONTENT("INV-CONTENT", Profile.SAFETY,
            "Bytes a user wrote into a live block are never changed by the allocator (in this family: its free-list "
                    + "link lives only in free blocks).",
            "Allocators keep free lists and headers in or beside the blocks, so a link written at the wrong time or "
                    + "place corrupts data.",
            CheckNames.SAFETY_CONTRACT + "#keepsBytesUserWrote",
            CheckNames.SAFETY_MACHINE,
            CheckNames.MACHINE,
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "CookieHandoffTest$Scenario#t2"),
    CONSERVATION("INV-CONSERVATION", Profile.FAMILY,
            "Per class, carved = live + free (the free stack's blocks and the purged ones), no block is both live "
                    + "and free, no block is free twice, and stats() agrees with the state.",
            "A lost block is a leak and a duplicated one is a future double allocation; counts that drift hide both.",
            CheckNames.CONTRACT + "#statsAgreeWithOperations",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.LOCK_FREE + "#checkInvariants",
            CheckNames.MACHINE),
    REUSE_BEFORE_GROWTH("INV-REUSE-BEFORE-GROWTH", Profile.FAMILY,
            "A class obtains a new chunk only when it has no free block: its free stack is empty, and so are its "
                    + "purged blocks, which lie below the stack and come back onto it when it empties.",
            "Growing while free blocks wait strands memory; it is the policy the optimised allocator must reproduce.",
            CheckNames.CONTRACT + "#reusesFreedBlockBeforeGrowing",
            CheckNames.REFINES),
    LIFO("INV-LIFO", Profile.FAMILY,
            "In a single thread, an allocation from a class returns the block most recently freed to that class.",
            "LIFO reuse keeps recently touched, cache-hot blocks in use; it fixes the reuse policy exactly.",
            CheckNames.CONTRACT + "#reusesLifo",
            CheckNames.REFINES),
    CARVE_ORDER("INV-CARVE-ORDER", Profile.FAMILY,
            "A new chunk has ChunkPolicy.blocksPerChunk blocks, handed out lowest address first.",
            "Fixing the carving order makes the (arena index, offset) of every block a function of the operations.",
            CheckNames.CONTRACT + "#carvesNewChunkInAddressOrder",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    RAW_PAGES("INV-RAW-PAGES", Profile.FAMILY,
            "A large (raw) block, above 16384 bytes, starts at the base of a page-aligned mapping of whole pages of "
                    + "its own that fits it (SizeClass.largeMappingFits), recorded as an arena while mapped.",
            "Large blocks must not fragment the pools, and page alignment lets callers map or protect them.",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndCached",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    RAW_RETURNED("INV-RAW-RETURNED", Profile.FAMILY,
            "Freeing a large block keeps its mapping, cached for reuse and still listed as an arena; a mapping goes "
                    + "back to the system (its scope closed, its arena record removed) only by close() or, oldest "
                    + "freed first, when the cached bytes exceed the PurgePolicy's retained cap.",
            "Mapping and unmapping on every large free cost a system call and a scope handshake with every thread "
                    + "(54 us a pair); keeping mappings forever would leak address space without bound.",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndCached",
            CheckNames.CONTRACT + "#unmapsOnlyOverTheRetainedCap",
            CheckNames.REFINES,
            CheckNames.JCSTRESS + "RawDoubleFreeTest$Scenario#arbiter"),
    LARGE_REUSE("INV-LARGE-REUSE", Profile.FAMILY,
            "A large allocation takes the cached free mapping with the fewest bytes among those that fit it "
                    + "(at least its page-rounded size, at most a quarter more), among equals the one freed last; it "
                    + "maps a new one only when none fits. A cached mapping backs no live block.",
            "Reuse before mapping is what makes a large pair cheap; an exact rule keeps two allocators block for "
                    + "block alike and bounds the waste of a reused mapping.",
            CheckNames.CONTRACT + "#reusesTheBestFittingCachedMapping",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            CheckNames.REFINES),
    RETAINED_CAP("INV-RETAINED-CAP", Profile.FAMILY,
            "After every call the bytes of cached free mappings are at most the PurgePolicy's retained cap.",
            "Purged mappings hold no memory but still hold address space and kernel bookkeeping; the cap bounds "
                    + "them.",
            CheckNames.CONTRACT + "#unmapsOnlyOverTheRetainedCap",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            CheckNames.REFINES),
    DIRTY_BOUND("INV-DIRTY-BOUND", Profile.FAMILY,
            "After every call the dirty bytes (cached mappings not purged since freed) are at most "
                    + "max(floor, active >> lgDirtyRatio) of the PurgePolicy, active being the pooled chunks' bytes "
                    + "plus the live large mappings'; a large free that passes the bound purges the mappings dirty "
                    + "longest first.",
            "jemalloc's ratio trigger: a service's free memory that stays resident is bounded by a fraction of what "
                    + "it uses, whenever it frees.",
            CheckNames.CONTRACT + "#purgesOverTheDirtyBound",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            CheckNames.REFINES),
    DECAY("INV-DECAY", Profile.FAMILY,
            "At every purge point (the end of each large allocate and free, and purge()) every cached mapping "
                    + "dirty for at least the PurgePolicy's decay delay is purged, and so are the free blocks of a "
                    + "purged pooled class whose last pass (or the allocator's making) is a delay old, which starts "
                    + "its count over. (The lock-free allocator's decay "
                    + "thread adds a purge point per tick and then reads the clock at ticks only: a mapping is purged "
                    + "within one tick of the delay, whether or not the allocator is called.)",
            "jemalloc's decay: memory freed in a burst goes back to the system within a bounded time even if the "
                    + "ratio never triggers and the service goes idle.",
            CheckNames.CONTRACT + "#purgesMappingsDirtyForTheDecayDelay",
            CheckNames.CONTRACT + "#purgesFreePooledPagesWithoutChangingTheOrderOfReuse",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            CheckNames.REFINES,
            "dev.allocspec.impl.PurgeResidencyTest#theDecayThreadGivesAnIdleBurstBack"),
    PURGED_ZERO("INV-PURGED-ZERO", Profile.FAMILY,
            "A purged mapping reads as zeros (its pages went back to the system while the range stays mapped), and "
                    + "so does a large block handed out from it, until written; its resident pages are none. So does a "
                    + "purged free block of the 4 KiB and 16 KiB classes while it stays free, and purge() leaves none "
                    + "of their free blocks the calling thread can reach unpurged.",
            "A stale reader must see zeros or its own data, never a crash; a block from a purged mapping must not "
                    + "leak the previous owner's bytes, and purged memory must really leave the process.",
            CheckNames.CONTRACT + "#purgedMemoryReadsZero",
            CheckNames.CONTRACT + "#purgesFreePooledPagesWithoutChangingTheOrderOfReuse",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE,
            "dev.allocspec.impl.PurgeResidencyTest#aFreedPeakIsNotResidentAfterPurge",
            CheckNames.JCSTRESS + "PurgeFreeRaceTest#arbiter",
            CheckNames.JCSTRESS + "PurgeReuseRaceTest#arbiter",
            CheckNames.JCSTRESS + "PooledPurgeRaceTest#arbiter"),
    NO_EARLY_UNMAP("INV-NO-EARLY-UNMAP", Profile.FAMILY,
            "No memory is unmapped while a segment that reaches it can still be used without an exception: a stale "
                    + "segment of a freed block works on mapped memory (reading the next owner's bytes or zeros) "
                    + "until the mapping is unmapped, and from then on every use of it throws IllegalStateException.",
            "A caller's use after free must never crash the JVM; it is why an unmapped mapping's scope closes first. "
                    + "(Safety for an allocator that hands out scoped segments; a C-heap adapter cannot keep it.)",
            CheckNames.CONTRACT + "#staleLargeSegmentNeverReachesUnmappedMemory",
            CheckNames.CONTRACT + "#unmapsOnlyOverTheRetainedCap",
            CheckNames.JCSTRESS + "PurgeCloseRaceTest#arbiter"),
    CLOSE_RETURNS_ALL("INV-CLOSE-RETURNS-ALL", Profile.SAFETY,
            "close() gives all memory back (in this family: every chunk and raw mapping); handed-out segments can no "
                    + "longer be used without an exception. Calls of other threads racing with it complete or throw IllegalStateException, "
                    + "never touch memory already given back, and hand out nothing that outlives it.",
            "An allocator per test or per session must not leak its pools, and a stale segment must fail, not crash; "
                    + "a shutdown that races with worker threads must not kill the JVM.",
            CheckNames.SAFETY_CONTRACT + "#closeGivesEverythingBack",
            CheckNames.CONTRACT + "#closeGivesEverythingBack",
            CheckNames.SAFETY_CONTRACT + "#closeRacingCallsOfOtherThreadsEndsEachCleanly"),
    REJECT_SIZE("INV-REJECT-SIZE", Profile.SAFETY,
            "A negative size is rejected with IllegalArgumentException, and a size the allocator cannot serve with "
                    + "IllegalArgumentException or OutOfMemoryError (in this family: IllegalArgumentException above "
                    + "2^62); state unchanged.",
            "Bad input must never corrupt the allocator.",
            CheckNames.SAFETY_CONTRACT + "#rejectsNegativeSizeAndKeepsState",
            CheckNames.SAFETY_CONTRACT + "#rejectsTooLargeSizeAndKeepsState",
            CheckNames.CONTRACT + "#rejectsTooLargeSizeAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_ALIGNMENT("INV-REJECT-ALIGNMENT", Profile.SAFETY,
            "An alignment that is not a power of two (in this family: or is above the page size) is rejected with "
                    + "IllegalArgumentException; state unchanged.",
            "An alignment silently not honoured is worse than a refusal.",
            CheckNames.SAFETY_CONTRACT + "#rejectsBadAlignmentAndKeepsState",
            CheckNames.CONTRACT + "#rejectsBadAlignmentAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_FOREIGN("INV-REJECT-FOREIGN", Profile.SAFETY,
            "Freeing a segment the allocator does not own (another allocator's, an Arena's, open or closed, a heap "
                    + "segment) is rejected with IllegalArgumentException; state unchanged.",
            "Pushing foreign memory onto a free stack hands it out later to an unsuspecting owner.",
            CheckNames.SAFETY_CONTRACT + "#rejectsForeignSegmentAndKeepsState",
            CheckNames.SAFETY_CONTRACT + "#rejectsSegmentOfAClosedForeignArenaAndKeepsState",
            CheckNames.CONTRACT + "#rejectsSegmentOfAClosedForeignArenaAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_INTERIOR("INV-REJECT-INTERIOR", Profile.SAFETY,
            "Freeing an address inside a block but not at its start is rejected with IllegalArgumentException; "
                    + "state unchanged.",
            "An interior address on a free stack creates overlapping blocks.",
            CheckNames.SAFETY_CONTRACT + "#rejectsInteriorAddressAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_WRONG_SIZE("INV-REJECT-WRONG-SIZE", Profile.SAFETY,
            "Freeing a block with a byte size other than the one allocated is rejected with "
                    + "IllegalArgumentException; state unchanged.",
            "jalib trusts the caller's size and files the block under the wrong pool; we check it.",
            CheckNames.SAFETY_CONTRACT + "#rejectsWrongSizeAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_DOUBLE_FREE("INV-REJECT-DOUBLE-FREE", Profile.SAFETY,
            "Freeing a block that is free (not handed out again since) is rejected with IllegalStateException; "
                    + "state unchanged.",
            "A block pushed twice is later handed to two owners.",
            CheckNames.SAFETY_CONTRACT + "#rejectsDoubleFreeAndKeepsState",
            CheckNames.CONTRACT + "#rejectsDoubleFreeAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES,
            CheckNames.JCSTRESS + "DoubleFreeTest$Scenario#tryFree",
            CheckNames.JCSTRESS + "RawDoubleFreeTest$Scenario#tryFree"),
    REJECT_NULL("INV-REJECT-NULL", Profile.SAFETY,
            "A null segment is rejected with NullPointerException; state unchanged.",
            "Null must fail at the call, not later inside the allocator.",
            CheckNames.SAFETY_CONTRACT + "#rejectsNullAndKeepsState",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    REJECT_AFTER_CLOSE("INV-REJECT-AFTER-CLOSE", Profile.SAFETY,
            "Every call after close(), close() included, is rejected with IllegalStateException.",
            "Memory given back to the system must not be handed out or written again.",
            CheckNames.SAFETY_CONTRACT + "#rejectsEveryCallAfterClose",
            CheckNames.CONTRACT + "#rejectsEveryCallAfterClose",
            CheckNames.SAFETY_MACHINE,
            CheckNames.REFINES),
    OOM_RECOVERABLE("INV-OOM-RECOVERABLE", Profile.SAFETY,
            "When the system refuses memory the call throws OutOfMemoryError naming the size; state unchanged and "
                    + "the allocator still usable (checked on cue where the allocator takes a memory source, with a "
                    + "request too large for any system otherwise).",
            "A failed mapping must not be recorded as an arena (jalib's MAP_FAILED) nor poison later calls.",
            CheckNames.SAFETY_CONTRACT + "#survivesSystemRefusingMemory",
            CheckNames.CONTRACT + "#survivesSystemRefusingMemory"),
    SINGLE_OWNER("INV-SINGLE-OWNER", Profile.SAFETY,
            "Under concurrency a block has at most one owner at a time: no block is handed out twice before it is "
                    + "freed.",
            "The ABA problem on the free stack hands one block to two threads; the stamp exists to prevent it.",
            CheckNames.SAFETY_CONTRACT + "#freesFromAnotherThread",
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.SAFETY_SCENARIOS,
            "dev.allocspec.impl.LockFreeInvariantsTest#catchesAPoppedBlockThatIsStillLive",
            CheckNames.ABA,
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "AbaStackTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PopPopTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "DoubleFreeTest$Scenario#arbiter"),
    NOTHING_LOST("INV-NOTHING-LOST", Profile.SAFETY,
            "A freed block is never lost: freed memory is handed out again, the allocator's own count of live "
                    + "blocks (where it keeps one) agrees with its callers', and after concurrent threads free "
                    + "everything they allocated none is live (in this family: every carved block is on its free "
                    + "stack exactly once).",
            "A push lost to a failed CAS leaks a block forever.",
            CheckNames.SAFETY_CONTRACT + "#handsFreedMemoryOutAgain",
            CheckNames.SAFETY_CONTRACT + "#freesFromAnotherThread",
            CheckNames.SAFETY_MACHINE,
            CheckNames.SAFETY_SCENARIOS,
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "PushPushTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "ExpansionRaceTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PushPopTest$Scenario#arbiter"),
    LINEARIZABLE("INV-LINEARIZABLE", Profile.SAFETY,
            "Every concurrent history is explainable by a sequential run of the reference allocator, up to which "
                    + "free block an allocation returns: some order of the calls that keeps every call that ended "
                    + "before another began ahead of it gives each call the answer it got (an allocation returns a "
                    + "block that is not live; a free of a live block succeeds; a free of one that is not live is "
                    + "rejected).",
            "It is what 'thread-safe' means for an allocator; single ownership, content and nothing lost are only "
                    + "its consequences, and an allocator can keep all three yet tell a block's owner its free is a "
                    + "double free.",
            CheckNames.SAFETY_CONTRACT + "#freesFromAnotherThread",
            CheckNames.SAFETY_SCENARIOS,
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.SCENARIOS,
            CheckNames.VIRTUAL_SCENARIOS,
            CheckNames.LINEARIZABILITY_CONTROLS,
            "dev.allocspec.properties.linearizability.LinearizabilityCheckerTest"
                    + "#theNextOwnersFreeRejectedBecauseTheLastFreeMarkedTheBlockLateIsNot",
            CheckNames.JCSTRESS + "TopExclusivityTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PopPopTest$Scenario#arbiter"),
    REFINEMENT("INV-REFINEMENT", Profile.FAMILY,
            "On any single-threaded sequence of operations an implementation gives the same results as the "
                    + "reference: same class, same (arena index, offset), same exception types.",
            "It makes the reference the specification: every property proved of it carries over.",
            CheckNames.CONTRACT + "#carvesNewChunkInAddressOrder",
            CheckNames.CONTRACT + "#reusesLifo",
            "dev.allocspec.properties.allocator.DifferentialRunTest#sameOutcomesAsTheReferenceOnALongRandomSequence",
            CheckNames.REFINES);

    private final String id;
    private final Profile profile;
    private final String statement;
    private final String rationale;
    private final List<String> enforcedBy;

    Invariant(String id, Profile profile, String statement, String rationale, String... enforcedBy) {
        this.id = id;
        this.profile = profile;
        this.statement = statement;
        this.rationale = rationale;
        this.enforcedBy = List.of(enforcedBy);
    }

    /** The stable ID, e.g. {@code INV-ALIGN}. */
    public String id() {
        return id;
    }

    /** Whom it binds: every allocator ({@link Profile#SAFETY}) or this family ({@link Profile#FAMILY}). */
    public Profile profile() {
        return profile;
    }

    /** The invariant in one line. */
    public String statement() {
        return statement;
    }

    /** Why it matters. */
    public String rationale() {
        return rationale;
    }

    /** The checks that enforce it, as {@code fully.qualified.Class#method}. */
    public List<String> enforcedBy() {
        return enforcedBy;
    }

    /**
     * The invariant with this ID.
     *
     * @throws IllegalArgumentException if no invariant has it
     */
    public static Invariant byId(String id) {
        return Arrays.stream(values()).filter(i -> i.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no invariant has the ID " + id));
    }
}
