package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.os.OsMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract of {@link BlockAllocator}, one test per rule. Each implementation (and each configuration of one)
 * extends this class and says how to create an allocator; the teeth test runs it against planted-bug variants and
 * shows every test here fails on at least one of them.
 *
 * <p>Allocators under test use {@link #POLICY}, four blocks per chunk, so growth happens within a few steps.
 */
@SuppressWarnings("restricted") // segments over known block addresses, made on purpose
public abstract class BlockAllocatorContract {

    /** Four blocks per chunk: small enough that every test crosses chunk boundaries. */
    protected static final ChunkPolicy POLICY = new ChunkPolicy(4);

    /** Sizes at and around every class boundary, and raw ones. */
    protected static final long[] EDGE_SIZES = {0, 1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097,
        16383, 16384, 16385, 100_000};

    /**
     * Rounds of the close race. On two cores, with the pool's links and tops unmapped by close(), 100 rounds killed
     * the JVM in one run of three; a raw block left mapped was caught within 100 rounds every time.
     */
    private static final int CLOSE_RACE_ROUNDS = 200;
    /** Threads calling while the close comes: more than two cores, so some are preempted inside a call. */
    private static final int CLOSE_RACE_THREADS = 3;
    /** Every pooled class, mostly small, and one raw size. */
    private static final long[] CLOSE_RACE_SIZES = {64, 64, 64, 200, 1000, 4000, 16_000, 20_000};

    protected BlockAllocator allocator;
    protected final long pageSize = OsMemory.system().pageSize();

    /** Creates the allocator under test with the given policy and memory source. */
    protected abstract BlockAllocator create(ChunkPolicy policy, MemorySource memory);

    @BeforeEach
    void openAllocator() {
        allocator = create(POLICY, OsMemory.system());
    }

    @AfterEach
    void closeAllocator() {
        try {
            allocator.close();
        } catch (IllegalStateException alreadyClosed) {
            // the test closed it
        }
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

    @Test
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
        List<MemorySegment> byAddress = new ArrayList<>(live);
        byAddress.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < byAddress.size(); i++) {
            MemorySegment previous = byAddress.get(i - 1);
            assertThat(byAddress.get(i).address()).as("block after 0x%x", previous.address())
                    .isGreaterThanOrEqualTo(previous.address() + blockExtent(previous));
        }
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
    void keepsBytesUserWrote() {
        SplittableRandom random = new SplittableRandom(7);
        List<MemorySegment> kept = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            List<MemorySegment> batch = new ArrayList<>();
            for (long size : EDGE_SIZES) {
                MemorySegment block = allocator.allocate(size);
                fill(block);
                batch.add(block);
            }
            for (MemorySegment block : batch) {
                if (random.nextBoolean()) {
                    kept.add(block);
                } else {
                    allocator.free(block);
                }
            }
        }
        for (MemorySegment block : kept) {
            assertThat(patternIntact(block)).as("bytes of block 0x%x (%d bytes)", block.address(), block.byteSize())
                    .isTrue();
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
        checkInvariantsIfSelfChecking();
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @Test
    void rejectsNegativeSizeAndKeepsState() {
        populate();
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(-1));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(-64, 8));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(Long.MIN_VALUE));
    }

    @Test
    void rejectsTooLargeSizeAndKeepsState() {
        populate();
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(SizeClass.MAX_REQUEST + 1));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(Long.MAX_VALUE));
    }

    @Test
    void rejectsBadAlignmentAndKeepsState() {
        populate();
        for (long alignment : new long[] {0, -1, 3, 24, -8, pageSize * 2, Long.MIN_VALUE}) {
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(64, alignment));
        }
    }

    @Test
    void rejectsForeignSegmentAndKeepsState() {
        populate();
        try (Arena arena = Arena.ofConfined(); BlockAllocator other = create(POLICY, OsMemory.system())) {
            MemorySegment fromArena = arena.allocate(64, 64);
            MemorySegment otherBlock = other.allocate(64);
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(fromArena));
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(otherBlock));
            assertRejectedUnchanged(IllegalArgumentException.class,
                    () -> allocator.free(MemorySegment.ofArray(new byte[64])));
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(MemorySegment.NULL));
        }
    }

    @Test
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
    void rejectsInteriorAddressAndKeepsState() {
        MemorySegment block = allocator.allocate(100);
        MemorySegment raw = allocator.allocate(50_000);
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(block.asSlice(8)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(block.address() + 1).reinterpret(100)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(raw.address() + pageSize).reinterpret(50_000)));
        allocator.free(block);
        allocator.free(raw);
    }

    @Test
    void rejectsWrongSizeAndKeepsState() {
        MemorySegment block = allocator.allocate(100);
        MemorySegment raw = allocator.allocate(50_000);
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(block.asSlice(0, 50)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(block.address()).reinterpret(1000)));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(raw.asSlice(0, 40_000)));
        allocator.free(block);
        allocator.free(raw);
    }

    @Test
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
    void rejectsNullAndKeepsState() {
        populate();
        assertRejectedUnchanged(NullPointerException.class, () -> allocator.free(null));
    }

    @Test
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

    // ---- threads -----------------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    void freesFromAnotherThread() throws Exception {
        ConcurrentLinkedQueue<MemorySegment> handoff = new ConcurrentLinkedQueue<>();
        AtomicInteger corrupted = new AtomicInteger();
        int blocks = 2_000;
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> producer = threads.submit(() -> {
                for (int i = 0; i < blocks; i++) {
                    MemorySegment block = allocator.allocate(EDGE_SIZES[i % EDGE_SIZES.length]);
                    fill(block);
                    handoff.add(block);
                }
            });
            Future<?> consumer = threads.submit(() -> {
                int freed = 0;
                while (freed < blocks) {
                    MemorySegment block = handoff.poll();
                    if (block == null) {
                        if (producer.isDone() && handoff.isEmpty()) {
                            return; // the producer stopped early: its future carries the failure
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    if (!patternIntact(block)) {
                        corrupted.incrementAndGet();
                    }
                    allocator.free(block);
                    freed++;
                }
            });
            producer.get();
            consumer.get();
        }
        assertThat(corrupted).hasValue(0);
        AllocatorStats stats = allocator.stats();
        assertThat(stats.liveBlocks()).as("live after every block was freed").isZero();
        for (ClassStats pool : stats.pools()) {
            assertThat(pool.free()).as("free blocks of class %s", pool.sizeClass()).isEqualTo(pool.carved());
        }
        checkInvariantsIfSelfChecking();
    }

    /**
     * {@code close()} may come while other threads are still calling. Each call then completes or throws
     * IllegalStateException (the allocator's, or the closed memory's own), close() completes, and no block outlives it:
     * a call racing with close() must neither touch memory already given back (that kills the JVM, and this test with
     * it) nor map memory that close() no longer gives back. Rounds, because the race lands somewhere else each time.
     */
    @Test
    @Timeout(120)
    void closeRacingCallsOfOtherThreadsEndsEachCleanly() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < CLOSE_RACE_ROUNDS; round++) {
            BlockAllocator racing = create(POLICY, OsMemory.system());
            AtomicBoolean closed = new AtomicBoolean();
            CountDownLatch running = new CountDownLatch(CLOSE_RACE_THREADS);
            List<Future<List<MemorySegment>>> workers = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(CLOSE_RACE_THREADS)) {
                for (int t = 0; t < CLOSE_RACE_THREADS; t++) {
                    SplittableRandom own = random.split();
                    workers.add(threads.submit(() -> churnUntilClosed(racing, own, running, closed)));
                }
                running.await();
                long until = System.nanoTime() + random.nextLong(2_000_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                try {
                    racing.close();
                } finally {
                    closed.set(true); // the workers stop even if close() failed
                }
                for (Future<List<MemorySegment>> worker : workers) {
                    for (MemorySegment held : worker.get()) {
                        assertThat(held.scope().isAlive()).as("round %d: block 0x%x (%d bytes) after close", round,
                                held.address(), held.byteSize()).isFalse();
                    }
                }
            }
        }
    }

    /**
     * Allocates, writes and frees random blocks (pooled and raw) until the allocator refuses with
     * IllegalStateException or the test says it is closed; any other exception fails the test.
     *
     * @return the blocks still held
     */
    private static List<MemorySegment> churnUntilClosed(BlockAllocator racing, SplittableRandom random,
                                                        CountDownLatch running, AtomicBoolean closed) {
        MemorySegment[] held = new MemorySegment[16];
        running.countDown();
        try {
            while (!closed.get()) {
                int slot = random.nextInt(held.length);
                if (held[slot] == null) {
                    held[slot] = racing.allocate(CLOSE_RACE_SIZES[random.nextInt(CLOSE_RACE_SIZES.length)]);
                    held[slot].set(ValueLayout.JAVA_LONG, 0, slot);
                } else {
                    MemorySegment block = held[slot];
                    held[slot] = null; // gone once the free starts: a free racing close() may complete or throw
                    racing.free(block);
                }
            }
        } catch (IllegalStateException closedUnderTheCall) {
            // the allocator or the block's memory is closed: the answer a call racing close() may get
        }
        return Arrays.stream(held).filter(Objects::nonNull).toList();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** The allocator's visible state: equal snapshots around a rejected call mean the call changed nothing. */
    protected record Snapshot(AllocatorStats stats, List<List<Long>> arenas) {
        static Snapshot of(BlockAllocator allocator) {
            return new Snapshot(allocator.stats(),
                    allocator.arenas().stream().map(a -> List.of(a.address(), a.byteSize())).toList());
        }
    }

    /** A memory source that refuses while {@link #refuse} is set. */
    protected static final class RefusingMemory implements MemorySource {
        private final MemorySource delegate;
        volatile boolean refuse;

        RefusingMemory(MemorySource delegate) {
            this.delegate = delegate;
        }

        @Override
        public long pageSize() {
            return delegate.pageSize();
        }

        @Override
        public MemorySegment obtain(long bytes, Arena scope) {
            if (refuse) {
                throw Rejections.refused(bytes, "refused by the test");
            }
            return delegate.obtain(bytes, scope);
        }

        @Override
        public String description() {
            return "refusing on cue";
        }
    }

    protected void assertRejectedUnchanged(Class<? extends Throwable> expected, Executable call) {
        Snapshot before = Snapshot.of(allocator);
        Throwable thrown = assertThrows(expected, () -> {
            try {
                call.execute();
            } catch (OutOfMemoryError e) {
                // JUnit treats OutOfMemoryError as unrecoverable and ends the run; here it is just the wrong answer.
                throw new AssertionError("expected " + expected.getSimpleName() + ", the call ran out of memory", e);
            }
        });
        assertThat(thrown.getMessage()).as("message of %s", thrown).isNotBlank();
        assertThat(Snapshot.of(allocator)).as("state after rejected call (%s)", thrown.getMessage()).isEqualTo(before);
        checkInvariantsIfSelfChecking();
    }

    /** Some live and some free blocks in several classes and one raw block, so "unchanged" means something. */
    protected void populate() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (long size : EDGE_SIZES) {
            blocks.add(allocator.allocate(size));
        }
        for (int i = 0; i < blocks.size(); i += 3) {
            allocator.free(blocks.get(i));
        }
    }

    /**
     * Allocates where success is expected. An {@link OutOfMemoryError} becomes an assertion failure: JUnit treats it
     * as unrecoverable and would end the whole test run instead of failing one test.
     */
    private static MemorySegment allocateExpectingSuccess(BlockAllocator allocator, long byteSize) {
        try {
            return allocator.allocate(byteSize);
        } catch (OutOfMemoryError e) {
            throw new AssertionError("allocate(" + byteSize + ") was refused after the system gave memory again", e);
        }
    }

    private void checkInvariantsIfSelfChecking() {
        if (allocator instanceof SelfChecking checking) {
            checking.checkInvariants();
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

    /** Writes a pattern derived from the block's address, so a block moved or overwritten shows. */
    protected static void fill(MemorySegment block) {
        for (long i = 0; i < block.byteSize(); i++) {
            block.set(ValueLayout.JAVA_BYTE, i, patternByte(block.address(), i));
        }
    }

    protected static boolean patternIntact(MemorySegment block) {
        for (long i = 0; i < block.byteSize(); i++) {
            if (block.get(ValueLayout.JAVA_BYTE, i) != patternByte(block.address(), i)) {
                return false;
            }
        }
        return true;
    }

    private static byte patternByte(long address, long index) {
        return (byte) ((address >>> 6) * 31 + index * 7 + 1);
    }
}
