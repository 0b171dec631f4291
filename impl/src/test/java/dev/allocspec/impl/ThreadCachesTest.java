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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread caches: batch refill in one CAS, order-preserving flush, the low-water pass, reclaiming the caches of
 * threads that ended, and virtual threads going straight to the shared stacks.
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
                    CasStrategy.LOCKED));
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
        List<Long> freedThere = new ArrayList<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                blocks.add(allocator.allocate(64));
            }
            blocks.forEach(b -> {
                allocator.free(b);
                freedThere.add(b.address());
            });
        });
        worker.join();
        FreeStack shared = allocator.pool(SizeClass.B64).stack;
        assertThat(shared.snapshot(1000)).as("still in the dead thread's cache").doesNotContainAnyElementsOf(freedThere);
        allocator.checkInvariants(); // conservation counts the dead thread's cache
        allocator.threadCaches().reclaimDead();
        assertThat(shared.snapshot(1000)).as("drained into the shared stack").containsAll(freedThere);
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
        for (int i = 0; i < 2 * ThreadCache.GC_INTERVAL; i++) { // another class's traffic drives the passes
            allocator.free(allocator.allocate(1000));
        }
        int given = shared.snapshot(10_000).size() - onStackBefore;
        assertThat(given).as("blocks the 64-byte bin gave back").isGreaterThanOrEqualTo(30);
    }

    @Test
    void threadsWhoseIdsShareASlotEachGetTheirOwnCache() throws Exception {
        // More live threads than slots, so ids collide: each must still be handed its own cache, every time.
        int threads = ThreadCaches.SLOTS + 40;
        CyclicBarrier allStarted = new CyclicBarrier(threads);
        Set<ThreadCache> distinct = ConcurrentHashMap.newKeySet();
        AtomicInteger wrongOwner = new AtomicInteger();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    ThreadCache first = allocator.threadCaches().current();
                    allStarted.await(); // every thread alive at once: colliding slots are held by live threads
                    for (int i = 0; i < 50; i++) {
                        allocator.free(allocator.allocate(64));
                        ThreadCache again = allocator.threadCaches().current();
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
        ThreadCache mine = allocator.threadCaches().current();
        assertThat(mine.owner).as("a slot left by ended threads serves this one").isSameAs(Thread.currentThread());
        assertThat(allocator.threadCaches().current()).isSameAs(mine);
    }

    @Test
    void virtualThreadsUseTheSharedStacksDirectly() throws InterruptedException {
        long[] address = new long[1];
        Thread.ofVirtual().start(() -> {
            MemorySegment block = allocator.allocate(64);
            address[0] = block.address();
            allocator.free(block);
        }).join();
        assertThat(allocator.pool(SizeClass.B64).stack.snapshot(1000)).as("freed straight to the shared stack")
                .contains(address[0]);
    }
}
