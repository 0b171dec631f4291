package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;

/**
 * Deliberately broken free stacks: negative controls the checks must catch. Each breaks exactly one thing. They live
 * in this package because they reach the free-block layout's link accessors, as the real stack does.
 */
public final class BrokenFreeStacks {

    private BrokenFreeStacks() {
    }

    /** The stamp is never incremented: a plain Treiber stack, open to ABA. */
    public static final class Unstamped extends FreeStack {
        public Unstamped(StampedTop top, FreeBlockLayout links, PopProbe probe) {
            super(top, links, probe);
        }

        @Override
        protected long stampAfter(long stamp) {
            return stamp;
        }
    }

    /** A push whose CAS fails is not retried: the block is lost. */
    public static final class LosesPushOnCasFailure extends FreeStack {
        public LosesPushOnCasFailure(StampedTop top, FreeBlockLayout links) {
            super(top, links);
        }

        @Override
        public void pushChain(long first, long last) {
            long stamp = top.laStamp();
            long node = top.laNode();
            links.spNext(last, node);
            top.casTop(stamp, node, stampAfter(stamp), first); // BUG: the result is ignored, no retry
        }
    }

    /**
     * A link the guard refuses is reported as corrupt without asking whether the top moved since it was read: a pop
     * that raced with another thread's pop and read the new owner's data reports corruption that is not there.
     */
    public static final class TrustsRefusedLink extends FreeStack {
        public TrustsRefusedLink(StampedTop top, FreeBlockLayout links, PopProbe probe) {
            super(top, links, probe);
        }

        @Override
        protected boolean topUnchanged(long stamp, long node) {
            return true; // BUG: the top may have moved since {stamp, node} was read
        }
    }

    /** A freshly carved chain is relinked at half the block size, so neighbouring blocks overlap. */
    public static final class OverlappingCarve extends FreeStack {
        private final long halfBlock;

        public OverlappingCarve(SizeClass sizeClass, StampedTop top, FreeBlockLayout links) {
            super(top, links);
            this.halfBlock = sizeClass.blockSize() / 2;
        }

        @Override
        public void pushCarved(long first, long last) {
            for (long block = first; block < last; block += halfBlock) { // BUG: relinked at half stride
                links.spNext(block, block + halfBlock);
            }
            super.pushCarved(first, last);
        }
    }
}
