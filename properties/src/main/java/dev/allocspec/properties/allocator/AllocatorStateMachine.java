package dev.allocspec.properties.allocator;

import dev.allocspec.impl.CachePath;
import dev.allocspec.impl.ThreadCacheSettings;
import dev.allocspec.properties.allocator.AllocatorActions.Allocate;
import dev.allocspec.properties.allocator.AllocatorActions.BadFree;
import dev.allocspec.properties.allocator.AllocatorActions.BadSegment;
import dev.allocspec.properties.allocator.AllocatorActions.Close;
import dev.allocspec.properties.allocator.AllocatorActions.DoubleFree;
import dev.allocspec.properties.allocator.AllocatorActions.Free;
import dev.allocspec.properties.allocator.AllocatorActions.LateCall;
import dev.allocspec.properties.allocator.AllocatorActions.PassTime;
import dev.allocspec.properties.allocator.AllocatorActions.Purge;
import dev.allocspec.properties.allocator.AllocatorActions.QueryArenas;
import dev.allocspec.properties.allocator.AllocatorActions.QueryStats;
import dev.allocspec.properties.allocator.AllocatorActions.Reopen;
import dev.allocspec.properties.allocator.AllocatorActions.UseAfterClose;
import dev.allocspec.properties.allocator.AllocatorActions.Verify;
import dev.allocspec.properties.allocator.AllocatorActions.Write;
import dev.allocspec.properties.harness.Action;
import dev.allocspec.properties.harness.StateMachine;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.InternalPaths;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SelfChecking;
import dev.allocspec.spec.SizeClass;

import dev.allocspec.os.OsMemory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * The allocator state machine: every operation of {@link BlockAllocator}, good and bad, run on the reference and on
 * the system under test side by side. After every step: refinement (same outcome, position and exception type as the
 * reference: {@code INV-REFINEMENT}), both sides' own invariant checks, and the sequential invariants of the catalogue
 * seen from outside ({@code INV-CONSERVATION} via equal stats, {@code INV-ARENAS-RECORDED}, {@code INV-DISJOINT},
 * {@code INV-ARENA-CONTAINMENT}, {@code INV-CONTENT}).
 */
public final class AllocatorStateMachine implements StateMachine<AllocatorTwin> {

    /** Four blocks per chunk, so that runs of a few dozen steps cross chunk boundaries. */
    public static final ChunkPolicy POLICY = new ChunkPolicy(4);
    /**
     * Bins of four blocks, batches of two, a low-water pass every 16 cache operations: what the lock-free allocator
     * runs with under the checks, so that runs of a few dozen steps refill, flush and pass (the defaults need
     * thousands of operations for a low-water pass).
     */
    public static final ThreadCacheSettings CACHE_SETTINGS = ThreadCacheSettings.of(4, 2, 16);
    /** The thread caches' paths a sequential run can reach (a reclaim needs a thread that ends). */
    public static final Set<String> SEQUENTIAL_CACHE_PATHS = Set.of(CachePath.REFILL.label(),
            CachePath.FULL_BIN_FLUSH.label(), CachePath.LOW_WATER_PASS.label());

    /**
     * The purge policy of both sides, on the machine's clock: a cap of 24 pages, 10 pages dirty always allowed, a
     * quarter of active above that, a decay delay of 5 s. Small, so that runs of a few dozen steps cache, reuse,
     * purge by ratio and by decay, and evict.
     */
    static PurgePolicy purgePolicy(ManualClock clock) {
        long page = OsMemory.system().pageSize();
        return new PurgePolicy(24 * page, 10 * page, 2, Duration.ofSeconds(5), clock);
    }

    private final String name;
    private final BiFunction<ChunkPolicy, PurgePolicy, BlockAllocator> system;
    private final Set<String> requiredPaths;

    /**
     * @param name   the system under test, for reports
     * @param system makes the system under test with the given chunk policy and purge policy, both to be honoured
     */
    public AllocatorStateMachine(String name, BiFunction<ChunkPolicy, PurgePolicy, BlockAllocator> system) {
        this(name, system, Set.of());
    }

    private AllocatorStateMachine(String name, BiFunction<ChunkPolicy, PurgePolicy, BlockAllocator> system,
                                  Set<String> requiredPaths) {
        this.name = name;
        this.system = system;
        this.requiredPaths = Set.copyOf(requiredPaths);
    }

    /**
     * The same machine, whose property fails unless its runs reach each of these internal paths of the system under
     * test ({@link InternalPaths}), e.g. {@link #SEQUENTIAL_CACHE_PATHS}.
     */
    public AllocatorStateMachine requiring(Set<String> paths) {
        return new AllocatorStateMachine(name, system, paths);
    }

    @Override
    public String name() {
        return name + " refines the reference";
    }

    @Override
    public AllocatorTwin newState() {
        return new AllocatorTwin(system, POLICY);
    }

    @Override
    public List<Weighted<AllocatorTwin>> actions() {
        List<Weighted<AllocatorTwin>> all = new ArrayList<>(longLivedActions());
        all.add(new Weighted<>(1, (t, r) -> new Close()));
        all.add(new Weighted<>(3, (t, r) -> t.closed ? new UseAfterClose(LateCall.values()[r.nextInt(4)]) : null));
        all.add(new Weighted<>(3, (t, r) -> t.closed ? new Reopen() : null));
        return List.copyOf(all);
    }

    /** Every action but closing and what follows it: a long-lived try keeps one allocator for all its steps. */
    @Override
    public List<Weighted<AllocatorTwin>> longLivedActions() {
        return List.of(
                new Weighted<>(30, (t, r) -> new Allocate(t.nextHandle++, EdgeSizes.size(r), EdgeSizes.alignment(r))),
                new Weighted<>(8, (t, r) -> new Allocate(t.nextHandle++, EdgeSizes.largeSize(r), 1)),
                new Weighted<>(3, (t, r) -> new PassTime(1 + r.nextInt(6))),
                new Weighted<>(2, (t, r) -> new Purge()),
                new Weighted<>(20, (t, r) -> pickLive(t, r, Free::new)),
                new Weighted<>(10, (t, r) -> pickLive(t, r, id -> new Write(id, 1 + r.nextInt(1000)))),
                new Weighted<>(8, (t, r) -> pickLive(t, r, Verify::new)),
                new Weighted<>(4, (t, r) -> t.freed.isEmpty() ? null
                        : new DoubleFree(pick(new ArrayList<>(t.freed.keySet()), r))),
                new Weighted<>(5, (t, r) -> pickLive(t, r,
                        id -> new BadFree(id, BadSegment.values()[r.nextInt(BadSegment.values().length)]))),
                new Weighted<>(3, (t, r) -> new QueryStats()),
                new Weighted<>(2, (t, r) -> new QueryArenas()));
    }

    private static Action<AllocatorTwin> pickLive(AllocatorTwin twin, SplittableRandom random,
                                                  IntFunction<Action<AllocatorTwin>> make) {
        if (twin.closed || twin.live.isEmpty()) {
            return null;
        }
        return make.apply(pick(new ArrayList<>(twin.live.keySet()), random));
    }

    private static int pick(List<Integer> ids, SplittableRandom random) {
        return ids.get(random.nextInt(ids.size()));
    }

    /** Every step of a long try: the stats of both sides agree (INV-CONSERVATION); the walks run every few steps. */
    @Override
    public void checkCheapInvariants(AllocatorTwin twin) {
        if (!twin.closed) {
            statsAgree(twin);
        }
    }

    @Override
    public Map<String, Long> internalPathCounts(AllocatorTwin twin) {
        return twin.system instanceof InternalPaths paths ? paths.internalPathCounts() : Map.of();
    }

    @Override
    public Set<String> requiredPaths() {
        return requiredPaths;
    }

    @Override
    public void checkInvariants(AllocatorTwin twin) {
        if (twin.closed) {
            return;
        }
        ((SelfChecking) twin.model).checkInvariants();
        if (twin.system instanceof SelfChecking checking) {
            checking.checkInvariants();
        }
        statsAgree(twin);
        List<Long> modelArenas = twin.model.arenas().stream().map(MemorySegment::byteSize).toList();
        List<MemorySegment> systemArenas = twin.system.arenas();
        if (!modelArenas.equals(systemArenas.stream().map(MemorySegment::byteSize).toList())) {
            throw new InvariantViolation(Invariant.ARENAS_RECORDED, "arena sizes differ: reference " + modelArenas
                    + ", system under test " + systemArenas.stream().map(MemorySegment::byteSize).toList());
        }
        liveBlocksAreDisjointAndContained(twin, systemArenas);
        writtenBytesAreIntact(twin);
    }

    static void statsAgree(AllocatorTwin twin) {
        AllocatorStats model = twin.model.stats();
        AllocatorStats system = twin.system.stats();
        if (!model.equals(system)) {
            throw new InvariantViolation(ruleBehind(model, system, twin.purgePolicy), "stats differ: reference "
                    + model + ", system under test " + system);
        }
    }

    /**
     * The invariant a difference in stats breaks: the block counts are conservation; the retained bytes the cache
     * (none kept: INV-RAW-RETURNED, too many: INV-RETAINED-CAP); the dirty bytes the bound when the system's are over
     * it, else decay (purged at the wrong purge point).
     */
    private static Invariant ruleBehind(AllocatorStats model, AllocatorStats system, PurgePolicy policy) {
        List<ClassStats> poolsButPurged = system.pools().stream().map(p -> new ClassStats(p.sizeClass(), p.carved(),
                p.live(), p.free(), model.pool(p.sizeClass()).purged())).toList();
        AllocatorStats countsOnly = new AllocatorStats(poolsButPurged, system.rawBlocksLive(), system.rawBytesLive(),
                system.chunksObtained(), model.retainedBytes(), model.dirtyBytes(), model.purgedBytes());
        if (!countsOnly.equals(model)) {
            return Invariant.CONSERVATION;
        }
        if (!system.pools().equals(model.pools())) {
            return Invariant.DECAY; // the same free blocks, purged at another purge point (or never)
        }
        if (system.retainedBytes() != model.retainedBytes()) {
            return system.retainedBytes() > policy.retainedCapBytes() ? Invariant.RETAINED_CAP
                    : Invariant.RAW_RETURNED;
        }
        long active = system.rawBytesLive() + system.pools().stream()
                .mapToLong(p -> p.carved() * p.sizeClass().blockSize()).sum();
        return system.dirtyBytes() > policy.dirtyBound(active) ? Invariant.DIRTY_BOUND : Invariant.DECAY;
    }

    private static void liveBlocksAreDisjointAndContained(AllocatorTwin twin, List<MemorySegment> arenas) {
        List<AllocatorTwin.Handle> byAddress = new ArrayList<>(twin.live.values());
        byAddress.sort(Comparator.comparingLong(h -> h.system.address()));
        long previousEnd = Long.MIN_VALUE;
        for (AllocatorTwin.Handle handle : byAddress) {
            long start = handle.system.address();
            if (start < previousEnd) {
                throw new InvariantViolation(Invariant.DISJOINT, "#" + handle.id + " at 0x" + Long.toHexString(start)
                        + " overlaps the live block before it");
            }
            previousEnd = start + extent(handle);
            if (arenas.stream().noneMatch(a -> a.address() <= start && start < a.address() + a.byteSize())) {
                throw new InvariantViolation(Invariant.ARENA_CONTAINMENT, "#" + handle.id + " at 0x"
                        + Long.toHexString(start) + " lies in no arena");
            }
        }
    }

    private static long extent(AllocatorTwin.Handle handle) {
        SizeClass c = handle.sizeClass();
        return c.isRaw() ? handle.system.byteSize() : c.blockSize();
    }

    private static void writtenBytesAreIntact(AllocatorTwin twin) {
        for (AllocatorTwin.Handle handle : twin.live.values()) {
            if (handle.pattern != 0 && handle.system.mismatch(handle.model) >= 0) {
                throw new InvariantViolation(Invariant.CONTENT, "#" + handle.id + " changed at byte "
                        + handle.system.mismatch(handle.model));
            }
        }
    }

    @Override
    public void dispose(AllocatorTwin twin) {
        if (!twin.closed) {
            twin.closeQuietly();
        }
    }
}
