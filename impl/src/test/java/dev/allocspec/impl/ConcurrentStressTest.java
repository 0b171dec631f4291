package dev.allocspec.impl;

import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ClassStats;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stress test, not a benchmark: four threads allocate and free 10 million times in all, a quarter of the frees handed
 * to another thread; and the same with sixteen virtual threads that yield every few operations, so that they take turns
 * on the carriers and share the stripe caches. Each block carries a cookie (its address and size, at both ends) written
 * when allocated and checked when freed, so a block handed to two owners, or a free-list link written into a live
 * block, shows up as a corrupted cookie. Fixed seeds. Afterwards everything is freed and each class must be whole
 * again.
 *
 * <p>Checks INV-SINGLE-OWNER, INV-NOTHING-LOST, INV-CONTENT and INV-CONSERVATION under concurrency.
 */
class ConcurrentStressTest {

    private static final int THREADS = 4;
    private static final int VIRTUAL_THREADS = 16;
    /** A virtual worker yields after this many operations, so that the workers interleave on the few carriers. */
    private static final int VIRTUAL_YIELD_EVERY = 50;
    private static final long OPERATIONS = 10_000_000;
    private static final long[] SIZES = {16, 64, 100, 256, 1000, 4096, 16_384};

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    @Timeout(300)
    void noBlockIsCorruptedDuplicatedOrLost(CasStrategy strategy, boolean threadCache) throws Exception {
        stress(strategy, threadCache, THREADS, Executors.newFixedThreadPool(THREADS), 0);
    }

    @ParameterizedTest(name = "{0}, virtual threads")
    @EnumSource(CasStrategy.class)
    @Timeout(300)
    void virtualThreadsSharingStripeCachesLoseNothing(CasStrategy strategy) throws Exception {
        stress(strategy, true, VIRTUAL_THREADS, Executors.newVirtualThreadPerTaskExecutor(), VIRTUAL_YIELD_EVERY);
    }

    private static void stress(CasStrategy strategy, boolean threadCache, int threads, ExecutorService executor,
                               int yieldEvery) throws Exception {
        Configurations.assumeRunsHere(strategy);
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().strategy(strategy)
                .threadCache(threadCache).policy(new ChunkPolicy(16)).build()) {
            List<ConcurrentLinkedQueue<MemorySegment>> inboxes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
            AtomicLong corrupted = new AtomicLong();
            AtomicLong crossThreadFrees = new AtomicLong();
            List<List<MemorySegment>> leftovers = new ArrayList<>();
            try (executor) {
                List<Future<List<MemorySegment>>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Worker worker = new Worker(allocator, t, inboxes, corrupted, crossThreadFrees, yieldEvery);
                    workers.add(executor.submit(worker::work));
                }
                for (Future<List<MemorySegment>> worker : workers) {
                    leftovers.add(worker.get());
                }
            }
            for (List<MemorySegment> held : leftovers) {
                for (MemorySegment block : held) {
                    checkCookie(block, corrupted);
                    allocator.free(block);
                }
            }
            for (ConcurrentLinkedQueue<MemorySegment> inbox : inboxes) {
                for (MemorySegment block : inbox) {
                    checkCookie(block, corrupted);
                    allocator.free(block);
                }
            }

            assertThat(corrupted).as("blocks whose cookie was overwritten").hasValue(0);
            assertThat(crossThreadFrees.get()).as("frees handed to another thread").isGreaterThan(OPERATIONS / 20);
            AllocatorStats stats = allocator.stats();
            assertThat(stats.liveBlocks()).isZero();
            for (ClassStats c : stats.pools()) {
                assertThat(c.free()).as("class %s whole again", c.sizeClass()).isEqualTo(c.carved());
            }
            allocator.checkInvariants(); // walks every stack: no block lost, none twice
            System.out.printf("[ConcurrentStressTest] %s, thread cache %s, %d %s threads: %d operations, %d "
                            + "cross-thread frees, %s%n", strategy, threadCache, threads,
                    yieldEvery > 0 ? "virtual" : "platform", OPERATIONS, crossThreadFrees.get(), stats);
        }
    }

    /** One thread's share of the operations; blocks it hands to another thread go to that thread's inbox. */
    private record Worker(LockFreeBlockAllocator allocator, int me, List<ConcurrentLinkedQueue<MemorySegment>> inboxes,
                          AtomicLong corrupted, AtomicLong crossThreadFrees, int yieldEvery) {

        List<MemorySegment> work() {
            int threads = inboxes.size();
            SplittableRandom random = new SplittableRandom(1000 + me);
            List<MemorySegment> held = new ArrayList<>();
            for (long op = 0; op < OPERATIONS / threads; op++) {
                if (yieldEvery > 0 && op % yieldEvery == 0) {
                    Thread.yield();
                }
                MemorySegment incoming = inboxes.get(me).poll();
                if (incoming != null) {
                    checkCookie(incoming, corrupted);
                    allocator.free(incoming);
                    crossThreadFrees.incrementAndGet();
                } else if (held.size() < 64 && (held.isEmpty() || random.nextBoolean())) {
                    MemorySegment block = allocator.allocate(SIZES[random.nextInt(SIZES.length)]);
                    writeCookie(block);
                    held.add(block);
                } else {
                    MemorySegment block = held.remove(random.nextInt(held.size()));
                    if (random.nextInt(4) == 0) {
                        inboxes.get((me + 1 + random.nextInt(threads - 1)) % threads).add(block);
                    } else {
                        checkCookie(block, corrupted);
                        allocator.free(block);
                    }
                }
            }
            return held;
        }
    }

    private static void writeCookie(MemorySegment block) {
        long cookie = block.address() ^ block.byteSize() * 0x9E3779B97F4A7C15L;
        block.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, cookie);
        block.set(ValueLayout.JAVA_LONG_UNALIGNED, block.byteSize() - 8, ~cookie);
    }

    private static void checkCookie(MemorySegment block, AtomicLong corrupted) {
        long cookie = block.address() ^ block.byteSize() * 0x9E3779B97F4A7C15L;
        if (block.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != cookie
                || block.get(ValueLayout.JAVA_LONG_UNALIGNED, block.byteSize() - 8) != ~cookie) {
            corrupted.incrementAndGet();
        }
    }
}
