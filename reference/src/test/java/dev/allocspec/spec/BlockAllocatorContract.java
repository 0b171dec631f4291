package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /** Creates the allocator under test with the given policy and memory source. */
    protected abstract BlockAllocator create(ChunkPolicy policy, MemorySource memory);

    @Override
    protected final BlockAllocator newAllocator() {
        return create(POLICY, OsMemory.system());
    }

    @Override
    protected final Optional<BlockAllocator> newAllocator(MemorySource memory) {
        return Optional.of(create(POLICY, memory));
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
    void rawBlocksArePageAlignedAndReturned() {
        AllocatorStats before = allocator.stats();
        MemorySegment raw = allocator.allocate(20_000);
        assertThat(raw.address() % pageSize).isZero();
        assertThat(allocator.arenas()).anySatisfy(a -> {
            assertThat(a.address()).isEqualTo(raw.address());
            assertThat(a.byteSize()).isEqualTo(20_000);
        });
        AllocatorStats during = allocator.stats();
        assertThat(during.rawBlocksLive()).isEqualTo(before.rawBlocksLive() + 1);
        assertThat(during.rawBytesLive()).isEqualTo(before.rawBytesLive() + SizeClass.rawMappingSize(20_000, pageSize));
        fill(raw);

        allocator.free(raw);
        assertThat(allocator.arenas()).noneMatch(a -> a.address() == raw.address());
        assertThat(allocator.stats()).isEqualTo(before);
        assertThat(raw.scope().isAlive()).as("raw block's memory is given back").isFalse();
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
                () -> allocator.stats(), () -> allocator.close());
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
        try (BlockAllocator refusing = create(POLICY, memory)) {
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
