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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The {@linkplain Profile#SAFETY safety profile} of the contract: what any {@link OffHeapAllocator} must do, whatever
 * its policy, one test per rule. To verify your own allocator, extend this class in a test and say how to make one:
 *
 * <pre>{@code
 * class MyAllocatorSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {
 *     protected OffHeapAllocator newAllocator() {
 *         return new MyAllocatorAdapter();
 *     }
 * }
 * }</pre>
 *
 * Nothing here depends on which block an allocation returns: the checks track live blocks, their sizes and their
 * bytes, never positions. {@link BlockAllocatorContract} extends it with this family's policy.
 *
 * @param <A> the allocator type under test
 */
@SuppressWarnings("restricted") // segments over known block addresses, made on purpose
public abstract class OffHeapAllocatorContract<A extends OffHeapAllocator> {

    /** Sizes from zero to beyond the largest class of common allocators (jalib 16 KiB, glibc's mmap threshold). */
    protected static final long[] EDGE_SIZES = {0, 1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097,
        16383, 16384, 16385, 100_000};
    /** A request too large for any system today (a petabyte): an allocator must refuse it cleanly. */
    protected static final long TOO_LARGE_FOR_ANY_SYSTEM = 1L << 50;

    /** Rounds of the close race: the race lands somewhere else each time. */
    private static final int CLOSE_RACE_ROUNDS = 200;
    /** Threads calling while the close comes: more than two cores, so some are preempted inside a call. */
    private static final int CLOSE_RACE_THREADS = 3;
    /** Mostly small sizes, some large. */
    private static final long[] CLOSE_RACE_SIZES = {64, 64, 64, 200, 1000, 4000, 16_000, 20_000};
    /**
     * Blocks held at once, and the least number of rounds, of the reuse check: 4,096 blocks at least, since jemalloc
     * cycles through about 1,024 extents of a large size before it hands one out again.
     */
    private static final int REUSE_BLOCKS = 16;
    private static final int REUSE_MIN_ROUNDS = 256;
    /** How much the reuse check allocates and frees in all, per size: four times {@link #REUSE_FLOOR_BYTES}. */
    private static final long REUSE_VOLUME_BYTES = 16L << 20;
    /**
     * The memory a reusing allocator may always spread its blocks over: enough for a chunk that is reused only once
     * all its blocks are free (a bump allocator's, such as Netty's adaptive one, 128 KiB), and for caches and bins.
     * Above it, at most half of what was allocated may sit at addresses never met before: glibc's heap, fed frees
     * from another thread, keeps spreading slowly (about a sixth of 66 MB after 100 rounds of the handoff check), an
     * allocator that loses frees spreads over all of it.
     */
    private static final long REUSE_FLOOR_BYTES = 4L << 20;
    /** Rounds, and blocks per round, of the check of frees from another thread. */
    private static final int HANDOFF_ROUNDS = 100;
    private static final int HANDOFF_BLOCKS = 100;
    /** The largest block the handoff check holds to reuse. */
    private static final long HANDOFF_REUSED_SIZE = 16_384;

    /** The allocator under test, fresh for each test. */
    protected A allocator;
    /** Blocks {@link #populate()} left live, with a pattern in each: the state a rejected call must not change. */
    private final List<MemorySegment> populated = new ArrayList<>();

    /** A fresh allocator under test. */
    protected abstract A newAllocator();

    /**
     * A fresh allocator that takes its memory from {@code memory}, if the allocator can (see
     * {@link OffHeapAllocatorFactory#create(MemorySource)}); empty by default.
     */
    protected Optional<A> newAllocator(MemorySource memory) {
        return Optional.empty();
    }

    @BeforeEach
    void openAllocator() {
        allocator = newAllocator();
        populated.clear();
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
    void returnsNativeSegmentOfExactSize() {
        for (long size : EDGE_SIZES) {
            MemorySegment block = allocator.allocate(size, 1);
            assertThat(block.byteSize()).as("byte size of allocate(%d)", size).isEqualTo(size);
            assertThat(block.isNative()).as("allocate(%d) is native", size).isTrue();
            fill(block);
            assertThat(patternIntact(block)).as("all %d bytes written and read back", size).isTrue();
        }
        assertLiveBlocks(EDGE_SIZES.length);
    }

    @Test
    void honoursRequestedAlignment() {
        for (long alignment = 1; alignment <= 4096; alignment <<= 1) {
            for (long size : new long[] {0, 1, 10, 100, 3000, 20_000}) {
                MemorySegment block = allocator.allocate(size, alignment);
                assertThat(block.address() % alignment).as("address of allocate(%d, %d)", size, alignment).isZero();
                assertThat(block.byteSize()).isEqualTo(size);
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
                live.add(allocator.allocate(EDGE_SIZES[random.nextInt(EDGE_SIZES.length)], 1));
            }
        }
        assertDisjoint(live, MemorySegment::byteSize);
        assertLiveBlocks(live.size());
    }

    @Test
    void keepsBytesUserWrote() {
        SplittableRandom random = new SplittableRandom(7);
        List<MemorySegment> kept = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            List<MemorySegment> batch = new ArrayList<>();
            for (long size : EDGE_SIZES) {
                MemorySegment block = allocator.allocate(size, 1);
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

    /**
     * Freed memory comes back: rounds of allocating {@value #REUSE_BLOCKS} blocks and freeing them all, 16 MiB in all
     * per size, must keep meeting the same memory. The blocks' distinct addresses may spread over a few MiB (a chunk
     * reused only once it is wholly free, caches) but not over everything allocated: without a count of live blocks
     * this is how a lost free shows from outside. A block whose scope its free closed counts as given back whatever
     * its address (an allocator that maps each block at a new address and unmaps it on free loses nothing).
     */
    @Test
    void handsFreedMemoryOutAgain() {
        for (long size : new long[] {64, 1000, 16_384, 100_000}) {
            long rounds = Math.max(REUSE_MIN_ROUNDS, REUSE_VOLUME_BYTES / (REUSE_BLOCKS * size));
            Set<Long> addresses = new HashSet<>();
            long kept = 0;
            for (long round = 0; round < rounds; round++) {
                List<MemorySegment> held = new ArrayList<>();
                for (int i = 0; i < REUSE_BLOCKS; i++) {
                    held.add(allocator.allocate(size, 1));
                }
                held.forEach(allocator::free);
                for (MemorySegment block : held) {
                    if (block.scope().isAlive()) { // still reachable: the allocator kept its memory
                        addresses.add(block.address());
                        kept++;
                    }
                }
            }
            assertLiveBlocks(0);
            assertMostlyReused(addresses.size() * size, kept * size, "rounds of " + REUSE_BLOCKS + " blocks of "
                    + size + " bytes, each round freed before the next");
        }
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @Test
    void rejectsNegativeSizeAndKeepsState() {
        populate();
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(-1, 1));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(-64, 8));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(Long.MIN_VALUE, 1));
    }

    @Test
    void rejectsTooLargeSizeAndKeepsState() {
        populate();
        for (long size : new long[] {TOO_LARGE_FOR_ANY_SYSTEM, Long.MAX_VALUE}) {
            assertRefusedUnchanged(() -> allocator.allocate(size, 1), "allocate(" + size + ")");
        }
    }

    @Test
    void rejectsBadAlignmentAndKeepsState() {
        populate();
        for (long alignment : new long[] {0, -1, 3, 24, -8, Long.MIN_VALUE}) {
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.allocate(64, alignment));
        }
    }

    @Test
    void rejectsForeignSegmentAndKeepsState() {
        populate();
        try (Arena arena = Arena.ofConfined(); A other = newAllocator()) {
            MemorySegment fromArena = arena.allocate(64, 64);
            MemorySegment otherBlock = other.allocate(64, 1);
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(fromArena));
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(otherBlock));
            assertRejectedUnchanged(IllegalArgumentException.class,
                    () -> allocator.free(MemorySegment.ofArray(new byte[64])));
            assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(MemorySegment.NULL));
            other.free(otherBlock);
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
    }

    @Test
    void rejectsInteriorAddressAndKeepsState() {
        populate();
        MemorySegment block = allocator.allocate(100, 1);
        MemorySegment large = allocator.allocate(50_000, 1);
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(block.asSlice(8)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(block.address() + 1).reinterpret(100)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(large.address() + 4096).reinterpret(40_000)));
        allocator.free(block);
        allocator.free(large);
    }

    @Test
    void rejectsWrongSizeAndKeepsState() {
        populate();
        MemorySegment block = allocator.allocate(100, 1);
        MemorySegment large = allocator.allocate(50_000, 1);
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(block.asSlice(0, 50)));
        assertRejectedUnchanged(IllegalArgumentException.class,
                () -> allocator.free(MemorySegment.ofAddress(block.address()).reinterpret(1000)));
        assertRejectedUnchanged(IllegalArgumentException.class, () -> allocator.free(large.asSlice(0, 40_000)));
        allocator.free(block);
        allocator.free(large);
    }

    /**
     * A second free of a block that is still free is refused and changes nothing: in particular the block is not
     * handed out twice by the allocations that follow.
     */
    @Test
    void rejectsDoubleFreeAndKeepsState() {
        populate();
        MemorySegment block = allocator.allocate(100, 1);
        MemorySegment large = allocator.allocate(50_000, 1);
        allocator.free(block);
        allocator.free(large);
        assertRejectedUnchanged(IllegalStateException.class, () -> allocator.free(block));
        assertRejectedUnchanged(IllegalStateException.class, () -> allocator.free(large));
        List<MemorySegment> next = new ArrayList<>(populated);
        for (int i = 0; i < 4; i++) {
            next.add(allocator.allocate(100, 1));
            next.add(allocator.allocate(50_000, 1));
        }
        assertDisjoint(next, MemorySegment::byteSize);
    }

    @Test
    void rejectsNullAndKeepsState() {
        populate();
        assertRejectedUnchanged(NullPointerException.class, () -> allocator.free(null));
    }

    @Test
    void rejectsEveryCallAfterClose() {
        MemorySegment block = allocator.allocate(64, 1);
        allocator.close();
        List<Executable> calls = List.of(() -> allocator.allocate(64, 1), () -> allocator.allocate(64, 8),
                () -> allocator.allocate(20_000, 1), () -> allocator.free(block), () -> allocator.close());
        for (Executable call : calls) {
            assertThrows(IllegalStateException.class, call);
        }
    }

    @Test
    void closeGivesEverythingBack() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (long size : EDGE_SIZES) {
            blocks.add(allocator.allocate(size, 1));
        }
        allocator.close();
        for (MemorySegment block : blocks) {
            assertThat(block.scope().isAlive()).as("block 0x%x after close", block.address()).isFalse();
            if (block.byteSize() > 0) {
                assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_BYTE, 0),
                        "a block's memory is inaccessible after close");
            }
        }
    }

    /**
     * A refusal leaves the allocator as it was and usable: a request too large for any system always; and where the
     * allocator takes a memory source, a system that refuses on cue and then gives again.
     */
    @Test
    void survivesSystemRefusingMemory() {
        populate();
        assertRefusedUnchanged(() -> allocator.allocate(TOO_LARGE_FOR_ANY_SYSTEM, 1),
                "allocate(" + TOO_LARGE_FOR_ANY_SYSTEM + ")");
        assertThat(allocateExpectingSuccess(allocator, 100).byteSize()).isEqualTo(100);

        RefusingMemory memory = new RefusingMemory(OsMemory.system());
        Optional<A> fed = newAllocator(memory);
        if (fed.isEmpty()) {
            return;
        }
        try (A refusing = fed.get()) {
            memory.refuse = true;
            for (long size : new long[] {64, 20_000, 1 << 20}) {
                try {
                    refusing.free(refusing.allocate(size, 1)); // served from memory it already had: fine
                } catch (OutOfMemoryError refused) {
                    assertThat(refused.getMessage()).as("the refusal names the size").isNotBlank();
                }
            }
            memory.refuse = false;
            assertThat(allocateExpectingSuccess(refusing, 64).byteSize()).as("grows again once the system gives")
                    .isEqualTo(64);
            assertThat(allocateExpectingSuccess(refusing, 1 << 20).byteSize()).isEqualTo(1 << 20);
        }
    }

    // ---- threads -----------------------------------------------------------------------------------------------

    /**
     * One thread allocates and writes, another checks and frees, in rounds of {@value #HANDOFF_BLOCKS} blocks: no
     * block arrives changed, and the rounds keep meeting the same addresses (a free from another thread that is lost
     * would show as ever new ones).
     */
    @Test
    @Timeout(60)
    void freesFromAnotherThread() throws Exception {
        Map<Long, Long> addresses = new ConcurrentHashMap<>();
        LongAdder keptBytes = new LongAdder(); // of blocks up to 16 KiB whose memory the allocator kept
        AtomicInteger corrupted = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < HANDOFF_ROUNDS; round++) {
                ConcurrentLinkedQueue<MemorySegment> handoff = new ConcurrentLinkedQueue<>();
                Future<?> producer = threads.submit(() -> {
                    for (int i = 0; i < HANDOFF_BLOCKS; i++) {
                        MemorySegment block = allocator.allocate(EDGE_SIZES[i % EDGE_SIZES.length], 1);
                        fill(block);
                        handoff.add(block);
                    }
                });
                Future<?> consumer = threads.submit(() -> {
                    int freed = 0;
                    while (freed < HANDOFF_BLOCKS) {
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
                        // Kept by the allocator (not given back with its scope), and up to 16 KiB: an allocator may
                        // cycle through many extents of a large size before reusing one.
                        if (block.scope().isAlive() && block.byteSize() <= HANDOFF_REUSED_SIZE) {
                            addresses.merge(block.address(), Math.max(1, block.byteSize()), Math::max);
                            keptBytes.add(Math.max(1, block.byteSize()));
                        }
                        freed++;
                    }
                });
                producer.get();
                consumer.get();
            }
        }
        assertThat(corrupted).hasValue(0);
        assertEverythingFreed();
        assertMostlyReused(addresses.values().stream().mapToLong(Long::longValue).sum(), keptBytes.sum(), HANDOFF_ROUNDS + " rounds of "
                + HANDOFF_BLOCKS + " blocks handed to another thread to free (those up to 16 KiB)");
    }

    /**
     * {@code close()} may come while other threads are still calling. Each call then completes or throws
     * IllegalStateException (the allocator's, or the closed memory's own), close() completes, and no block outlives it:
     * a call racing with close() must neither touch memory already given back (that kills the JVM, and this test with
     * it) nor hand out a block that close() no longer gives back.
     */
    @Test
    @Timeout(120)
    void closeRacingCallsOfOtherThreadsEndsEachCleanly() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < CLOSE_RACE_ROUNDS; round++) {
            A racing = newAllocator();
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
     * Allocates, writes and frees random blocks until the allocator refuses with IllegalStateException or the test
     * says it is closed; any other exception fails the test.
     *
     * @return the blocks still held
     */
    private static List<MemorySegment> churnUntilClosed(OffHeapAllocator racing, SplittableRandom random,
                                                        CountDownLatch running, AtomicBoolean closed) {
        MemorySegment[] held = new MemorySegment[16];
        running.countDown();
        try {
            while (!closed.get()) {
                int slot = random.nextInt(held.length);
                if (held[slot] == null) {
                    held[slot] = racing.allocate(CLOSE_RACE_SIZES[random.nextInt(CLOSE_RACE_SIZES.length)], 1);
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

    // ---- what subclasses of a stronger profile refine ----------------------------------------------------------

    /**
     * The allocator's state as a caller can see it: equal before and after a rejected call. Here its count of live
     * blocks, if it keeps one; the live blocks' bytes are checked apart. The family adds stats and arenas.
     */
    protected Object visibleState() {
        return allocator.liveBlocks();
    }

    /** After every block was freed: none is live by the allocator's count, if it keeps one. */
    protected void assertEverythingFreed() {
        assertLiveBlocks(0);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /**
     * Freed memory came back: the bytes at distinct addresses stay within {@link #REUSE_FLOOR_BYTES} or half of all
     * that was allocated.
     */
    private static void assertMostlyReused(long distinctBytes, long allocatedBytes, String what) {
        assertThat(distinctBytes).as("bytes at distinct addresses, of %d allocated in %s", allocatedBytes, what)
                .isLessThanOrEqualTo(Math.max(REUSE_FLOOR_BYTES, allocatedBytes / 2));
    }

    /** The allocator's count of live blocks, where it keeps one, is {@code expected}. */
    protected void assertLiveBlocks(long expected) {
        OptionalLong live = allocator.liveBlocks();
        if (live.isPresent()) {
            assertThat(live.getAsLong()).as("live blocks by the allocator's own count").isEqualTo(expected);
        }
    }

    /**
     * Runs a call that must be rejected with {@code expected} and checks that nothing a caller can see changed: the
     * visible state, and the bytes of the blocks {@link #populate()} left live.
     */
    protected void assertRejectedUnchanged(Class<? extends Throwable> expected, Executable call) {
        Object before = visibleState();
        Throwable thrown = assertThrows(expected, () -> {
            try {
                call.execute();
            } catch (OutOfMemoryError e) {
                // JUnit treats OutOfMemoryError as unrecoverable and ends the run; here it is just the wrong answer.
                throw new AssertionError("expected " + expected.getSimpleName() + ", the call ran out of memory", e);
            }
        });
        assertThat(thrown.getMessage()).as("message of %s", thrown).isNotBlank();
        assertUnchangedSince(before, thrown.getMessage());
    }

    /** Runs a request no system can serve: refused with IllegalArgumentException or OutOfMemoryError, state unchanged. */
    private void assertRefusedUnchanged(Executable call, String what) {
        Object before = visibleState();
        Throwable thrown = null;
        try {
            call.execute();
        } catch (IllegalArgumentException | OutOfMemoryError refused) {
            thrown = refused;
        } catch (Throwable other) {
            throw new AssertionError(what + " threw " + other + ", not IllegalArgumentException or OutOfMemoryError",
                    other);
        }
        assertThat(thrown).as("%s was served", what).isNotNull();
        assertThat(thrown.getMessage()).as("message of %s", thrown).isNotBlank();
        assertUnchangedSince(before, thrown.getMessage());
    }

    private void assertUnchangedSince(Object before, String rejection) {
        assertThat(visibleState()).as("state after rejected call (%s)", rejection).isEqualTo(before);
        for (MemorySegment block : populated) {
            assertThat(patternIntact(block)).as("bytes of live block 0x%x after rejected call (%s)", block.address(),
                    rejection).isTrue();
        }
        if (allocator instanceof SelfChecking checking) {
            checking.checkInvariants();
        }
    }

    /** Some live blocks with a pattern in each and some freed ones, so "unchanged" means something. */
    protected void populate() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (long size : EDGE_SIZES) {
            blocks.add(allocator.allocate(size, 1));
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (i % 3 == 0) {
                allocator.free(blocks.get(i));
            } else {
                fill(blocks.get(i));
                populated.add(blocks.get(i));
            }
        }
    }

    /** No two of {@code blocks} overlap, each taking {@code extent} bytes from its address. */
    protected static void assertDisjoint(List<MemorySegment> blocks, java.util.function.ToLongFunction<MemorySegment>
            extent) {
        List<MemorySegment> byAddress = new ArrayList<>(blocks);
        byAddress.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < byAddress.size(); i++) {
            MemorySegment previous = byAddress.get(i - 1);
            assertThat(byAddress.get(i).address()).as("block after 0x%x (%d bytes)", previous.address(),
                    previous.byteSize()).isGreaterThanOrEqualTo(previous.address() + extent.applyAsLong(previous));
        }
    }

    /**
     * Allocates where success is expected. An {@link OutOfMemoryError} becomes an assertion failure: JUnit treats it
     * as unrecoverable and would end the whole test run instead of failing one test.
     */
    protected static MemorySegment allocateExpectingSuccess(OffHeapAllocator allocator, long byteSize) {
        try {
            return allocator.allocate(byteSize, 1);
        } catch (OutOfMemoryError e) {
            throw new AssertionError("allocate(" + byteSize + ") was refused after the system gave memory again", e);
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
        public void purge(MemorySegment mapping) {
            delegate.purge(mapping);
        }

        @Override
        public String description() {
            return "refusing on cue";
        }
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
