package dev.allocspec.properties.concurrent;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bounded soak, not a benchmark: generations of threads allocate and free on one allocator, a quarter of the frees
 * handed to another thread, every block with one owner (INV-SINGLE-OWNER: claimed in an ownership map) and a cookie
 * at both ends (INV-CONTENT: checked before it is freed). Each generation's threads end and the next generation's
 * start, inheriting the blocks left in the hand-off queues, so that blocks allocated by threads that have ended are
 * freed by others and the caches of ended threads are reclaimed. Afterwards everything is freed and must be accounted
 * for (INV-NOTHING-LOST), with the allocator's own invariant walk.
 *
 * @param threads     threads per generation (at least 2)
 * @param operations  operations in all
 * @param generations how many times a new set of threads takes over
 * @param kind        platform threads, or virtual threads that yield every {@value #VIRTUAL_YIELD_EVERY} operations
 *                    so that they take turns on the few carriers
 * @param seed        the seed of every thread's random choices
 */
public record Soak(int threads, long operations, int generations, ScenarioRunner.ThreadKind kind, long seed) {

    private static final int VIRTUAL_YIELD_EVERY = 50;
    private static final long[] SIZES = {16, 64, 100, 256, 1000, 4096, 16_384};
    /** Blocks a thread holds at most; beyond, it frees. */
    private static final int MAX_HELD = 64;

    /** @throws IllegalArgumentException on fewer than two threads, or non-positive operations or generations */
    public Soak {
        if (threads < 2 || operations < 1 || generations < 1) {
            throw new IllegalArgumentException("a soak needs at least 2 threads, 1 operation and 1 generation: "
                    + threads + ", " + operations + ", " + generations);
        }
    }

    /**
     * What a soak did.
     *
     * @param operations       operations run
     * @param crossThreadFrees blocks freed by a thread other than the one that allocated them
     * @param threadsStarted   threads started over all generations
     */
    public record Result(long operations, long crossThreadFrees, int threadsStarted) {
    }

    /**
     * Runs the soak on {@code allocator}, which it frees completely but does not close.
     *
     * @throws InvariantViolation the first invariant found broken
     */
    public Result run(OffHeapAllocator allocator) throws InterruptedException {
        List<ConcurrentLinkedQueue<MemorySegment>> inboxes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            inboxes.add(new ConcurrentLinkedQueue<>());
        }
        Map<Long, Long> owners = new ConcurrentHashMap<>();
        AtomicLong crossThreadFrees = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long perThread = Math.max(1, operations / ((long) threads * generations));
        for (int g = 0; g < generations && failure.get() == null; g++) {
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Worker worker = new Worker(allocator, t, inboxes, owners, crossThreadFrees, perThread,
                        new SplittableRandom(seed ^ (31L * g + t)));
                started.add(kind.start(() -> {
                    try {
                        worker.work();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : started) {
                thread.join();
            }
        }
        if (failure.get() != null) {
            throw failure.get() instanceof InvariantViolation violation ? violation
                    : new InvariantViolation(Invariant.CONTENT, "a soak thread threw " + failure.get());
        }
        for (ConcurrentLinkedQueue<MemorySegment> inbox : inboxes) {
            for (MemorySegment block = inbox.poll(); block != null; block = inbox.poll()) {
                release(allocator, block, owners, "the end");
            }
        }
        ScenarioRunner.checkEverythingCameBack(allocator);
        return new Result(perThread * threads * generations, crossThreadFrees.get(), threads * generations);
    }

    /** One thread's share; blocks it hands off go to another thread's inbox, and what it holds at the end too. */
    private record Worker(OffHeapAllocator allocator, int me, List<ConcurrentLinkedQueue<MemorySegment>> inboxes,
                          Map<Long, Long> owners, AtomicLong crossThreadFrees, long operations,
                          SplittableRandom random) {

        void work() {
            ScenarioRunner.ThreadKind kind = Thread.currentThread().isVirtual() ? ScenarioRunner.ThreadKind.VIRTUAL
                    : ScenarioRunner.ThreadKind.PLATFORM;
            List<MemorySegment> held = new ArrayList<>();
            long id = Thread.currentThread().threadId();
            for (long op = 0; op < operations; op++) {
                if (kind == ScenarioRunner.ThreadKind.VIRTUAL && op % VIRTUAL_YIELD_EVERY == 0) {
                    Thread.yield();
                }
                MemorySegment incoming = inboxes.get(me).poll();
                if (incoming != null) {
                    release(allocator, incoming, owners, "thread " + id + " operation " + op);
                    crossThreadFrees.incrementAndGet();
                } else if (held.size() < MAX_HELD && (held.isEmpty() || random.nextBoolean())) {
                    MemorySegment block = allocator.allocate(SIZES[random.nextInt(SIZES.length)], 1);
                    Long other = owners.putIfAbsent(block.address(), id);
                    if (other != null) {
                        throw new InvariantViolation(Invariant.SINGLE_OWNER, "block 0x"
                                + Long.toHexString(block.address()) + " handed to thread " + id + " at operation "
                                + op + " while thread " + other + " owns it");
                    }
                    Cookie.write(block);
                    held.add(block);
                } else {
                    MemorySegment block = held.remove(random.nextInt(held.size()));
                    if (random.nextInt(4) == 0) {
                        handOff(block);
                    } else {
                        release(allocator, block, owners, "thread " + id + " operation " + op);
                    }
                }
            }
            held.forEach(this::handOff); // freed by the next generation's threads, or at the end
        }

        private void handOff(MemorySegment block) {
            int threads = inboxes.size();
            inboxes.get((me + 1 + random.nextInt(threads - 1)) % threads).add(block);
        }
    }

    private static void release(OffHeapAllocator allocator, MemorySegment block, Map<Long, Long> owners, String when) {
        Cookie.requireIntact(block, when);
        owners.remove(block.address());
        allocator.free(block);
    }
}
