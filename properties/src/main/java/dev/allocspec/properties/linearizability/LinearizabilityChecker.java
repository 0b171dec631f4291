package dev.allocspec.properties.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a concurrent {@link History} is linearizable (INV-LINEARIZABLE): whether some sequential run of the
 * allocator's model gives every call the answer it got, in an order that keeps every call that ended before another
 * began ahead of it.
 *
 * <p><b>The model</b> is the allocator as its callers can see it, whatever its policy: a set of live blocks. An
 * allocation may return any address that is not live (a free block of the class, or fresh memory: which one is the
 * policy's choice, so the model is non-deterministic and checks no position); it makes the address live. A free of a
 * live block succeeds and makes it free; a free of an address that is not live is rejected (a double free, or not a
 * block of the allocator) and changes nothing. A free that throws anything else, and an allocation that fails, have no
 * sequential explanation: the histories checked here never exhaust memory or misuse the allocator.
 *
 * <p><b>The search</b> is Wing and Gong's, with Lowe's memo of visited configurations. Every call acts on exactly one
 * address and the model is the product of one two-state object per address, so by locality (Herlihy and Wing,
 * "Linearizability", 1990, theorem 1) the history is linearizable exactly when each address's sub-history is; each is
 * searched on its own. A call may be placed next when no unplaced call ended before it began; the configurations are
 * (placed calls, is the address live), so the search is polynomial in the calls per address for a fixed number of
 * threads.
 */
public final class LinearizabilityChecker {

    private static final int CONTEXT_BEFORE = 6;
    private static final int CONTEXT_AFTER = 12;

    private LinearizabilityChecker() {
    }

    /**
     * Why the history is not linearizable, or empty when it is: the address whose calls no sequential run explains,
     * how far the best order got, and the calls around where it stopped.
     */
    public static Optional<String> violation(List<Call> history) {
        for (Call call : history) {
            if (call.kind() == Call.Kind.ALLOCATE && call.outcome() != Call.Outcome.OK) {
                return Optional.of("no sequential run explains " + call + ": the model always has a free block "
                        + "(these histories never exhaust memory)");
            }
        }
        for (Map.Entry<Long, List<Call>> block : byAddress(history).entrySet()) {
            Optional<String> why = new Search(block.getValue()).explain();
            if (why.isPresent()) {
                return Optional.of("no sequential run of the live-blocks model explains the " + block.getValue().size()
                        + " calls on block 0x" + Long.toHexString(block.getKey()) + " (" + history.size()
                        + " calls in the history): " + why.get());
            }
        }
        return Optional.empty();
    }

    /** Each address's calls, in invocation order (the history's order). */
    private static Map<Long, List<Call>> byAddress(List<Call> history) {
        Map<Long, List<Call>> blocks = new LinkedHashMap<>();
        for (Call call : history) {
            blocks.computeIfAbsent(call.address(), a -> new ArrayList<>()).add(call);
        }
        return blocks;
    }

    /**
     * The model's step for one address: whether it is live after {@code call}, or null when the call cannot happen
     * while the address is {@code live}.
     */
    static Boolean step(boolean live, Call call) {
        return switch (call.kind()) {
            case ALLOCATE -> live ? null : Boolean.TRUE;
            case FREE -> switch (call.outcome()) {
                case OK -> live ? Boolean.FALSE : null;
                case REJECTED_STATE, REJECTED_ARGUMENT -> live ? null : Boolean.FALSE;
                case THREW -> null;
            };
        };
    }

    /** The search over one address's calls. */
    private static final class Search {
        private final List<Call> calls;
        private final Set<Configuration> visited = new HashSet<>();
        private BitSet deepest = new BitSet();

        Search(List<Call> calls) {
            this.calls = calls;
        }

        /** Empty when some order explains every call; else where the deepest order stopped. */
        Optional<String> explain() {
            if (place(new BitSet(), false)) {
                return Optional.empty();
            }
            int explained = deepest.cardinality();
            int firstUnexplained = deepest.nextClearBit(0);
            StringBuilder text = new StringBuilder("the best order explains " + explained + " of them; none explains "
                    + "the next. The calls in invocation order, [invoked..answered] on the history's clock, * where "
                    + "no order got:");
            int from = Math.max(0, firstUnexplained - CONTEXT_BEFORE);
            int to = Math.min(calls.size(), firstUnexplained + CONTEXT_AFTER);
            if (from > 0) {
                text.append("\n  ... ").append(from).append(" earlier calls, all explained");
            }
            for (int i = from; i < to; i++) {
                text.append("\n  ").append(deepest.get(i) ? "  " : "* ").append(calls.get(i));
            }
            if (to < calls.size()) {
                text.append("\n  ... ").append(calls.size() - to).append(" later calls");
            }
            return Optional.of(text.toString());
        }

        /** Whether the calls not in {@code placed} can follow, starting with the address {@code live} or not. */
        private boolean place(BitSet placed, boolean live) {
            if (placed.cardinality() == calls.size()) {
                return true;
            }
            if (!visited.add(new Configuration(placed, live))) {
                return false;
            }
            if (placed.cardinality() > deepest.cardinality()) {
                deepest = (BitSet) placed.clone();
            }
            long firstResponse = Long.MAX_VALUE;
            for (int i = placed.nextClearBit(0); i < calls.size(); i = placed.nextClearBit(i + 1)) {
                firstResponse = Math.min(firstResponse, calls.get(i).respondedAt());
            }
            // Calls are in invocation order: once one began after the earliest unplaced answer, so do the rest.
            for (int i = placed.nextClearBit(0); i < calls.size() && calls.get(i).invokedAt() < firstResponse;
                 i = placed.nextClearBit(i + 1)) {
                Boolean after = step(live, calls.get(i));
                if (after != null) {
                    BitSet next = (BitSet) placed.clone();
                    next.set(i);
                    if (place(next, after)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** A point of the search: which calls are placed, and whether the address is live after them. */
    private record Configuration(BitSet placed, boolean live) {
    }
}
