package dev.allocspec.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A free stack's top: the double word {stamp, node} of {@link StackTopLayout} in off-heap memory, read word by word
 * with acquire loads and replaced as a whole by {@link #casTop}. Public for the concurrency tests; not part of the
 * allocator's API.
 *
 * <p><b>Reading the two words separately is safe</b> (jalib reads the head with a plain 16-byte load for the same
 * reason): readers load the stamp first, then the node. Stamps never repeat (see {@link StackTopLayout}), so a CAS
 * that expects stamp {@code s} succeeds only if the top still holds the very version whose stamp was read; if the
 * node read came from another version, the pair matches no version and the CAS fails.
 */
public abstract sealed class StampedTop permits NativeCas128Top, LockedTop {

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    /** The 16 bytes of the top, 16-byte aligned, inside the allocator's control segment. */
    protected final MemorySegment word;

    StampedTop(MemorySegment word) {
        if (word.byteSize() < 2 * Long.BYTES || word.address() % StackTopLayout.ALIGNMENT != 0) {
            throw new IllegalArgumentException("a stack top needs 16 bytes at a 16-byte aligned address: " + word);
        }
        this.word = word;
    }

    /** Load-acquire of the stamp; read it before {@link #laNode()}. */
    public final long laStamp() {
        return (long) WORD.getAcquire(word, StackTopLayout.STAMP_OFFSET);
    }

    /** Load-acquire of the node: the top block's address, or {@link StackTopLayout#EMPTY}. */
    public final long laNode() {
        return (long) WORD.getAcquire(word, StackTopLayout.NODE_OFFSET);
    }

    /** Plain load of the stamp, for lock-held or quiescent use. */
    protected final long lpStamp() {
        return (long) WORD.get(word, StackTopLayout.STAMP_OFFSET);
    }

    /** Plain load of the node, for lock-held or quiescent use. */
    protected final long lpNode() {
        return (long) WORD.get(word, StackTopLayout.NODE_OFFSET);
    }

    /** Store-release of both words, node first then stamp, for the locked strategy. */
    protected final void srNodeThenStamp(long node, long stamp) {
        WORD.setRelease(word, StackTopLayout.NODE_OFFSET, node);
        WORD.setRelease(word, StackTopLayout.STAMP_OFFSET, stamp);
    }

    /**
     * Replaces {expectStamp, expectNode} by {newStamp, newNode} in one step, or fails if the top holds anything
     * else. A successful CAS is the linearization point of the push or pop that issued it.
     */
    public abstract boolean casTop(long expectStamp, long expectNode, long newStamp, long newNode);

    /** The strategy behind {@link #casTop}. */
    public abstract CasStrategy strategy();

    /** A top over {@code word} using {@code strategy}, which must be available. */
    public static StampedTop over(MemorySegment word, CasStrategy strategy) {
        return switch (strategy) {
            case NATIVE_CAS128 -> new NativeCas128Top(word);
            case LOCKED -> new LockedTop(word);
        };
    }
}
