package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract of {@link BlockAllocator}: the {@linkplain OffHeapAllocatorContract safety profile} it inherits, and
 * this family's policy ({@link Profile#FAMILY}), one test per rule. A test here of the same name as a safety test
 * replaces it with a stronger one (exact stats and arenas where the safety test can see only live blocks). Each
 * implementation (and each configuration of one) extends this class and says how to create an allocator; the teeth
 * test runs it against planted-bug variants and shows every test fails on at least one of them.
 *
 * <p>Allocators under test use {@link #POLICY}, four blocks per chunk, so growth happens within a few steps.
 */
@SuppressWarnings("restricted") // segments over known block addresses, made on purpose
public abstract class BlockAllocatorContract extends OffHeapAllocatorContract<BlockAllocator> {

    /** Four blocks per chunk: small enough that every test crosses chunk boundaries. */
    protected static final ChunkPolicy POLICY = new ChunkPolicy(4);

    protected final long pageSize = OsMemory.system().pageSize();

    /** Allocators a test made beside {@link #allocator}, closed after it. */
    private final List<BlockAllocator> extra = new ArrayList<>();

    /**
     * Creates the allocator under test with the given chunk policy, memory source and purge policy. The purge policy
     * must be honoured exactly, clock included: the tests of the large-block cache and of purge drive time with a
     * {@link ManualClock} and expect purges at the purge points the policy names, and at no other time.
     */
    protected abstract BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy);

    @Override
    protected final BlockAllocator newAllocator() {
        return create(POLICY, OsMemory.system(), PurgePolicy.DEFAULT);
    }

    @Override
    protected final Optional<BlockAllocator> newAllocator(MemorySource memory) {
        return Optional.of(create(POLICY, memory, PurgePolicy.DEFAULT));
    }

    /** An allocator under test with {@code purgePolicy}, closed after the test. */
    private BlockAllocator withPurgePolicy(PurgePolicy purgePolicy) {
        BlockAllocator made = create(POLICY, OsMemory.system(), purgePolicy);
        extra.add(made);
        return made;
    }

    @AfterEach
    void closeExtraAllocators() {
        for (BlockAllocator made : extra) {
            try {
                made.close();
            } catch (IllegalStateException alreadyClosed) {
                // the test closed it
            }
        }
        extra.clear();
    }

    // ---- allocation --------------------------------------------------------------------------------------------

    @Test
    void returnsExactSizeInSmallestClass() {
        for (long size : EDGE_SIZES) {
            AllocatorStats before = allocator.stats();
            MemorySegment block = allocator.allocate(size);
            AllocatorStats after = allocator.stats();

            assertThat(block.byteSize()).as("byte size of allocate(%d)", size).isEqualTo(size);
            assertThat(block.isNative()).isTrue();
            SizeClass expected = SizeClass.forSize(size);
            assertThat(classThatGained(before, after)).as("class serving %d bytes", size).isEqualTo(expected);
            if (!expected.isRaw()) {
                MemorySegment arena = arenaContaining(block.address());
                assertThat(arena.byteSize()).as("chunk size of the arena of %d bytes", size)
                        .isEqualTo(POLICY.chunkBytes(expected));
                assertThat((block.address() - arena.address()) % expected.blockSize()).isZero();
            }
        }
    }

    @Test
    void servesZeroSizeFromSmallestClass() {
        AllocatorStats before = allocator.stats();
        MemorySegment block = allocator.allocate(0);
        assertThat(block.byteSize()).isZero();
        assertThat(classThatGained(before, allocator.stats())).isEqualTo(SizeClass.B64);
        allocator.free(block);
        assertThat(allocator.stats().pool(SizeClass.B64).live()).isZero();
    }

    @Test
    void honoursPowerOfTwoAlignment() {
        for (long alignment = 1; alignment <= pageSize; alignment <<= 1) {
            for (long size : new long[] {0, 1, 10, 100, 3000, 20_000}) {
                AllocatorStats before = allocator.stats();
                MemorySegment block = allocator.allocate(size, alignment);
                assertThat(block.address() % alignment).as("address of allocate(%d, %d)", size, alignment).isZero();
                assertThat(block.byteSize()).isEqualTo(size);
                assertThat(classThatGained(before, allocator.stats())).as("class of allocate(%d, %d)", size, alignment)
                        .isEqualTo(SizeClass.forRequest(size, alignment, pageSize));
            }
        }
    }

    /** As the safety test, with each block taking its whole class block (or page-rounded mapping). */
    @Test
    @Override
    void liveBlocksNeverOverlap() {
        SplittableRandom random = new SplittableRandom(42);
        List<MemorySegment> live = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            if (!live.isEmpty() && random.nextInt(4) == 0) {
                allocator.free(live.remove(random.nextInt(live.size())));
            } else {
                live.add(allocator.allocate(EDGE_SIZES[random.nextInt(EDGE_SIZES.length)]));
            }
        }
        assertDisjoint(live, this::blockExtent);
    }

    @Test
    void blocksLieInsideRecordedArenas() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (long size : EDGE_SIZES) {
            for (int i = 0; i < POLICY.blocksPerChunk() + 1; i++) {
                blocks.add(allocator.allocate(size));
            }
        }
        List<MemorySegment> arenas = allocator.arenas();
        for (MemorySegment block : blocks) {
            long extent = SizeClass.forSize(block.byteSize()).isRaw() ? block.byteSize() : blockExtent(block);
            long containing = arenas.stream().filter(a -> a.address() <= block.address()
                    && block.address() + extent <= a.address() + a.byteSize()).count();
            assertThat(containing).as("arenas containing block 0x%x", block.address()).isEqualTo(1);
        }
    }

    @Test
    void reusesFreedBlockBeforeGrowing() {
        List<MemorySegment> oneChunk = new ArrayList<>();
        for (int i = 0; i < POLICY.blocksPerChunk(); i++) {
            oneChunk.add(allocator.allocate(200));
        }
        long chunks = allocator.stats().chunksObtained();
        MemorySegment freed = oneChunk.get(1);
        allocator.free(freed);

        MemorySegment again = allocator.allocate(200);
        assertThat(again.address()).isEqualTo(freed.address());
        assertThat(allocator.stats().chunksObtained()).isEqualTo(chunks);
        allocator.allocate(200);
        assertThat(allocator.stats().chunksObtained()).as("grows once the stack is empty").isEqualTo(chunks + 1);
    }

    @Test
    void reusesLifo() {
        MemorySegment a = allocator.allocate(256);
        MemorySegment b = allocator.allocate(256);
        MemorySegment c = allocator.allocate(256);
        allocator.free(a);
        allocator.free(c);
        allocator.free(b);
        assertThat(List.of(allocator.allocate(256).address(), allocator.allocate(256).address(),
                allocator.allocate(256).address())).containsExactly(b.address(), c.address(), a.address());
    }

    @Test
    void carvesNewChunkInAddressOrder() {
        for (SizeClass c : SizeClass.pooled()) {
            int arenasBefore = allocator.arenas().size();
            List<BlockPosition> offsets = new ArrayList<>();
            List<BlockPosition> expected = new ArrayList<>();
            for (int i = 0; i < 2 * POLICY.blocksPerChunk(); i++) {
                offsets.add(BlockPosition.of(allocator, allocator.allocate(c.blockSize())).orElseThrow());
                expected.add(new BlockPosition(arenasBefore + i / POLICY.blocksPerChunk(),
                        (long) (i % POLICY.blocksPerChunk()) * c.blockSize()));
            }
            assertThat(offsets).as("(arena index, offset) of class %s", c).isEqualTo(expected);
        }
    }

    @Test
    void rawBlocksArePageAlignedAndCached() {
        AllocatorStats before = allocator.stats();
        long mapped = SizeClass.rawMappingSize(20_000, pageSize);
        MemorySegment raw = allocator.allocate(20_000);
        assertThat(raw.address() % pageSize).isZero();
        assertThat(allocator.arenas()).anySatisfy(a -> {
            assertThat(a.address()).isEqualTo(raw.address());
            assertThat(a.byteSize()).as("a large block's arena is its mapping, whole pages").isEqualTo(mapped);
        });
        AllocatorStats during = allocator.stats();
        assertThat(during.rawBlocksLive()).isEqualTo(before.rawBlocksLive() + 1);
        assertThat(during.rawBytesLive()).isEqualTo(before.rawBytesLive() + mapped);
        fill(raw);

        allocator.free(raw);
        AllocatorStats after = allocator.stats();
        assertThat(allocator.arenas()).as("the freed mapping stays, cached").anyMatch(a -> a.address() == raw.address());
        assertThat(after.rawBlocksLive()).isEqualTo(before.rawBlocksLive());
        assertThat(after.rawBytesLive()).isEqualTo(before.rawBytesLive());
        assertThat(after.retainedBytes()).isEqualTo(before.retainedBytes() + mapped);
        assertThat(after.dirtyBytes()).as("not purged: under the default floor").isEqualTo(mapped);
        assertThat(raw.scope().isAlive()).as("a cached mapping stays mapped: its stale segment stays usable").isTrue();

        MemorySegment again = allocator.allocate(19_000);
        assertThat(again.address()).as("the cached mapping is reused").isEqualTo(raw.address());
        assertThat(again.byteSize()).isEqualTo(19_000);
        assertThat(allocator.stats().retainedBytes()).isEqualTo(before.retainedBytes());
        assertThat(allocator.stats().dirtyBytes()).isZero();
    }

    // ---- large blocks: the mapping cache and purge (PurgePolicy) -----------------------------------------------

    /** A purge policy on a clock the test moves: nothing retained is purged or unmapped unless the test says so. */
    private static PurgePolicy manual(ManualClock clock) {
        return new PurgePolicy(1L << 40, 1L << 40, 62, Duration.ofSeconds(10), clock);
    }

    private long pages(int n) {
        return n * pageSize;
    }

    @Test
    void reusesTheBestFittingCachedMapping() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()));
        MemorySegment five = a.allocate(pages(5));
        MemorySegment six = a.allocate(pages(6));
        MemorySegment eight = a.allocate(pages(8));
        MemorySegment otherFive = a.allocate(pages(5) - 100);
        for (MemorySegment block : List.of(five, six, eight, otherFive)) {
            a.free(block);
        }
        int arenas = a.arenas().size();

        assertThat(a.allocate(pages(6) - 1).address()).as("exact fit in pages").isEqualTo(six.address());
        assertThat(a.allocate(pages(4) + 1).address()).as("of two equal fits, the one freed last")
                .isEqualTo(otherFive.address());
        assertThat(a.allocate(pages(7)).address()).as("8 pages serve 7: a quarter more at most")
                .isEqualTo(eight.address());
        assertThat(a.allocate(pages(5)).address()).isEqualTo(five.address());
        assertThat(a.arenas()).as("nothing new mapped while a mapping fitted").hasSize(arenas);
        assertThat(a.stats().retainedBytes()).isZero();

        a.free(a.allocate(pages(8)));
        MemorySegment small = a.allocate(pages(5));
        assertThat(small.address()).as("8 pages waste too much for 5: a new mapping").isNotEqualTo(eight.address());
        assertThat(a.arenas()).hasSize(arenas + 2);
        assertThat(a.stats().retainedBytes()).as("the 8-page mapping still cached").isEqualTo(pages(8));
    }

    @Test
    void rejectsDoubleFreeOfACachedLargeBlockAndKeepsState() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()));
        MemorySegment large = a.allocate(pages(5));
        a.free(large);
        AllocatorStats before = a.stats();
        List<MemorySegment> arenas = a.arenas();
        assertThrows(IllegalStateException.class, () -> a.free(large));
        assertThrows(IllegalStateException.class, () -> a.free(large.asSlice(0, pages(4))),
                "free with another size of a free block: still a double free");
        assertThat(a.stats()).isEqualTo(before);
        assertThat(a.arenas()).isEqualTo(arenas);
        assertThat(a.allocate(pages(5)).address()).as("still cached once, reused").isEqualTo(large.address());
    }

    @Test
    void unmapsOnlyOverTheRetainedCap() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()).withRetainedCap(pages(10)));
        MemorySegment first = a.allocate(pages(5));
        MemorySegment second = a.allocate(pages(5));
        MemorySegment third = a.allocate(pages(5));
        fill(second);
        a.free(first);
        a.free(second);
        assertThat(a.stats().retainedBytes()).isEqualTo(pages(10));
        assertThat(first.scope().isAlive()).as("within the cap nothing is unmapped").isTrue();

        a.free(third);
        assertThat(a.stats().retainedBytes()).as("over the cap: the oldest freed goes").isEqualTo(pages(10));
        assertThat(a.arenas()).noneMatch(m -> m.address() == first.address())
                .anyMatch(m -> m.address() == second.address()).anyMatch(m -> m.address() == third.address());
        assertThat(first.scope().isAlive()).as("an unmapped mapping's scope is closed").isFalse();
        assertThrows(IllegalStateException.class, () -> first.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> a.free(first), "a second free of an unmapped block");
        assertThat(patternIntact(second)).as("a cached mapping keeps its bytes until purged").isTrue();

        BlockAllocator none = withPurgePolicy(manual(new ManualClock()).withRetainedCap(0));
        MemorySegment block = none.allocate(pages(5));
        none.free(block);
        assertThat(block.scope().isAlive()).as("a cap of 0 unmaps on free").isFalse();
        assertThat(none.stats().retainedBytes()).isZero();
    }

    @Test
    void purgesOverTheDirtyBound() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()).withDirtyBound(pages(6), 62));
        MemorySegment first = a.allocate(pages(5));
        MemorySegment second = a.allocate(pages(5));
        fill(first);
        fill(second);
        a.free(first);
        assertThat(a.stats().dirtyBytes()).as("5 pages dirty, bound 6").isEqualTo(pages(5));
        assertThat(a.stats().purgedBytes()).isZero();
        assertThat(patternIntact(first)).isTrue();

        a.free(second);
        AllocatorStats stats = a.stats();
        assertThat(stats.dirtyBytes()).as("10 pages passed the bound: the one dirty longest purged")
                .isEqualTo(pages(5));
        assertThat(stats.purgedBytes()).isEqualTo(pages(5));
        assertThat(stats.retainedBytes()).as("purged, not unmapped").isEqualTo(pages(10));
        assertThat(readsZero(first)).as("the purged mapping reads zeros").isTrue();
        assertThat(patternIntact(second)).isTrue();

        BlockAllocator ratio = withPurgePolicy(manual(new ManualClock()).withDirtyBound(0, 1));
        MemorySegment keep = ratio.allocate(pages(8));
        MemorySegment go = ratio.allocate(pages(5));
        ratio.free(go);
        assertThat(ratio.stats().dirtyBytes()).as("5 pages dirty > active 8 pages >> 1: purged")
                .isZero();
        assertThat(ratio.stats().purgedBytes()).isEqualTo(pages(5));
        ratio.free(keep);
    }

    @Test
    void purgesMappingsDirtyForTheDecayDelay() {
        ManualClock clock = new ManualClock();
        BlockAllocator a = withPurgePolicy(manual(clock));
        MemorySegment early = a.allocate(pages(5));
        MemorySegment probe = a.allocate(pages(20));
        fill(early);
        a.free(early);
        clock.advance(Duration.ofSeconds(9));
        a.free(a.allocate(pages(12))); // a purge point before the delay has passed
        assertThat(a.stats().dirtyBytes()).as("9 s of 10: still dirty").isEqualTo(pages(5) + pages(12));
        assertThat(patternIntact(early)).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(a.stats().dirtyBytes()).as("no purge point yet: time alone purges nothing")
                .isEqualTo(pages(5) + pages(12));
        a.free(probe); // the next purge point
        assertThat(a.stats().dirtyBytes()).as("the one dirty for 10 s purged, the later ones not")
                .isEqualTo(pages(12) + pages(20));
        assertThat(a.stats().purgedBytes()).isEqualTo(pages(5));
        assertThat(readsZero(early)).isTrue();

        clock.advance(Duration.ofSeconds(10));
        a.allocate(pages(50)); // a large allocation ends with a purge point too
        assertThat(a.stats().dirtyBytes()).isZero();
        assertThat(a.stats().purgedBytes()).isEqualTo(pages(5) + pages(12) + pages(20));
    }

    @Test
    void purgedMemoryReadsZero() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()));
        MemorySegment kept = a.allocate(pages(6));
        MemorySegment large = a.allocate(pages(5));
        fill(kept);
        fill(large);
        a.free(large);
        AllocatorStats before = a.stats();
        a.purge();
        AllocatorStats after = a.stats();
        assertThat(after.dirtyBytes()).isZero();
        assertThat(after.purgedBytes()).isEqualTo(before.purgedBytes() + pages(5));
        assertThat(after.retainedBytes()).isEqualTo(before.retainedBytes());
        assertThat(readsZero(large)).as("a stale segment of a purged mapping reads zeros").isTrue();
        assertThat(patternIntact(kept)).as("live blocks are not purged").isTrue();
        MemorySegment reused = a.allocate(pages(5));
        assertThat(reused.address()).isEqualTo(large.address());
        assertThat(readsZero(reused)).as("a block from a purged mapping reads zeros until written").isTrue();
        a.purge();
        assertThat(a.stats().purgedBytes()).as("nothing dirty, nothing purged").isEqualTo(after.purgedBytes());
    }

    @Test
    void purgesFreePooledPagesWithoutChangingTheOrderOfReuse() {
        ManualClock clock = new ManualClock();
        BlockAllocator a = withPurgePolicy(manual(clock));
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            blocks.add(a.allocate(16_384)); // two chunks of four
        }
        MemorySegment small = a.allocate(1000); // a class that is not purged
        blocks.forEach(OffHeapAllocatorContract::fill);
        fill(small);
        for (int i = 0; i < 5; i++) {
            a.free(blocks.get(i)); // #5 stays live
        }
        a.free(small);
        AllocatorStats before = a.stats();
        assertThat(before.pool(SizeClass.B16K).purged()).isZero();

        a.purge();
        AllocatorStats after = a.stats();
        assertThat(after.pool(SizeClass.B16K)).as("every free 16 KiB block purged, counts unchanged")
                .isEqualTo(new ClassStats(SizeClass.B16K, 8, 1, 7, 7));
        assertThat(after.pool(SizeClass.B1K).purged()).as("1 KiB blocks share pages: never purged").isZero();
        assertThat(after.purgedBytes() - before.purgedBytes()).isEqualTo(7 * 16_384L);
        for (int i = 0; i < 5; i++) {
            assertThat(readsZero(blocks.get(i))).as("freed block %d after purge()", i).isTrue();
        }
        assertThat(patternIntact(blocks.get(5))).as("the live block").isTrue();
        for (int i = 4; i >= 0; i--) {
            MemorySegment again = a.allocate(16_384);
            assertThat(again.address()).as("LIFO reuse across the purge, block %d", i)
                    .isEqualTo(blocks.get(i).address());
            assertThat(readsZero(again.asSlice(8))).as("beyond the word a free-list link may use").isTrue();
        }
        AllocatorStats reused = a.stats();
        assertThat(reused.pool(SizeClass.B16K).carved()).as("no growth while purged blocks were free").isEqualTo(8);
        assertThat(reused.pool(SizeClass.B16K).purged()).as("the empty stack took back all 7 (a batch of up to "
                + PurgePolicy.PURGED_REFILL_BATCH + ")").isZero();

        a.free(blocks.get(5));
        a.free(a.allocate(pages(5))); // a purge point: the class is seen dirty from now on
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.stats().pool(SizeClass.B16K).purged()).as("time alone purges nothing").isZero();
        a.free(a.allocate(pages(5))); // the next purge point, a whole delay later
        assertThat(a.stats().pool(SizeClass.B16K).purged()).as("decayed: the three free blocks purged").isEqualTo(3);
        assertThat(readsZero(blocks.get(5))).isTrue();
    }

    @Test
    void staleLargeSegmentNeverReachesUnmappedMemory() {
        BlockAllocator a = withPurgePolicy(manual(new ManualClock()));
        MemorySegment large = a.allocate(pages(5));
        a.free(large);
        large.set(ValueLayout.JAVA_BYTE, 0, (byte) 1); // the caller's bug: mapped memory, no crash
        a.purge();
        assertThat(large.get(ValueLayout.JAVA_BYTE, 0)).isZero();
        a.close();
        assertThat(large.scope().isAlive()).isFalse();
        assertThrows(IllegalStateException.class, () -> large.get(ValueLayout.JAVA_BYTE, 0),
                "a stale segment after close() throws instead of reaching unmapped memory");
        assertThrows(IllegalStateException.class, a::purge);
    }

    private static boolean readsZero(MemorySegment block) {
        for (long i = 0; i < block.byteSize(); i++) {
            if (block.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void statsAgreeWithOperations() {
        List<MemorySegment> live = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            live.add(allocator.allocate(100)); // class 256: 9 blocks need 3 chunks of 4
        }
        live.add(allocator.allocate(20_000));
        allocator.free(live.remove(0));
        allocator.free(live.remove(0));

        AllocatorStats stats = allocator.stats();
        assertThat(stats.pool(SizeClass.B256)).isEqualTo(new ClassStats(SizeClass.B256, 12, 7, 5));
        assertThat(stats.pool(SizeClass.B64)).isEqualTo(new ClassStats(SizeClass.B64, 0, 0, 0));
        assertThat(stats.rawBlocksLive()).isEqualTo(1);
        assertThat(stats.chunksObtained()).isEqualTo(3);
        assertThat(stats.liveBlocks()).isEqualTo(8);
        if (allocator instanceof SelfChecking checking) {
            checking.checkInvariants();
        }
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @Test
    @Override
    void rejectsTooLargeSizeAndKeepsState() {
        populate();
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(SizeClass.MAX_REQUEST + 1));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(Long.MAX_VALUE));
    }

    @Test
    @Override
    void rejectsBadAlignmentAndKeepsState() {
        populate();
        for (long alignment : new long[] {0, -1, 3, 24, -8, pageSize * 2, Long.MIN_VALUE}) {
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(64, alignment));
        }
    }

    @Test
    @Override
    void rejectsSegmentOfAClosedForeignArenaAndKeepsState() {
        populate();
        MemorySegment fromClosedArena;
        try (Arena arena = Arena.ofConfined()) {
            fromClosedArena = arena.allocate(64, 64);
        }
        MemorySegment closed = fromClosedArena;
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(closed));
        assertThat(assertThrows(IllegalArgumentException.class, () -> allocator.free(closed)).getMessage())
                .contains("not a block of this allocator");
        // a raw block of ours freed twice also arrives with a closed scope: that one stays a double free
        MemorySegment raw = allocator.allocate(50_000);
        allocator.free(raw);
        assertRejectedUnchanged(IllegalStateException.class, () -> allocator.free(raw));
        assertThat(assertThrows(IllegalStateException.class, () -> allocator.free(raw)).getMessage())
                .contains("double free");
    }

    @Test
    @Override
    void rejectsDoubleFreeAndKeepsState() {
        populate();
        MemorySegment block = allocator.allocate(100);
        MemorySegment raw = allocator.allocate(50_000);
        allocator.free(block);
        allocator.free(raw);
        assertRejectedUnchanged(IllegalStateException.class, () -> allocator.free(block));
        assertRejectedUnchanged(IllegalStateException.class, () -> allocator.free(raw));
        MemorySegment reused = allocator.allocate(100);
        assertThat(reused.address()).as("the block is on its free stack exactly once").isEqualTo(block.address());
        assertThat(allocator.allocate(100).address()).isNotEqualTo(block.address());
    }

    @Test
    @Override
    void rejectsEveryCallAfterClose() {
        MemorySegment block = allocator.allocate(64);
        allocator.close();
        List<Executable> calls = List.of(() -> allocator.allocate(64), () -> allocator.allocate(64, 8),
                () -> allocator.allocate(20_000), () -> allocator.free(block), () -> allocator.arenas(),
                () -> allocator.stats(), () -> allocator.purge(), () -> allocator.close());
        for (Executable call : calls) {
            assertThrows(IllegalStateException.class, call);
        }
    }

    @Test
    @Override
    void closeGivesEverythingBack() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (long size : EDGE_SIZES) {
            blocks.add(allocator.allocate(size));
        }
        List<MemorySegment> arenas = allocator.arenas();
        allocator.close();
        for (MemorySegment segment : arenas) {
            assertThat(segment.scope().isAlive()).as("arena 0x%x after close", segment.address()).isFalse();
        }
        for (MemorySegment block : blocks) {
            assertThat(block.scope().isAlive()).as("block 0x%x after close", block.address()).isFalse();
            if (block.byteSize() > 0) {
                assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_BYTE, 0),
                        "a block's memory is inaccessible after close");
            }
        }
    }

    @Test
    @Override
    void survivesSystemRefusingMemory() {
        populate();
        Snapshot before = Snapshot.of(allocator);
        OutOfMemoryError refused = assertThrows(OutOfMemoryError.class,
                () -> allocator.allocate(SizeClass.MAX_REQUEST));
        assertThat(refused.getMessage()).contains(Long.toString(SizeClass.MAX_REQUEST));
        assertThat(Snapshot.of(allocator)).isEqualTo(before);
        assertThat(allocateExpectingSuccess(allocator, 100).byteSize()).isEqualTo(100);

        RefusingMemory memory = new RefusingMemory(OsMemory.system());
        try (BlockAllocator refusing = create(POLICY, memory, PurgePolicy.DEFAULT)) {
            MemorySegment first = refusing.allocate(64);
            for (int i = 1; i < POLICY.blocksPerChunk(); i++) {
                refusing.allocate(64);
            }
            memory.refuse = true;
            Snapshot full = Snapshot.of(refusing);
            assertThrows(OutOfMemoryError.class, () -> refusing.allocate(64));
            assertThrows(OutOfMemoryError.class, () -> refusing.allocate(20_000));
            assertThat(Snapshot.of(refusing)).isEqualTo(full);
            refusing.free(first);
            assertThat(allocateExpectingSuccess(refusing, 64).address()).as("free blocks still served")
                    .isEqualTo(first.address());
            memory.refuse = false;
            assertThat(allocateExpectingSuccess(refusing, 64).byteSize()).as("grows again once the system gives")
                    .isEqualTo(64);
        }
    }

    // ---- what the family refines --------------------------------------------------------------------------------

    /** Stats and arenas: equal snapshots around a rejected call mean the call changed nothing. */
    @Override
    protected Object visibleState() {
        return Snapshot.of(allocator);
    }

    /** Nothing live, and every carved block of every class free. */
    @Override
    protected void assertEverythingFreed() {
        AllocatorStats stats = allocator.stats();
        assertThat(stats.liveBlocks()).as("live after every block was freed").isZero();
        for (ClassStats pool : stats.pools()) {
            assertThat(pool.free()).as("free blocks of class %s", pool.sizeClass()).isEqualTo(pool.carved());
        }
        if (allocator instanceof SelfChecking checking) {
            checking.checkInvariants();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** The allocator's visible state: stats and the arenas' addresses and sizes. */
    protected record Snapshot(AllocatorStats stats, List<List<Long>> arenas) {
        static Snapshot of(BlockAllocator allocator) {
            return new Snapshot(allocator.stats(),
                    allocator.arenas().stream().map(a -> List.of(a.address(), a.byteSize())).toList());
        }
    }

    private SizeClass classThatGained(AllocatorStats before, AllocatorStats after) {
        List<SizeClass> gained = new ArrayList<>();
        for (SizeClass c : SizeClass.pooled()) {
            if (after.pool(c).live() == before.pool(c).live() + 1) {
                gained.add(c);
            }
        }
        if (after.rawBlocksLive() == before.rawBlocksLive() + 1) {
            gained.add(SizeClass.RAW);
        }
        assertThat(gained).as("classes whose live count grew by one").hasSize(1);
        return gained.getFirst();
    }

    private MemorySegment arenaContaining(long address) {
        return allocator.arenas().stream()
                .filter(a -> a.address() <= address && address < a.address() + a.byteSize())
                .findFirst().orElseThrow(() -> new AssertionError("no arena contains 0x" + Long.toHexString(address)));
    }

    /** The bytes a block occupies: its class's block size, or its page-rounded mapping. */
    private long blockExtent(MemorySegment block) {
        SizeClass c = SizeClass.forSize(block.byteSize());
        return c.isRaw() ? SizeClass.rawMappingSize(block.byteSize(), pageSize) : c.blockSize();
    }
}
