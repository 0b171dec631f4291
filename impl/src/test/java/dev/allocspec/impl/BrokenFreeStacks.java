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
        public Unstamped(StampedTop top, PopProbe probe) {
            super(top, probe);
        }

        @Override
        protected long stampAfter(long stamp) {
            return stamp;
        }
    }

    /** A push whose CAS fails is not retried: the block is lost. */
    public static final class LosesPushOnCasFailure extends FreeStack {
        public LosesPushOnCasFailure(StampedTop top) {
            super(top);
        }

        @Override
        public void pushChain(long first, long last) {
            long stamp = top.laStamp();
            long node = top.laNode();
            FreeBlockLayout.spNext(last, node);
            top.casTop(stamp, node, stampAfter(stamp), first); // BUG: the result is ignored, no retry
        }
    }

    /** A freshly carved chain is relinked at half the block size, so neighbouring blocks overlap. */
    public static final class OverlappingCarve extends FreeStack {
        private final long blockSize;

        public OverlappingCarve(SizeClass sizeClass, StampedTop top) {
            super(top);
            this.blockSize = sizeClass.blockSize();
        }

        @Override
        public void pushChain(long first, long last) {
            if (isFreshCarve(first, last)) { // BUG: relinked at half stride
                for (long block = first; block < last; block += blockSize / 2) {
                    FreeBlockLayout.spNext(block, block + blockSize / 2);
                }
            }
            super.pushChain(first, last);
        }

        /**
         * Whether first..last is linked at the block stride, as a carved chunk is. Thread caches flush chains too,
         * from blocks anywhere; relinking those at half stride would write into whatever lies between them, unmapped
         * memory included, and crash the JVM instead of breaking the one thing this control breaks.
         */
        private boolean isFreshCarve(long first, long last) {
            if (first == last) {
                return false;
            }
            for (long block = first; block != last; block += blockSize) {
                if (FreeBlockLayout.lpNext(block) != block + blockSize) {
                    return false;
                }
            }
            return true;
        }
    }
}
