package dev.allocspec.properties.allocator;

import dev.allocspec.properties.allocator.SafetyActions.Allocate;
import dev.allocspec.properties.allocator.SafetyActions.BadFree;
import dev.allocspec.properties.allocator.SafetyActions.BadSegment;
import dev.allocspec.properties.allocator.SafetyActions.Close;
import dev.allocspec.properties.allocator.SafetyActions.DoubleFree;
import dev.allocspec.properties.allocator.SafetyActions.Free;
import dev.allocspec.properties.allocator.SafetyActions.LateCall;
import dev.allocspec.properties.allocator.SafetyActions.Reopen;
import dev.allocspec.properties.allocator.SafetyActions.UseAfterClose;
import dev.allocspec.properties.allocator.SafetyActions.Write;
import dev.allocspec.properties.harness.Action;
import dev.allocspec.properties.harness.StateMachine;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.OffHeapAllocator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The {@linkplain dev.allocspec.spec.Profile#SAFETY safety profile} as a state machine: every call of
 * {@link OffHeapAllocator}, good and bad, on any allocator, with a model that tracks live blocks, their sizes and their
 * bytes and never positions. Each action judges its own answer ({@link SafetyActions}); after every step the live
 * blocks are disjoint ({@code INV-DISJOINT}), hold the bytes written into them ({@code INV-CONTENT}), and number what
 * the allocator counts, where it keeps a count ({@code INV-NOTHING-LOST}).
 */
public final class SafetyStateMachine implements StateMachine<SafetyRun> {

    private final String name;
    private final Supplier<? extends OffHeapAllocator> system;

    /**
     * @param name   the allocator under test, for reports
     * @param system makes a fresh allocator under test
     */
    public SafetyStateMachine(String name, Supplier<? extends OffHeapAllocator> system) {
        this.name = name;
        this.system = system;
    }

    @Override
    public String name() {
        return name + " keeps the safety invariants";
    }

    @Override
    public SafetyRun newState() {
        return new SafetyRun(system);
    }

    @Override
    public List<Weighted<SafetyRun>> actions() {
        List<Weighted<SafetyRun>> all = new ArrayList<>(longLivedActions());
        all.add(new Weighted<>(1, (run, r) -> new Close()));
        all.add(new Weighted<>(3, (run, r) -> run.closed ? new UseAfterClose(LateCall.values()[r.nextInt(3)]) : null));
        all.add(new Weighted<>(3, (run, r) -> run.closed ? new Reopen() : null));
        return List.copyOf(all);
    }

    @Override
    public List<Weighted<SafetyRun>> longLivedActions() {
        return List.of(
                new Weighted<>(30, (run, r) -> new Allocate(run.nextHandle++, size(r), EdgeSizes.alignment(r))),
                new Weighted<>(20, (run, r) -> pickLive(run, r, Free::new)),
                new Weighted<>(10, (run, r) -> pickLive(run, r, id -> new Write(id, 1 + r.nextInt(1000)))),
                new Weighted<>(4, (run, r) -> run.freed.isEmpty() ? null
                        : new DoubleFree(pick(new ArrayList<>(run.freed.keySet()), r))),
                new Weighted<>(5, (run, r) -> pickLive(run, r,
                        id -> new BadFree(id, BadSegment.values()[r.nextInt(BadSegment.values().length)]))));
    }

    /** The edge sizes, with this family's maximum replaced by a size no allocator serves. */
    private static long size(SplittableRandom random) {
        long size = EdgeSizes.size(random);
        return size > SafetyActions.UNSERVABLE ? SafetyActions.UNSERVABLE : size;
    }

    private static Action<SafetyRun> pickLive(SafetyRun run, SplittableRandom random,
                                              IntFunction<Action<SafetyRun>> make) {
        if (run.closed || run.live.isEmpty()) {
            return null;
        }
        return make.apply(pick(new ArrayList<>(run.live.keySet()), random));
    }

    private static int pick(List<Integer> ids, SplittableRandom random) {
        return ids.get(random.nextInt(ids.size()));
    }

    /** Every step of a long try: the allocator's count of live blocks, the cheapest of the three. */
    @Override
    public void checkCheapInvariants(SafetyRun run) {
        if (!run.closed) {
            liveCountAgrees(run);
        }
    }

    @Override
    public void checkInvariants(SafetyRun run) {
        if (run.closed) {
            return;
        }
        liveBlocksAreDisjoint(run);
        writtenBytesAreIntact(run);
        liveCountAgrees(run);
    }

    private static void liveBlocksAreDisjoint(SafetyRun run) {
        List<SafetyRun.Block> byAddress = new ArrayList<>(run.live.values());
        byAddress.sort(Comparator.comparingLong(b -> b.segment.address()));
        for (int i = 1; i < byAddress.size(); i++) {
            SafetyRun.Block before = byAddress.get(i - 1);
            SafetyRun.Block block = byAddress.get(i);
            if (block.segment.address() < before.segment.address() + before.extent()) {
                throw new InvariantViolation(Invariant.DISJOINT, "#" + block.id + " at 0x"
                        + Long.toHexString(block.segment.address()) + " overlaps #" + before.id + " at 0x"
                        + Long.toHexString(before.segment.address()) + " (" + before.segment.byteSize() + " bytes)");
            }
        }
    }

    private static void writtenBytesAreIntact(SafetyRun run) {
        for (SafetyRun.Block block : run.live.values()) {
            long bad = block.pattern == 0 ? -1 : AllocatorActions.firstWrongByte(block.segment, block.pattern);
            if (bad >= 0) {
                throw new InvariantViolation(Invariant.CONTENT, "byte " + bad + " of #" + block.id + " changed");
            }
        }
    }

    private static void liveCountAgrees(SafetyRun run) {
        OptionalLong counted = run.system.liveBlocks();
        if (counted.isPresent() && counted.getAsLong() != run.live.size()) {
            throw new InvariantViolation(Invariant.NOTHING_LOST, "the allocator counts " + counted.getAsLong()
                    + " live blocks, its callers hold " + run.live.size());
        }
    }

    @Override
    public void dispose(SafetyRun run) {
        if (!run.closed) {
            run.closeQuietly();
        }
    }
}
