package dev.allocspec.impl;

import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.SizeClass;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free LIFO stack of free blocks (a Treiber stack) whose top is a stamped double word, as in jalib's
 * {@code JFixedAllocStack}. Public for the concurrency tests and negative controls; not part of the allocator's API.
 *
 * <h2>Algorithm</h2>
 * <pre>
 * pop:  loop { s = top.stamp; n = top.node; if n == 0: return EMPTY
 *              next = n.next                       // racy read, see below
 *              if CAS(top, {s, n} -> {s+1, next}): return n }
 * push: loop { s = top.stamp; n = top.node; b.next = n
 *              if CAS(top, {s, n} -> {s+1, b}): return }
 * </pre>
 * {@link #pushChain} pushes an already linked chain first..last the same way, with {@code last.next = n}: one CAS for
 * a whole carved chunk ({@link #pushCarved}, jalib's {@code expand}) or a thread cache's flush.
 *
 * <h2>The fundamental invariants are</h2>
 * <ul>
 *   <li>the blocks reachable from the top are exactly the free blocks of the class, each once;</li>
 *   <li>a block's {@code next} is written only by the one thread that owns it while it is off the stack;</li>
 *   <li>every successful CAS increments the stamp, so a stamp value is never seen twice.</li>
 * </ul>
 *
 * <h2>ABA, and why the stamp is what stops it</h2>
 * Java's own lock-free collections may ignore ABA because the garbage collector never recycles a node that someone
 * still references. Here blocks are recycled on purpose: T1 reads top = A and A.next = B, then stalls; T2 pops A, pops
 * B, pushes A back. The top is A again, so a CAS on the node alone would succeed and install B, which T2 owns: B would
 * be handed out twice. With the stamp, T1 expects {s, A} while the top holds {s+3, A}, so its CAS fails and it
 * retries. The stamp is 64 bits wide and never wraps in practice ({@link StackTopLayout}).
 *
 * <h2>A link is followed only into a block</h2>
 * A free block's link lives in the block, so a caller that writes into a block after freeing it (a use after free)
 * rewrites the stack. The stamp cannot see that, and following such a link could read memory that is not mapped and
 * kill the JVM. The allocator's pops therefore take a {@link LinkGuard}: a link is read only out of a block the guard
 * accepted. A link the guard refuses is either the benign race below (the top moved since it was read: the pop starts
 * over) or real: a CAS that leaves the top as it was then succeeds, and the pop reports INV-ARENA-CONTAINMENT, leaving
 * the stack as it was.
 */
public class FreeStack {

    /** Creates the free stack of one class over its top. Negative controls plug in broken stacks here. */
    @FunctionalInterface
    public interface Factory {
        /** The free stack of {@code sizeClass}, over {@code top}, reaching its blocks' links through {@code links}. */
        FreeStack create(SizeClass sizeClass, StampedTop top, FreeBlockLayout links);
    }

    /**
     * Which addresses are blocks of this stack's class: the only addresses whose link a pop reads, and the only ones
     * it installs as the top. Must accept every block of the class and may be asked about any address (it reads no
     * off-heap memory).
     */
    @FunctionalInterface
    public interface LinkGuard {
        /** For stacks whose links nothing can corrupt (tests that build a stack by hand): every address is a block. */
        LinkGuard NONE = address -> true;

        /** Whether {@code address} is the start of a block of the stack's class. */
        boolean isBlock(long address);
    }

    /** A test-only hook called by {@link #pop()} between reading the top and its CAS. */
    @FunctionalInterface
    public interface PopProbe {
        /** No probe. */
        PopProbe NONE = (node, next) -> { };

        /** Called with the node and next that the pending CAS will use. */
        void beforePopCas(long node, long next);

        /** Called with the node just read from the top, before its link is read. */
        default void afterTopRead(long node) {
        }
    }

    /** The empty stack's node, and pop's answer when empty. */
    public static final long EMPTY = StackTopLayout.EMPTY;

    /**
     * Whether CASes on the top are counted ({@code -Dallocspec.countCas=true}; off by default). A static final flag,
     * so the JIT removes the counting when it is off; benchmarks switch it on through their JVM arguments.
     */
    static final boolean COUNT_CAS = Boolean.getBoolean("allocspec.countCas");

    protected final StampedTop top;
    /** Where the blocks' links are read and written: the allocator's are tied to the scope of its chunks. */
    protected final FreeBlockLayout links;
    private final PopProbe probe;
    private final LongAdder casCalls = new LongAdder();
    private final LongAdder casFailures = new LongAdder();

    /** A stack over {@code top} whose blocks' links are reached through {@code links}. */
    public FreeStack(StampedTop top, FreeBlockLayout links) {
        this(top, links, PopProbe.NONE);
    }

    /** As {@link #FreeStack(StampedTop, FreeBlockLayout)}, calling {@code probe} inside each pop (tests only). */
    public FreeStack(StampedTop top, FreeBlockLayout links, PopProbe probe) {
        this.top = top;
        this.links = links;
        this.probe = probe;
    }

    /** {@link #pop(LinkGuard)} following every link: for stacks built by hand in tests. */
    public long pop() {
        return pop(LinkGuard.NONE);
    }

    /**
     * Removes and returns the top block's address, or {@link #EMPTY}. The top is always a block: a link is installed
     * as the top only if {@code guard} accepts it.
     *
     * @throws InvariantViolation (INV-ARENA-CONTAINMENT) if the top block's link leads to no block of the class: it was
     *                            written after the block was freed; the stack is left as it was
     */
    public long pop(LinkGuard guard) {
        final StampedTop top = this.top;
        for (;;) {
            long stamp = top.laStamp();
            long node = top.laNode();
            if (node == EMPTY) {
                return EMPTY; // exit: empty (linearized at the load of the node)
            }
            probe.afterTopRead(node);
            // Benign race: another thread may have popped node since we read the top and may be writing its own
            // data into it now, so 'next' may be garbage. The read itself is safe because node is a block (pool
            // memory, mapped until close(), and a read racing with close() throws instead: see FreeBlockLayout),
            // and the value goes only to the guard (which reads no off-heap memory) until the CAS below succeeds,
            // which proves the top was {stamp, node} the whole time: node stayed free and its next unchanged.
            long next = links.lpNext(node);
            if (next != EMPTY && !guard.isBlock(next)) {
                if (topUnchanged(stamp, node)) {
                    throw corruptLink(node, next); // the top never moved: 'next' is node's real link
                }
                continue; // the race above: retry
            }
            probe.beforePopCas(node, next);
            if (countedCas(top, stamp, node, stampAfter(stamp), next)) {
                return node; // exit: popped. Successful CAS is the linearization point for pop.
            }
        }
    }

    /**
     * Removes up to {@code max} blocks from the top with ONE successful CAS and writes them to {@code out}, top
     * first: the batch transfer behind the thread caches' refill.
     *
     * <p><b>Why the chain read is safe.</b> The walk reads {@code next} of one block after another without owning
     * them. After every read the stamp is loaded again, behind an acquire fence that keeps the read before the
     * re-load (the seqlock reader's validation, as in {@code StampedLock.validate}): while it is unchanged no push or
     * pop has happened since the walk began, so every link read so far belongs to the stack as it was, and every
     * address obtained is a real block (pool memory, mapped until close(); see FreeBlockLayout), safe to read next. If
     * the stamp moved, the walk starts over. A successful CAS from {stamp, first} proves the stack was unchanged from
     * the first read to the CAS, so the chain taken is exactly the top of the stack: an unchanged stamp proves the
     * whole chain below it unchanged.
     *
     * <p>Every link the walk follows, and the one it installs as the new top, is vouched for by the stamp and then
     * accepted by {@code guard}; the stack's top is a block to begin with (see {@link #pop(LinkGuard)}).
     *
     * @return how many blocks were taken, 0 if the stack was empty
     * @throws InvariantViolation (INV-ARENA-CONTAINMENT) if a link the walk reaches leads to no block of the class; the
     *                            stack is left as it was
     */
    public int popChain(int max, long[] out, LinkGuard guard) {
        final StampedTop top = this.top;
        retry:
        for (;;) {
            long stamp = top.laStamp();
            long first = top.laNode();
            if (first == EMPTY) {
                return 0; // exit: empty
            }
            int taken = 1;
            out[0] = first;
            long next = links.lpNext(first);
            while (next != EMPTY) {
                // StampedLock.validate's fence: it keeps the plain read of 'next' above before the stamp re-read
                // below, so an unchanged stamp vouches for it. A load-acquire alone orders only the loads after it;
                // x86 never reorders two loads, AArch64 may, and then a stale 'next' would be followed below.
                VarHandle.acquireFence();
                if (top.laStamp() != stamp) {
                    continue retry; // the stack moved under the walk: 'next' may be garbage, do not follow it
                }
                if (!guard.isBlock(next)) {
                    if (topUnchanged(stamp, first)) {
                        throw corruptLink(out[taken - 1], next); // the top never moved: the link is real
                    }
                    continue retry;
                }
                if (taken == max) {
                    break; // 'next' becomes the top, checked like the links taken
                }
                out[taken++] = next;
                next = links.lpNext(next);
            }
            if (countedCas(top, stamp, first, stampAfter(stamp), next)) {
                return taken; // exit: taken. Successful CAS is the linearization point for the batch pop.
            }
        }
    }

    /** {@link #popChain(int, long[], LinkGuard)} following every link. */
    public int popChain(int max, long[] out) {
        return popChain(max, out, LinkGuard.NONE);
    }

    /**
     * Whether the top is still {@code {stamp, node}}, asked when a link read under that top is no block: by a CAS that
     * leaves the top as it was, so that "unchanged" is proved as strongly as the CAS that would have installed the
     * link proves it real (a re-read of the stamp is enough on x86, but a weakly ordered CPU could show a new owner's
     * data before the stamp that its pop wrote). Only on this rare path; it does not count as a pop. Negative controls
     * override it.
     */
    protected boolean topUnchanged(long stamp, long node) {
        return top.casTop(stamp, node, stamp, node);
    }

    private static InvariantViolation corruptLink(long node, long next) {
        return new InvariantViolation(Invariant.ARENA_CONTAINMENT, "the free block 0x" + Long.toHexString(node)
                + " links to 0x" + Long.toHexString(next) + ", which is no block of its class: the block was written"
                + " to after it was freed (the free list lives in free blocks), or the free stack is corrupt");
    }

    /** Pushes the block at {@code block}, which the caller owns and which is on no stack. */
    public void push(long block) {
        pushChain(block, block);
    }

    /**
     * Pushes a chain of blocks already linked {@code first -> ... -> last} through their {@code next} words, with one
     * successful CAS.
     */
    public void pushChain(long first, long last) {
        final StampedTop top = this.top;
        for (;;) {
            long stamp = top.laStamp();
            long node = top.laNode();
            links.spNext(last, node); // we own last: no one else reads it until the CAS publishes it
            if (countedCas(top, stamp, node, stampAfter(stamp), first)) {
                return; // exit: pushed. Successful CAS is the linearization point for push.
            }
        }
    }

    /**
     * Pushes a new chunk's blocks, carved and linked {@code first -> ... -> last} in address order: the same as
     * {@link #pushChain}, kept apart so that a negative control can break carving alone.
     */
    public void pushCarved(long first, long last) {
        pushChain(first, last);
    }

    private boolean countedCas(StampedTop top, long expectStamp, long expectNode, long newStamp, long newNode) {
        boolean swapped = top.casTop(expectStamp, expectNode, newStamp, newNode);
        if (COUNT_CAS) {
            casCalls.increment();
            if (!swapped) {
                casFailures.increment();
            }
        }
        return swapped;
    }

    /** CASes on the top so far, and how many of them failed; zeros unless counting is on. */
    public long[] casCounts() {
        return new long[] {casCalls.sum(), casFailures.sum()};
    }

    /** The stamp a successful CAS installs after {@code stamp}; negative controls override it. */
    protected long stampAfter(long stamp) {
        return StackTopLayout.nextStamp(stamp);
    }

    /** The top's current stamp (acquire), for tests and reports. */
    public long stamp() {
        return top.laStamp();
    }

    /** The strategy behind the top. */
    public CasStrategy strategy() {
        return top.strategy();
    }

    /**
     * The addresses on the stack, top first, at most {@code limit} of them. Only meaningful when no operation is in
     * flight; the limit bounds the walk of a corrupted (cyclic) stack.
     */
    public List<Long> snapshot(int limit) {
        return snapshot(limit, LinkGuard.NONE);
    }

    /**
     * The addresses on the stack, top first, at most {@code limit} of them, following a node's link only if
     * {@code guard} accepts the node: a corrupted link (a broken allocator, or a caller writing into a block it
     * freed) may point anywhere, and reading it could crash the JVM instead of reporting the corruption. The first
     * node refused is still listed, last, so that the caller can name it. Only meaningful when no operation is in
     * flight.
     */
    public List<Long> snapshot(int limit, LinkGuard guard) {
        List<Long> blocks = new ArrayList<>();
        for (long node = top.laNode(); node != EMPTY && blocks.size() < limit; node = links.lpNext(node)) {
            blocks.add(node);
            if (!guard.isBlock(node)) {
                break;
            }
        }
        return blocks;
    }
}
