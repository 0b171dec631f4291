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

    SIZE_CLASS("INV-SIZE-CLASS",
            "A returned segment has exactly the requested size and starts a block of the smallest class whose block "
                    + "size is at least max(size, alignment); zero bytes is served by the 64-byte class.",
            "Callers rely on the byte size for bounds checks; a block from the wrong class wastes memory or, if too "
                    + "small, lets writes run into the next block.",
            CheckNames.CONTRACT + "#returnsExactSizeInSmallestClass",
            CheckNames.CONTRACT + "#servesZeroSizeFromSmallestClass",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    ALIGN("INV-ALIGN",
            "Every block address is a multiple of the requested alignment and of min(block size, page size).",
            "Unaligned blocks break atomic and vector accesses and foreign code that assumes natural alignment.",
            CheckNames.CONTRACT + "#honoursPowerOfTwoAlignment",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    DISJOINT("INV-DISJOINT",
            "No two live blocks overlap.",
            "Overlapping blocks let one owner silently overwrite another's data.",
            CheckNames.CONTRACT + "#liveBlocksNeverOverlap",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE),
    ARENA_CONTAINMENT("INV-ARENA-CONTAINMENT",
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
    ARENAS_RECORDED("INV-ARENAS-RECORDED",
            "Every chunk and raw mapping obtained from the system and not given back is listed by arenas(), in the "
                    + "order obtained, with no cap on their number.",
            "Tools (checkpointing, leak checks) walk the arenas; jalib's fixed array of 1024 records overflowed.",
            CheckNames.CONTRACT + "#blocksLieInsideRecordedArenas",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndReturned",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.MACHINE),
    CONTENT("INV-CONTENT",
            "Bytes a user wrote into a live block are never changed by the allocator; its free-list link lives only "
                    + "in free blocks.",
            "The free list is stored inside free blocks, so a link written at the wrong time or place corrupts data.",
            CheckNames.CONTRACT + "#keepsBytesUserWrote",
            CheckNames.MACHINE,
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "CookieHandoffTest$Scenario#t2"),
    CONSERVATION("INV-CONSERVATION",
            "Per class, carved = live + free, no block is both live and free, the free stack holds no block twice, "
                    + "and stats() agrees with the state.",
            "A lost block is a leak and a duplicated one is a future double allocation; counts that drift hide both.",
            CheckNames.CONTRACT + "#statsAgreeWithOperations",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.LOCK_FREE + "#checkInvariants",
            CheckNames.MACHINE),
    REUSE_BEFORE_GROWTH("INV-REUSE-BEFORE-GROWTH",
            "A class obtains a new chunk only when its free stack is empty.",
            "Growing while free blocks wait strands memory; it is the policy the optimised allocator must reproduce.",
            CheckNames.CONTRACT + "#reusesFreedBlockBeforeGrowing",
            CheckNames.REFINES),
    LIFO("INV-LIFO",
            "In a single thread, an allocation from a class returns the block most recently freed to that class.",
            "LIFO reuse keeps recently touched, cache-hot blocks in use; it fixes the reuse policy exactly.",
            CheckNames.CONTRACT + "#reusesLifo",
            CheckNames.REFINES),
    CARVE_ORDER("INV-CARVE-ORDER",
            "A new chunk has ChunkPolicy.blocksPerChunk blocks, handed out lowest address first.",
            "Fixing the carving order makes the (arena index, offset) of every block a function of the operations.",
            CheckNames.CONTRACT + "#carvesNewChunkInAddressOrder",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    RAW_PAGES("INV-RAW-PAGES",
            "A raw block (above 16384 bytes) is a page-aligned, page-rounded mapping of its own, recorded as an arena "
                    + "while live.",
            "Large blocks must not fragment the pools, and page alignment lets callers map or protect them.",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndReturned",
            CheckNames.REFERENCE + "#checkInvariants",
            CheckNames.REFINES),
    RAW_RETURNED("INV-RAW-RETURNED",
            "Freeing a raw block gives its mapping back to the system and removes its arena record.",
            "Large blocks that stayed mapped would be a leak the size of the largest requests.",
            CheckNames.CONTRACT + "#rawBlocksArePageAlignedAndReturned",
            CheckNames.REFINES,
            CheckNames.JCSTRESS + "RawDoubleFreeTest$Scenario#arbiter"),
    CLOSE_RETURNS_ALL("INV-CLOSE-RETURNS-ALL",
            "close() gives every chunk and raw mapping back to the system; the memory of handed-out segments becomes "
                    + "inaccessible. Calls of other threads racing with it complete or throw IllegalStateException, "
                    + "never touch memory already given back, and hand out nothing that outlives it.",
            "An allocator per test or per session must not leak its pools, and a stale segment must fail, not crash; "
                    + "a shutdown that races with worker threads must not kill the JVM.",
            CheckNames.CONTRACT + "#closeGivesEverythingBack",
            CheckNames.CONTRACT + "#closeRacingCallsOfOtherThreadsEndsEachCleanly"),
    REJECT_SIZE("INV-REJECT-SIZE",
            "A negative size or one above 2^62 is rejected with IllegalArgumentException; state unchanged.",
            "Bad input must never corrupt the allocator.",
            CheckNames.CONTRACT + "#rejectsNegativeSizeAndKeepsState",
            CheckNames.CONTRACT + "#rejectsTooLargeSizeAndKeepsState",
            CheckNames.REFINES),
    REJECT_ALIGNMENT("INV-REJECT-ALIGNMENT",
            "An alignment that is not a power of two, or is above the page size, is rejected with "
                    + "IllegalArgumentException; state unchanged.",
            "An alignment silently not honoured is worse than a refusal.",
            CheckNames.CONTRACT + "#rejectsBadAlignmentAndKeepsState",
            CheckNames.REFINES),
    REJECT_FOREIGN("INV-REJECT-FOREIGN",
            "Freeing a segment the allocator does not own (another allocator's, an Arena's, open or closed, a heap "
                    + "segment) is rejected with IllegalArgumentException; state unchanged.",
            "Pushing foreign memory onto a free stack hands it out later to an unsuspecting owner.",
            CheckNames.CONTRACT + "#rejectsForeignSegmentAndKeepsState",
            CheckNames.CONTRACT + "#rejectsSegmentOfAClosedForeignArenaAndKeepsState",
            CheckNames.REFINES),
    REJECT_INTERIOR("INV-REJECT-INTERIOR",
            "Freeing an address inside a block but not at its start is rejected with IllegalArgumentException; "
                    + "state unchanged.",
            "An interior address on a free stack creates overlapping blocks.",
            CheckNames.CONTRACT + "#rejectsInteriorAddressAndKeepsState",
            CheckNames.REFINES),
    REJECT_WRONG_SIZE("INV-REJECT-WRONG-SIZE",
            "Freeing a block with a byte size other than the one allocated is rejected with "
                    + "IllegalArgumentException; state unchanged.",
            "jalib trusts the caller's size and files the block under the wrong pool; we check it.",
            CheckNames.CONTRACT + "#rejectsWrongSizeAndKeepsState",
            CheckNames.REFINES),
    REJECT_DOUBLE_FREE("INV-REJECT-DOUBLE-FREE",
            "Freeing a block that is free (not handed out again since) is rejected with IllegalStateException; "
                    + "state unchanged.",
            "A block pushed twice is later handed to two owners.",
            CheckNames.CONTRACT + "#rejectsDoubleFreeAndKeepsState",
            CheckNames.REFINES,
            CheckNames.JCSTRESS + "DoubleFreeTest$Scenario#tryFree",
            CheckNames.JCSTRESS + "RawDoubleFreeTest$Scenario#tryFree"),
    REJECT_NULL("INV-REJECT-NULL",
            "A null segment is rejected with NullPointerException; state unchanged.",
            "Null must fail at the call, not later inside the allocator.",
            CheckNames.CONTRACT + "#rejectsNullAndKeepsState",
            CheckNames.REFINES),
    REJECT_AFTER_CLOSE("INV-REJECT-AFTER-CLOSE",
            "Every call after close(), close() included, is rejected with IllegalStateException.",
            "Memory given back to the system must not be handed out or written again.",
            CheckNames.CONTRACT + "#rejectsEveryCallAfterClose",
            CheckNames.REFINES),
    OOM_RECOVERABLE("INV-OOM-RECOVERABLE",
            "When the system refuses memory the call throws OutOfMemoryError naming the size; state unchanged and "
                    + "the allocator still usable.",
            "A failed mapping must not be recorded as an arena (jalib's MAP_FAILED) nor poison later calls.",
            CheckNames.CONTRACT + "#survivesSystemRefusingMemory"),
    SINGLE_OWNER("INV-SINGLE-OWNER",
            "Under concurrency a block has at most one owner at a time: no block is handed out twice before it is "
                    + "freed.",
            "The ABA problem on the free stack hands one block to two threads; the stamp exists to prevent it.",
            CheckNames.CONTRACT + "#freesFromAnotherThread",
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            "dev.allocspec.impl.LockFreeInvariantsTest#catchesAPoppedBlockThatIsStillLive",
            CheckNames.ABA,
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "AbaStackTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PopPopTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "DoubleFreeTest$Scenario#arbiter"),
    NOTHING_LOST("INV-NOTHING-LOST",
            "After concurrent threads free everything they allocated, every carved block is on its free stack "
                    + "exactly once.",
            "A push lost to a failed CAS leaks a block forever.",
            CheckNames.CONTRACT + "#freesFromAnotherThread",
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.SCENARIOS,
            CheckNames.JCSTRESS + "PushPushTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "ExpansionRaceTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PushPopTest$Scenario#arbiter"),
    LINEARIZABLE("INV-LINEARIZABLE",
            "Every concurrent history is explainable by a sequential run of the reference allocator, up to which "
                    + "free block an allocation returns: some order of the calls that keeps every call that ended "
                    + "before another began ahead of it gives each call the answer it got (an allocation returns a "
                    + "block that is not live; a free of a live block succeeds; a free of one that is not live is "
                    + "rejected).",
            "It is what 'thread-safe' means for an allocator; single ownership, content and nothing lost are only "
                    + "its consequences, and an allocator can keep all three yet tell a block's owner its free is a "
                    + "double free.",
            CheckNames.CONTRACT + "#freesFromAnotherThread",
            CheckNames.STRESS + "#noBlockIsCorruptedDuplicatedOrLost",
            CheckNames.SCENARIOS,
            CheckNames.VIRTUAL_SCENARIOS,
            CheckNames.LINEARIZABILITY_CONTROLS,
            "dev.allocspec.properties.linearizability.LinearizabilityCheckerTest"
                    + "#theNextOwnersFreeRejectedBecauseTheLastFreeMarkedTheBlockLateIsNot",
            CheckNames.JCSTRESS + "TopExclusivityTest$Scenario#arbiter",
            CheckNames.JCSTRESS + "PopPopTest$Scenario#arbiter"),
    REFINEMENT("INV-REFINEMENT",
            "On any single-threaded sequence of operations an implementation gives the same results as the "
                    + "reference: same class, same (arena index, offset), same exception types.",
            "It makes the reference the specification: every property proved of it carries over.",
            CheckNames.CONTRACT + "#carvesNewChunkInAddressOrder",
            CheckNames.CONTRACT + "#reusesLifo",
            "dev.allocspec.properties.allocator.DifferentialRunTest#sameOutcomesAsTheReferenceOnALongRandomSequence",
            CheckNames.REFINES);

    private final String id;
    private final String statement;
    private final String rationale;
    private final List<String> enforcedBy;

    Invariant(String id, String statement, String rationale, String... enforcedBy) {
        this.id = id;
        this.statement = statement;
        this.rationale = rationale;
        this.enforcedBy = List.of(enforcedBy);
    }

    /** The stable ID, e.g. {@code INV-ALIGN}. */
    public String id() {
        return id;
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
