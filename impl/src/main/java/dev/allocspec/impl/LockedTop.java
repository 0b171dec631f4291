package dev.allocspec.impl;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link StampedTop} updated under a lock: the fallback where no 128-bit CAS exists (jalib: a futex around a memcmp
 * and memcpy of the 16 bytes). Readers stay lock-free; only {@link #casTop} takes the lock.
 *
 * <p><b>Why readers need no lock.</b> Every writer holds {@link #lock}, so the compare and the write are atomic with
 * respect to each other. The write stores the node, then the stamp, both with release; a reader loads the stamp,
 * then the node, both with acquire. A reader that sees a half-written top (new node, old stamp) builds an expectation
 * that the finished top no longer matches, so its CAS fails and it retries.
 */
public final class LockedTop extends StampedTop {

    /** Guards every write of the two words. */
    private final ReentrantLock lock = new ReentrantLock();

    LockedTop(MemorySegment word) {
        super(word);
    }

    @Override
    public boolean casTop(long expectStamp, long expectNode, long newStamp, long newNode) {
        lock.lock();
        try {
            return compareAndWrite(expectStamp, expectNode, newStamp, newNode);
        } finally {
            lock.unlock();
        }
    }

    private boolean compareAndWrite(long expectStamp, long expectNode, long newStamp, long newNode) {
        assert lock.isHeldByCurrentThread();
        if (lpStamp() != expectStamp || lpNode() != expectNode) {
            return false;
        }
        srNodeThenStamp(newNode, newStamp); // Lock release is the linearization point's publication.
        return true;
    }

    @Override
    public CasStrategy strategy() {
        return CasStrategy.LOCKED;
    }
}
