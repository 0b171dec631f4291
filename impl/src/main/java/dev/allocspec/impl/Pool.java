package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pooled class: its free stack, its purged blocks below it, its counts, and how it grows. It is also its stack's
 * {@link FreeStack.LinkGuard}: the blocks of its class are the chunks the directory holds for it.
 *
 * <p>Purged blocks (see {@link PurgePolicy}) are kept here, on the heap, not on the stack: a block on the stack holds
 * its link in its first word, which a purge would zero, and any thread may pop it mid-purge. A purge pass pops every
 * block off the stack first (it owns them then), purges each whole and keeps them, in order, under {@link #purgedLock};
 * an allocation that finds the stack empty gets them back {@link PurgePolicy#PURGED_REFILL_BATCH} at a time, linked and
 * pushed like a carved chunk. So the logical free list is the stack over the purged blocks, in LIFO order.
 */
final class Pool implements FreeStack.LinkGuard {

    final SizeClass sizeClass;
    final FreeStack stack;
    private final ChunkDirectory directory;
    /** Blocks carved so far; grows before the carved chain is pushed. */
    final AtomicLong carved = new AtomicLong();
    /** Blocks handed out and not yet freed. */
    final LongAdder live = new LongAdder();
    /** Guards the purged blocks, and orders a purge pass before {@code close()} unmaps the chunks. */
    private final ReentrantLock purgedLock = new ReentrantLock();
    /** Guarded by {@link #purgedLock}: purged free blocks, next out last. */
    private long[] purged = new long[0];
    /** Written under {@link #purgedLock}; read without it by stats. */
    private volatile int purgedCount;
    /** Guarded by {@link #purgedLock}: set by {@link #close}; no pass runs after it. */
    private boolean closed;

    Pool(SizeClass sizeClass, FreeStack stack, ChunkDirectory directory) {
        this.sizeClass = sizeClass;
        this.stack = stack;
        this.directory = directory;
    }

    /** Whether a block of this class starts at {@code address} (INV-ARENA-CONTAINMENT); reads no off-heap memory. */
    @Override
    public boolean isBlock(long address) {
        return directory.blockOf(address, sizeClass) != null;
    }

    /**
     * Obtains one chunk, records it, links its blocks lowest address first and pushes the chain with one CAS
     * (INV-CARVE-ORDER). Called by any thread that finds the stack empty: two threads may grow at once; the spare
     * blocks are pushed like any others, so nothing is lost (jalib's over-expansion).
     *
     * @throws OutOfMemoryError if the system refuses; nothing has changed then
     */
    void grow(ChunkPolicy policy, MemorySource memory, Arena poolScope) {
        MemorySegment chunkMemory = memory.obtain(policy.chunkBytes(sizeClass), poolScope);
        Chunk chunk = new Chunk(chunkMemory, sizeClass, null, policy.blocksPerChunk());
        directory.add(chunk);
        int last = chunk.blocks() - 1;
        for (int i = 0; i < last; i++) {
            stack.links.spNext(chunk.blockAddress(i), chunk.blockAddress(i + 1));
        }
        carved.addAndGet(chunk.blocks());
        stack.pushCarved(chunk.blockAddress(0), chunk.blockAddress(last));
    }

    /** Purged free blocks of this class now. */
    int purgedCount() {
        return purgedCount;
    }

    /**
     * Pushes up to {@link PurgePolicy#PURGED_REFILL_BATCH} purged blocks, next out on top, onto the stack: linked
     * here (their first pages fault back in), pushed with one CAS.
     *
     * @return whether there was any
     */
    boolean refillFromPurged() {
        purgedLock.lock();
        try {
            int n = Math.min(PurgePolicy.PURGED_REFILL_BATCH, purgedCount);
            if (n == 0) {
                return false;
            }
            int top = purgedCount - 1;
            for (int i = 0; i < n - 1; i++) { // we own them: nobody reads their links until the push
                stack.links.spNext(purged[top - i], purged[top - i - 1]);
            }
            stack.pushChain(purged[top], purged[top - n + 1]);
            purgedCount -= n;
            return true;
        } finally {
            purgedLock.unlock();
        }
    }

    /** The negative control's pass (see {@link PurgeFault#POOLED_PURGE_IN_PLACE}); counts nothing as purged. */
    private long purgeTopInPlace(MemorySource memory) {
        for (long block : stack.snapshot(1)) {
            Chunk chunk = directory.pooledChunkOf(block, sizeClass);
            PurgeFault.widenTheWindow(); // in which an allocation can pop the block and write into it
            memory.purge(chunk.memory.asSlice(block - chunk.base, sizeClass.blockSize()));
        }
        return 0;
    }

    /**
     * A purge pass: takes every block off the stack (each pop makes it this thread's), purges each whole and keeps
     * them, the stack's top last in, so that it is the next out. Blocks other threads push meanwhile are taken too.
     *
     * @return the bytes purged
     */
    long purgeFree(MemorySource memory, PurgeFault fault) {
        purgedLock.lock();
        try {
            if (closed) {
                return 0;
            }
            if (fault == PurgeFault.POOLED_PURGE_IN_PLACE) {
                return purgeTopInPlace(memory);
            }
            long[] batch = new long[64];
            List<Long> taken = new ArrayList<>();
            int n;
            while ((n = stack.popChain(batch.length, batch, this)) > 0) {
                for (int i = 0; i < n; i++) {
                    taken.add(batch[i]);
                }
            }
            if (purged.length < purgedCount + taken.size()) {
                purged = Arrays.copyOf(purged, Math.max(2 * purged.length, purgedCount + taken.size()));
            }
            for (int i = taken.size() - 1; i >= 0; i--) { // the stack's top ends on top
                long block = taken.get(i);
                Chunk chunk = directory.pooledChunkOf(block, sizeClass);
                memory.purge(chunk.memory.asSlice(block - chunk.base, sizeClass.blockSize()));
                purged[purgedCount++] = block;
            }
            return (long) taken.size() * sizeClass.blockSize();
        } finally {
            purgedLock.unlock();
        }
    }

    /** The purged blocks, next out first (quiescent only). */
    List<Long> purgedSnapshot() {
        purgedLock.lock();
        try {
            List<Long> snapshot = new ArrayList<>(purgedCount);
            for (int i = purgedCount - 1; i >= 0; i--) {
                snapshot.add(purged[i]);
            }
            return snapshot;
        } finally {
            purgedLock.unlock();
        }
    }

    /** Waits for a pass in progress and stops later ones: {@code close()} calls it before it unmaps the chunks. */
    void close() {
        purgedLock.lock();
        try {
            closed = true;
        } finally {
            purgedLock.unlock();
        }
    }
}
