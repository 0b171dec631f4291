package dev.allocspec.properties.concurrent;

import dev.allocspec.properties.linearizability.Call;
import dev.allocspec.properties.linearizability.History;
import dev.allocspec.properties.linearizability.LinearizabilityChecker;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.InternalPaths;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.SelfChecking;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs a {@link Scenario} on a fresh allocator and checks, during and after it: a block has one owner at a time
 * (INV-SINGLE-OWNER: every allocation claims the address in an ownership map that must not hold it), cookies written
 * at allocation are intact at free (INV-CONTENT), the recorded history of every call is linearizable
 * (INV-LINEARIZABLE, {@link LinearizabilityChecker}), and once everything is freed nothing is live by the allocator's
 * own count, where it keeps one, and in this family every class is whole again (INV-NOTHING-LOST,
 * INV-CONSERVATION) with the allocator's own invariant walk passing. Any {@link OffHeapAllocator} can be run: nothing
 * here depends on which block an allocation returns. The scenario's threads are
 * platform threads or virtual threads ({@link ThreadKind}).
 *
 * <p>What the allocator answers is recorded, not judged on the spot: a scenario never misuses the allocator, so a
 * rejected free or a failed allocation has no sequential explanation, and the history check reports it with the calls
 * around it instead of the bare exception.
 */
public final class ScenarioRunner {

    /** What kind of threads run a scenario's thread lists. */
    public enum ThreadKind {
        /** One platform thread per list. */
        PLATFORM,
        /** One virtual thread per list, scheduled on the JVM's carrier threads. */
        VIRTUAL;

        Thread start(Runnable task) {
            return this == VIRTUAL ? Thread.ofVirtual().start(task) : Thread.ofPlatform().start(task);
        }
    }

    /** The thread number of the main thread's calls: the sequential prefix, and the frees after the threads end. */
    private static final int MAIN = -1;

    private final Function<ChunkPolicy, ? extends OffHeapAllocator> factory;
    private final ChunkPolicy policy;
    private final ThreadKind threads;
    /** How often each internal path of the allocators ran, over every run so far ({@link InternalPaths}). */
    private final Map<String, Long> pathCounts = new ConcurrentHashMap<>();

    /** A runner that builds each allocator with {@code factory} and {@code policy} and runs on platform threads. */
    public ScenarioRunner(Function<ChunkPolicy, ? extends OffHeapAllocator> factory, ChunkPolicy policy) {
        this(factory, policy, ThreadKind.PLATFORM);
    }

    /** A runner that builds each allocator with {@code factory} and {@code policy} and runs on {@code threads}. */
    public ScenarioRunner(Function<ChunkPolicy, ? extends OffHeapAllocator> factory, ChunkPolicy policy, ThreadKind threads) {
        this.factory = factory;
        this.policy = policy;
        this.threads = threads;
    }

    /** How often each internal path of the allocators ran, over every completed run so far. */
    public Map<String, Long> pathCounts() {
        return Map.copyOf(pathCounts);
    }

    /** Runs the scenario {@code repetitions} times; the first failure, if any. */
    public Optional<Throwable> run(Scenario scenario, int repetitions) {
        for (int i = 0; i < repetitions; i++) {
            Optional<Throwable> failure = runOnce(scenario);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    private Optional<Throwable> runOnce(Scenario scenario) {
        try (OffHeapAllocator allocator = factory.apply(policy)) {
            Map<Long, Integer> owners = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<MemorySegment> handedOff = new ConcurrentLinkedQueue<>();
            List<List<MemorySegment>> held = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<MemorySegment> prefixHeld = new ArrayList<>();
            History history = new History();
            runOps(allocator, scenario.prefix(), MAIN, prefixHeld, owners, handedOff, history);
            CyclicBarrier start = new CyclicBarrier(Math.max(1, scenario.threads().size()));
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < scenario.threads().size(); t++) {
                int me = t;
                List<MemorySegment> mine = new ArrayList<>();
                held.add(mine);
                started.add(threads.start(() -> {
                    try {
                        start.await();
                        runOps(allocator, scenario.threads().get(me), me, mine, owners, handedOff, history);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : started) {
                thread.join();
            }
            if (failure.get() != null) {
                return Optional.of(failure.get());
            }
            held.add(prefixHeld);
            held.add(new ArrayList<>(handedOff));
            for (List<MemorySegment> blocks : held) {
                for (MemorySegment block : blocks) {
                    release(allocator, block, owners, MAIN, history, "the end (the main thread frees what was left)");
                }
            }
            LinearizabilityChecker.violation(history.calls()).ifPresent(why -> {
                throw new InvariantViolation(Invariant.LINEARIZABLE, why);
            });
            checking(Invariant.NOTHING_LOST, "the accounting after everything was freed", "the end",
                    () -> checkEverythingCameBack(allocator));
            if (allocator instanceof InternalPaths paths) {
                paths.internalPathCounts().forEach((path, count) -> pathCounts.merge(path, count, Long::sum));
            }
            return Optional.empty();
        } catch (Throwable e) {
            return Optional.of(e);
        }
    }

    private static void runOps(OffHeapAllocator allocator, List<Scenario.Op> ops, int me, List<MemorySegment> held,
                               Map<Long, Integer> owners, ConcurrentLinkedQueue<MemorySegment> handedOff,
                               History history) {
        for (int i = 0; i < ops.size(); i++) {
            Scenario.Op op = ops.get(i);
            String step = (me == MAIN ? "prefix" : "thread " + (me + 1)) + " step " + (i + 1) + " (" + op + ")";
            switch (op) {
                case Scenario.Alloc alloc -> {
                    MemorySegment block = allocate(allocator, alloc.size(), me, history);
                    if (block == null) {
                        continue;
                    }
                    Integer other = owners.putIfAbsent(block.address(), me);
                    if (other != null) {
                        throw new InvariantViolation(Invariant.SINGLE_OWNER, "block 0x"
                                + Long.toHexString(block.address()) + " handed to thread " + me
                                + " while thread " + other + " owns it");
                    }
                    checking(Invariant.CONTENT, "writing the cookie of block 0x" + Long.toHexString(block.address())
                            + " (" + block.byteSize() + " bytes)", step, () -> Cookie.write(block));
                    held.add(block);
                }
                case Scenario.FreeOldest ignored -> {
                    if (!held.isEmpty()) {
                        release(allocator, held.removeFirst(), owners, me, history, step);
                    }
                }
                case Scenario.FreeNewest ignored -> {
                    if (!held.isEmpty()) {
                        release(allocator, held.removeLast(), owners, me, history, step);
                    }
                }
                case Scenario.HandOff ignored -> {
                    if (!held.isEmpty()) {
                        handedOff.add(held.removeLast());
                    }
                }
                case Scenario.FreeHandedOff ignored -> {
                    MemorySegment block = handedOff.poll();
                    if (block != null) {
                        release(allocator, block, owners, me, history, step);
                    }
                }
            }
        }
    }

    /** Allocates, recording the call; null when the allocator threw (the history check judges it). */
    private static MemorySegment allocate(OffHeapAllocator allocator, long size, int me, History history) {
        long invoked = history.tick();
        try {
            MemorySegment block = allocator.allocate(size, 1);
            history.record(new Call(me, Call.Kind.ALLOCATE, size, block.address(), Call.Outcome.OK, null, invoked,
                    history.tick()));
            return block;
        } catch (RuntimeException | OutOfMemoryError e) {
            history.record(new Call(me, Call.Kind.ALLOCATE, size, 0, Call.Outcome.of(e), e.toString(), invoked,
                    history.tick()));
            return null;
        }
    }

    /**
     * Checks the cookie, gives up ownership, then frees, recording the call: in that order, so a new owner can claim
     * the address.
     */
    private static void release(OffHeapAllocator allocator, MemorySegment block, Map<Long, Integer> owners, int me,
                                History history, String step) {
        Cookie.requireIntact(block, step);
        owners.remove(block.address());
        long invoked = history.tick();
        try {
            allocator.free(block);
            history.record(new Call(me, Call.Kind.FREE, block.byteSize(), block.address(), Call.Outcome.OK, null,
                    invoked, history.tick()));
        } catch (RuntimeException e) {
            history.record(new Call(me, Call.Kind.FREE, block.byteSize(), block.address(), Call.Outcome.of(e),
                    e.toString(), invoked, history.tick()));
        }
    }

    /**
     * Runs one of the harness's own checks. An exception thrown inside it (a segment whose memory is gone, one too
     * small for its cookie) is the allocator's fault, not the harness's: it is reported as the invariant the check
     * stands for, with the check and the step, instead of as a bare exception.
     */
    static void checking(Invariant invariant, String what, String step, Runnable check) {
        try {
            check.run();
        } catch (InvariantViolation violation) {
            throw violation;
        } catch (RuntimeException e) {
            InvariantViolation violation = new InvariantViolation(invariant, what + " at " + step + " threw " + e);
            violation.initCause(e);
            throw violation;
        }
    }

    /**
     * Once everything is freed: nothing live by the allocator's own count, where it keeps one; in this family every
     * class whole again (INV-NOTHING-LOST); the allocator's own walk.
     */
    static void checkEverythingCameBack(OffHeapAllocator allocator) {
        allocator.liveBlocks().ifPresent(live -> {
            if (live != 0) {
                throw new InvariantViolation(Invariant.NOTHING_LOST, "after freeing everything the allocator counts "
                        + live + " live blocks");
            }
        });
        if (allocator instanceof BlockAllocator family) {
            everyClassIsWhole(family.stats());
        }
        if (allocator instanceof SelfChecking checking) {
            checking.checkInvariants();
        }
    }

    private static void everyClassIsWhole(AllocatorStats stats) {
        for (ClassStats c : stats.pools()) {
            if (c.live() != 0 || c.free() != c.carved()) {
                throw new InvariantViolation(Invariant.NOTHING_LOST, "class " + c.sizeClass() + " after freeing "
                        + "everything: " + c);
            }
        }
    }
}
