package dev.allocspec.impl;

import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The thread caches: batch refill in one CAS, order-preserving flush, the low-water pass, reclaiming the caches of
 * threads that ended, and the stripe caches virtual threads share.
 */
class ThreadCachesTest {

    private final LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(64))
            .build();

    @AfterEach
    void close() {
        allocator.checkInvariants();
        allocator.close();
    }

    @Test
    void popChainTakesTheTopBlocksInOrderWithOneCas() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(StackTopLayout.PADDED_SIZE + 5 * 64, StackTopLayout.PADDED_SIZE);
            FreeStack stack = new FreeStack(StampedTop.over(memory.asSlice(0, StackTopLayout.PADDED_SIZE),
                    CasStrategy.LOCKED), FreeBlockLayout.in(arena));
            long first = memory.address() + StackTopLayout.PADDED_SIZE;
            for (int i = 4; i >= 0; i--) {
                stack.push(first + i * 64);
            }
            long stampBefore = stack.stamp();
            long[] taken = new long[3];
            assertThat(stack.popChain(3, taken)).isEqualTo(3);
            assertThat(taken).containsExactly(first, first + 64, first + 128);
            assertThat(stack.stamp()).as("one CAS for the batch").isEqualTo(stampBefore + 1);
            assertThat(stack.popChain(3, taken)).as("only two left").isEqualTo(2);
            assertThat(stack.popChain(3, taken)).isZero();
        }
    }

    @Test
    void aRefillTakesHalfABinWithOneCasAndAFlushGivesItBackWithOne() {
        try (LockFreeBlockAllocator cached = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(256)).build()) {
            FreeStack shared = cached.pool(SizeClass.B64).stack; // a bin of 64 blocks: batches of 32
            long stamp = shared.stamp(); // every successful CAS on the top adds one
            List<MemorySegment> blocks = new ArrayList<>();
            blocks.add(cached.allocate(64));
            assertThat(shared.stamp() - stamp).as("the new chunk pushed as one chain, then one batch taken")
                    .isEqualTo(2);
            for (int i = 1; i < 32; i++) {
                blocks.add(cached.allocate(64));
            }
            assertThat(shared.stamp() - stamp).as("the rest of the batch came from the bin").isEqualTo(2);
            for (int i = 32; i < 65; i++) {
                blocks.add(cached.allocate(64));
            }
            assertThat(shared.stamp() - stamp).as("two more batches of 32, one CAS each").isEqualTo(4);
            assertThat(shared.snapshot(1000)).hasSize(256 - 96);
            blocks.forEach(cached::free); // the bin held 31: it fills at 64 and flushes its bottom 32 once
            assertThat(shared.stamp() - stamp).as("one flush, one CAS").isEqualTo(5);
            assertThat(shared.snapshot(1000)).hasSize(256 - 96 + 32);
        }
    }

    @Test
    void aSingleThreadSeesOneLogicalLifoStackAcrossCacheAndSharedStack() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // more than a bin holds: frees below flush to the shared stack
            blocks.add(allocator.allocate(64));
        }
        for (MemorySegment block : blocks) {
            allocator.free(block);
        }
        for (int i = blocks.size() - 1; i >= 0; i--) {
            assertThat(allocator.allocate(64).address()).as("LIFO across the flushes, block %d", i)
                    .isEqualTo(blocks.get(i).address());
        }
    }

    @Test
    void cachesOfThreadsThatEndedAreReclaimed() throws InterruptedException {
        List<Long> freedThere = freeTenBlocksOnAThreadThatEnds();
        FreeStack shared = allocator.pool(SizeClass.B64).stack;
        assertThat(shared.snapshot(1000)).as("still in the dead thread's cache")
                .doesNotContainAnyElementsOf(freedThere);
        allocator.checkInvariants(); // conservation counts the dead thread's cache
        allocator.threadCaches().reclaimDead();
        assertThat(shared.snapshot(1000)).as("drained into the shared stack").containsAll(freedThere);
        // The shared counters took over what the dead cache counted: nothing live, every carved block free.
        allocator.checkInvariants();
        assertThat(allocator.stats().pools().getFirst().live()).as("64-byte blocks live").isZero();
        assertThat(allocator.threadCaches().pathCounts()).containsEntry(CachePath.RECLAIM.label(), 1L);
        assertThat(allocator.threadCaches().reclaimDead()).as("a drained cache is not drained twice").isFalse();
    }

    @Test
    void aNewThreadDrainsTheCachesOfThreadsThatEnded() throws InterruptedException {
        MemorySegment other = allocator.allocate(256); // before: this growth must not be what drains the cache
        List<Long> freedThere = freeTenBlocksOnAThreadThatEnds();
        Thread newcomer = Thread.ofPlatform().start(() -> allocator.free(other)); // its first call registers it
        newcomer.join();
        assertThat(allocator.pool(SizeClass.B64).stack.snapshot(1000)).as("drained when the newcomer registered")
                .containsAll(freedThere);
    }

    @Test
    void aPoolTakesBackTheCachesOfThreadsThatEndedBeforeItGrows() throws InterruptedException {
        allocator.free(allocator.allocate(256)); // this thread's cache exists before the other thread ends
        freeTenBlocksOnAThreadThatEnds();
        long chunksBefore = allocator.stats().chunksObtained();
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // a whole chunk's worth: the shared stack runs dry on the way
            held.add(allocator.allocate(64));
        }
        assertThat(allocator.stats().chunksObtained()).as("the ended thread's cached blocks served before growth")
                .isEqualTo(chunksBefore);
        held.forEach(allocator::free);
    }

    @Test
    void shortLivedThreadsDoNotStrandBlocks() throws InterruptedException {
        for (int t = 0; t < 200; t++) { // each far below a low-water pass
            freeTenBlocksOnAThreadThatEnds();
        }
        assertThat(allocator.stats().pools().get(SizeClass.B64.ordinal()).carved()).as("64-byte blocks carved")
                .isLessThanOrEqualTo(2 * 64);
    }

    @Test
    void aNewThreadLooksAtABoundedNumberOfRegistrations() throws Exception {
        try (ParkedThreads _ = ParkedThreads.registered(allocator, 4 * ThreadCaches.SWEEP_STEP)) {
            MemorySegment other = allocator.allocate(64);
            long before = allocator.threadCaches().examined();
            // A free registers the newcomer and cannot grow a pool (growth walks every registration, by design).
            Thread newcomer = Thread.ofPlatform().start(() -> allocator.free(other));
            newcomer.join();
            assertThat(allocator.threadCaches().examined() - before).as("registrations a new thread looked at")
                    .isLessThanOrEqualTo(ThreadCaches.SWEEP_STEP);
        }
    }

    @Test
    void sweepsReachTheCacheOfAnEndedThreadBehindManyLiveOnes() throws Exception {
        int live = 4 * ThreadCaches.SWEEP_STEP;
        try (ParkedThreads _ = ParkedThreads.registered(allocator, live)) {
            allocator.free(allocator.allocate(64)); // this thread registers before the one that ends, too
            List<Long> freedThere = freeTenBlocksOnAThreadThatEnds(); // registered last: the sweeps reach it last
            FreeStack shared = allocator.pool(SizeClass.B64).stack;
            int enough = 2 * (live + 2) / ThreadCaches.SWEEP_STEP; // twice round the registry
            int sweeps = 0;
            while (!shared.snapshot(1000).containsAll(freedThere) && sweeps < enough) {
                allocator.threadCaches().sweep();
                sweeps++;
            }
            assertThat(shared.snapshot(1000)).as("drained after " + sweeps + " sweeps").containsAll(freedThere);
        }
    }

    @Test
    void threadsWhoseIdsPickTheSameSlotAreBothFoundWithoutTheThreadLocal() throws Exception {
        List<Thread> sameSlot = new ArrayList<>();
        CountDownLatch registeredBoth = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        long home = -1;
        while (sameSlot.size() < 2) { // thread ids come from a counter: unstarted threads until two share a residue
            Thread thread = Thread.ofPlatform().unstarted(() -> {
                allocator.free(allocator.allocate(64));
                registeredBoth.countDown();
                awaitQuietly(release);
            });
            if (home < 0 || (thread.threadId() - home) % ThreadCacheLookup.MIN_SLOTS == 0) {
                home = thread.threadId();
                sameSlot.add(thread);
            }
        }
        sameSlot.forEach(Thread::start);
        registeredBoth.await();
        for (Thread thread : sameSlot) {
            assertThat(allocator.threadCaches().lookup().inSlots(thread)).as("thread " + thread.threadId() + " in the slots")
                    .isTrue();
        }
        release.countDown();
        for (Thread thread : sameSlot) {
            thread.join();
        }
    }

    @Test
    void theSlotTableGrowsWithTheThreadsSoEachFindsItsCacheWithoutTheThreadLocal() throws Exception {
        try (ParkedThreads parked = ParkedThreads.registered(allocator, ThreadCacheLookup.MIN_SLOTS + 40)) {
            List<Thread> notInSlots = parked.threads().stream()
                    .filter(thread -> !allocator.threadCaches().lookup().inSlots(thread)).toList();
            assertThat(notInSlots).as("live threads whose cache only the ThreadLocal finds").isEmpty();
        }
    }

    /** Platform threads that each registered a cache and now wait until closed. */
    private record ParkedThreads(List<Thread> threads, CountDownLatch release) implements AutoCloseable {

        static ParkedThreads registered(LockFreeBlockAllocator allocator, int count) throws InterruptedException {
            var registeredAll = new CountDownLatch(count);
            var release = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    allocator.free(allocator.allocate(64));
                    registeredAll.countDown();
                    awaitQuietly(release);
                }));
            }
            registeredAll.await();
            return new ParkedThreads(threads, release);
        }

        @Override
        public void close() {
            release.countDown();
            for (Thread thread : threads) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while the parked threads end", e);
                }
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A platform thread allocates ten 64-byte blocks, frees them into its cache and ends; their addresses. */
    private List<Long> freeTenBlocksOnAThreadThatEnds() throws InterruptedException {
        List<Long> freed = new ArrayList<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                blocks.add(allocator.allocate(64));
            }
            blocks.forEach(b -> {
                allocator.free(b);
                freed.add(b.address());
            });
        });
        worker.join();
        return freed;
    }

    @Test
    void lowWaterPassGivesBackThreeQuartersOfWhatABinNeverUsed() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            blocks.add(allocator.allocate(64));
        }
        blocks.forEach(allocator::free); // the 64-byte bin now holds 40, and will not drop below that
        FreeStack shared = allocator.pool(SizeClass.B64).stack;
        int onStackBefore = shared.snapshot(10_000).size();
        // Another class's traffic drives the passes.
        for (int i = 0; i < 2 * ThreadCacheSettings.DEFAULT.lowWaterInterval(); i++) {
            allocator.free(allocator.allocate(1000));
        }
        int given = shared.snapshot(10_000).size() - onStackBefore;
        assertThat(given).as("blocks the 64-byte bin gave back").isGreaterThanOrEqualTo(30);
    }

    @Test
    void aLowWaterPassComesEveryIntervalAndGivesBackExactlyThreeQuartersOfTheLowWater() {
        // Interval 100: the 80 events of 40 allocations and 40 frees, then pairs of another class. The first pass
        // (event 100) finds the 64-byte bin's low water at 0; the second (event 200) at 64 (the 24 blocks the refills
        // left in the bin and the 40 freed), and gives back (3 * 64 + 3) / 4 = 48.
        try (LockFreeBlockAllocator small = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(64))
                .threadCacheSettings(ThreadCacheSettings.of(64, 32, 100)).build()) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                blocks.add(small.allocate(64));
            }
            blocks.forEach(small::free);
            FreeStack shared = small.pool(SizeClass.B64).stack;
            int onStackBefore = shared.snapshot(10_000).size();
            for (int pair = 0; pair < 59; pair++) {
                small.free(small.allocate(1000));
            }
            assertThat(shared.snapshot(10_000).size() - onStackBefore).as("before event 200").isZero();
            small.free(small.allocate(1000)); // events 199 and 200
            assertThat(shared.snapshot(10_000).size() - onStackBefore).as("given back by the pass at event 200")
                    .isEqualTo(48);
            assertThat(small.internalPathCounts()).containsEntry(CachePath.LOW_WATER_PASS.label(), 2L);
        }
    }

    @Test
    void threadsWhoseIdsShareASlotEachGetTheirOwnCache() throws Exception {
        // More live threads than the first table has slots: ids collide and the table grows under the threads; each
        // must still be handed its own cache, every time.
        int threads = ThreadCacheLookup.MIN_SLOTS + 40;
        CyclicBarrier allStarted = new CyclicBarrier(threads);
        Set<ThreadCache> distinct = ConcurrentHashMap.newKeySet();
        AtomicInteger wrongOwner = new AtomicInteger();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    ThreadCache first = allocator.threadCaches().lookup().current();
                    allStarted.await(); // every thread alive at once: colliding slots are held by live threads
                    for (int i = 0; i < 50; i++) {
                        allocator.free(allocator.allocate(64));
                        ThreadCache again = allocator.threadCaches().lookup().current();
                        if (again != first || again.owner != Thread.currentThread()) {
                            wrongOwner.incrementAndGet();
                        }
                    }
                    distinct.add(first);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        assertThat(wrongOwner).as("lookups that returned another thread's cache").hasValue(0);
        assertThat(distinct).as("one cache per thread").hasSize(threads);
        allocator.threadCaches().reclaimDead();
        ThreadCache mine = allocator.threadCaches().lookup().current();
        assertThat(mine.owner).as("a slot left by ended threads serves this one").isSameAs(Thread.currentThread());
        assertThat(allocator.threadCaches().lookup().current()).isSameAs(mine);
    }

    @Test
    void theFirstThreadIsPrimaryWhileItLivesAndEveryOtherThreadStillGetsItsOwnCache() throws Exception {
        allocator.free(allocator.allocate(64));
        Thread me = Thread.currentThread();
        assertThat(allocator.threadCaches().lookup().isPrimary(me)).as("the first thread to use the caches").isTrue();
        ThreadCache[] seenThere = new ThreadCache[1];
        boolean[] primaryThere = new boolean[1];
        Thread other = Thread.ofPlatform().start(() -> {
            allocator.free(allocator.allocate(64));
            seenThere[0] = allocator.threadCaches().lookup().current();
            primaryThere[0] = allocator.threadCaches().lookup().isPrimary(Thread.currentThread());
        });
        other.join();
        assertThat(seenThere[0].owner).as("the other thread's cache").isSameAs(other);
        assertThat(primaryThere[0]).as("a second live thread is primary").isFalse();
        assertThat(allocator.threadCaches().lookup().isPrimary(me)).as("still primary after the other thread").isTrue();
        assertThat(allocator.threadCaches().lookup().current().owner).isSameAs(me);
    }

    @Test
    void aLiveThreadBecomesPrimaryOnceThePrimaryHasEndedAndItsCacheIsDrained() throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> {
            allocator.free(allocator.allocate(64));
            registered.countDown();
            awaitQuietly(end);
        });
        registered.await();
        Thread me = Thread.currentThread();
        allocator.free(allocator.allocate(64)); // registers this thread while the first lives: no drain yet
        end.countDown();
        first.join();
        allocator.free(allocator.allocate(64));
        assertThat(allocator.threadCaches().lookup().isPrimary(first)).as("an ended primary stays until its cache is drained")
                .isTrue();
        assertThat(allocator.threadCaches().lookup().isPrimary(me)).isFalse();
        allocator.threadCaches().reclaimDead();
        allocator.free(allocator.allocate(64));
        assertThat(allocator.threadCaches().lookup().isPrimary(me)).as("claimed by the next call after the drain").isTrue();
        assertThat(allocator.threadCaches().lookup().current().owner).isSameAs(me);
    }

    @Test
    void aVirtualThreadIsNeverPrimaryItSharesStripes() throws Exception {
        Thread[] virtual = new Thread[1];
        onVirtualThread(() -> {
            virtual[0] = Thread.currentThread();
            allocator.free(allocator.allocate(64));
        });
        assertThat(allocator.threadCaches().lookup().isPrimary(virtual[0])).as("a stripe user").isFalse();
        allocator.free(allocator.allocate(64));
        assertThat(allocator.threadCaches().lookup().isPrimary(Thread.currentThread())).as("the first platform thread").isTrue();
    }

    @Test
    void aVirtualThreadAllocatesAndFreesThroughItsStripe() throws Exception {
        long[] address = new long[1];
        int[] stripe = new int[1];
        MemorySegment[] kept = new MemorySegment[1];
        onVirtualThread(() -> {
            stripe[0] = allocator.threadCaches().lookup().stripeIndex(Thread.currentThread());
            MemorySegment block = allocator.allocate(64);
            address[0] = block.address();
            allocator.free(block);
            kept[0] = allocator.allocate(64);
            assertThat(kept[0].address()).as("LIFO through the stripe").isEqualTo(address[0]);
            allocator.free(allocator.allocate(256)); // leaves a free 256-byte block in the stripe
        });
        ThreadCache.Bin bin = allocator.threadCaches().lookup().stripe(stripe[0]).bins[SizeClass.B64.ordinal()];
        assertThat(bin.count).as("the refill's other blocks wait in the stripe").isPositive();
        assertThat(allocator.pool(SizeClass.B64).stack.snapshot(1000)).as("not on the shared stack")
                .doesNotContain(address[0]);
        assertThat(allocator.stats().liveBlocks()).as("the stripe counts what it handed out").isEqualTo(1);
        allocator.free(kept[0]); // a platform thread frees what a virtual thread allocated
        assertThat(allocator.stats().liveBlocks()).isZero();
        // @AfterEach: checkInvariants counts the blocks in the stripes as free (INV-CONSERVATION)
    }

    /**
     * The fast paths release a stripe without a try/finally: after every allocation and free of a virtual thread, on
     * the fast path and off it (refills, full-bin flushes, low-water passes, a block of another size), every stripe is
     * free again. A stripe left taken would send virtual threads to the shared stack for good.
     */
    @Test
    void aVirtualThreadLeavesEveryStripeFreeAfterEachOperation() throws Exception {
        try (LockFreeBlockAllocator small = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(64))
                .threadCacheSettings(ThreadCacheSettings.of(8, 4, 16)).build()) {
            ThreadCacheLookup lookup = small.threadCaches().lookup();
            onVirtualThread(() -> {
                List<MemorySegment> blocks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    blocks.add(small.allocate(i % 3 == 0 ? 64 : 40));
                    assertEveryStripeFree(lookup);
                }
                for (MemorySegment block : blocks) {
                    small.free(block);
                    assertEveryStripeFree(lookup);
                }
                for (int i = 0; i < 100; i++) {
                    small.free(small.allocate(64));
                    assertEveryStripeFree(lookup);
                }
            });
        }
    }

    private static void assertEveryStripeFree(ThreadCacheLookup lookup) {
        int stripes = ThreadCacheLookup.stripeCount(Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < stripes; i++) {
            ThreadCache stripe = lookup.stripe(i);
            assertThat(stripe.tryAcquire()).as("stripe %d free", i).isTrue();
            stripe.release();
        }
    }

    @Test
    void aVirtualThreadWhoseStripesAreInUseGoesToTheSharedStack() throws Exception {
        onVirtualThread(() -> {
            ThreadCacheLookup caches = allocator.threadCaches().lookup();
            assertThat(ThreadCacheLookup.STRIPE_PROBES).as("this test holds every stripe a thread tries").isEqualTo(2);
            int first = caches.stripeIndex(Thread.currentThread());
            ThreadCache own = caches.stripe(first);
            ThreadCache next = caches.stripe(first + 1);
            assertThat(own.tryAcquire()).isTrue(); // as if two other virtual threads were using them
            assertThat(next.tryAcquire()).isTrue();
            try {
                MemorySegment block = allocator.allocate(64);
                allocator.free(block);
                assertThat(allocator.pool(SizeClass.B64).stack.snapshot(1000)).as("freed to the shared stack")
                        .contains(block.address());
                assertThat(own.bins[SizeClass.B64.ordinal()].count).as("busy stripe untouched").isZero();
                assertThat(next.bins[SizeClass.B64.ordinal()].count).as("busy stripe untouched").isZero();
            } finally {
                own.release();
                next.release();
            }
        });
    }

    @Test
    void aStripeFailingAnOperationIsReleased() throws Exception {
        onVirtualThread(() -> {
            ThreadCache own = allocator.threadCaches().lookup().stripe(
                    allocator.threadCaches().lookup().stripeIndex(Thread.currentThread()));
            MemorySegment block = allocator.allocate(64);
            allocator.free(block);
            assertThatThrownBy(() -> allocator.free(block)).isInstanceOf(IllegalStateException.class);
            assertThat(own.tryAcquire()).as("released after the double free was rejected").isTrue();
            own.release();
        });
    }

    @Test
    void aStripeHasOneUserAtATime() throws Exception {
        long[] usesAndOverlaps = stripeUses(allocator.threadCaches().lookup());
        assertThat(usesAndOverlaps[0]).as("operations that got a stripe").isPositive();
        assertThat(usesAndOverlaps[1]).as("uses that overlapped another thread's use of the same stripe").isZero();
    }

    @Test
    void theOneUserCheckCatchesStripesWithoutTheirLock() throws Exception {
        try (LockFreeBlockAllocator unlocked = LockFreeBlockAllocator.builder().unlockedStripesForNegativeControl()
                .build()) {
            assertThat(stripeUses(unlocked.threadCaches().lookup())[1]).as("overlapping uses").isPositive();
        }
    }

    /**
     * Many virtual threads take a cache as for one operation, yielding while they hold it so that others run on the
     * same carriers meanwhile. Returns {operations that got a stripe, uses that overlapped another thread's}.
     */
    private static long[] stripeUses(ThreadCacheLookup caches) throws Exception {
        Map<ThreadCache, AtomicReference<Thread>> users = new ConcurrentHashMap<>();
        AtomicLong uses = new AtomicLong();
        AtomicLong overlaps = new AtomicLong();
        List<Future<?>> workers = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                workers.add(executor.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        ThreadCache cache = caches.current();
                        if (cache == null) { // both stripes busy: this operation would use the shared stack
                            Thread.yield();
                            continue;
                        }
                        uses.incrementAndGet();
                        AtomicReference<Thread> user = users.computeIfAbsent(cache, c -> new AtomicReference<>());
                        if (!user.compareAndSet(null, Thread.currentThread())) {
                            overlaps.incrementAndGet();
                        }
                        Thread.yield();
                        user.compareAndSet(Thread.currentThread(), null);
                        cache.release();
                    }
                }));
            }
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        return new long[] {uses.get(), overlaps.get()};
    }

    @Test
    void stripesAreAboutTwoPerCoreAndAPowerOfTwo() {
        assertThat(ThreadCacheLookup.stripeCount(1)).isEqualTo(2);
        assertThat(ThreadCacheLookup.stripeCount(2)).isEqualTo(4);
        assertThat(ThreadCacheLookup.stripeCount(3)).isEqualTo(8);
        assertThat(ThreadCacheLookup.stripeCount(16)).isEqualTo(32);
        assertThat(ThreadCacheLookup.stripeCount(48)).isEqualTo(64);
        assertThat(ThreadCacheLookup.stripeCount(1000)).as("bounded").isEqualTo(64);
    }

    /** Runs {@code body} on a virtual thread and rethrows what it threw. */
    private static void onVirtualThread(Runnable body) throws Exception {
        Throwable[] thrown = new Throwable[1];
        Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }).join();
        if (thrown[0] instanceof Error error) {
            throw error;
        }
        if (thrown[0] != null) {
            throw new AssertionError(thrown[0]);
        }
    }
}
