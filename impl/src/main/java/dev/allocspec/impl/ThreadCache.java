package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's cache of free blocks in front of the shared free stacks (jemalloc's tcache): per class a small LIFO
 * array, no atomics on the fast path. Owned by one thread; other threads read it only after that thread has died
 * ({@link ThreadCaches#reclaimDead}, {@link ThreadCaches#sweep}) or when no operation is in flight (invariant checks,
 * stats).
 *
 * <p>A <b>stripe</b> cache ({@link #stripe(ThreadCacheSettings)}, no owner) is shared by virtual threads instead: a thread uses it only
 * between a successful {@link #tryAcquire()} and its {@link #release()}, so it has one user at a time, and the
 * acquiring CAS and the releasing store order one user's plain writes before the next user's reads.
 *
 * <p><b>Order is preserved.</b> Think of a class's free blocks as one logical LIFO stack: this thread's bin on top of
 * the shared stack. Frees push on the bin's top and allocations pop it; a refill moves the shared stack's top blocks,
 * in order, under the (empty) bin; a flush moves the bin's bottom blocks, in order, onto the shared stack. None of it
 * reorders the logical stack, so a single thread makes exactly the reference's decisions (INV-LIFO, INV-REFINEMENT).
 */
final class ThreadCache extends ThreadCacheFields {

    private static final VarHandle NET_IN = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle IN_USE;
    private static final VarHandle RECLAIMED;

    static {
        try {
            IN_USE = MethodHandles.lookup().findVarHandle(ThreadCacheFields.class, "inUse", int.class);
            RECLAIMED = MethodHandles.lookup().findVarHandle(ThreadCacheFields.class, "reclaimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A bin's fields, behind the padding that keeps other threads' bins off their cache line ({@link PadBefore}). */
    abstract static class BinFields extends PadBefore {
        final SizeClass sizeClass;
        final long[] blocks;
        /**
         * The chunk of each block in {@link #blocks}. Slots at and above {@link #count} keep stale chunks: they pin
         * nothing, as a pooled chunk lives as long as its allocator.
         */
        final Chunk[] chunks;
        /** How many blocks a refill takes in one batch, and a flush of a full bin gives back. */
        final int batch;
        int count;
        /** The lowest count since the last low-water pass. */
        int lowWater;

        BinFields(SizeClass sizeClass, int capacity, int batch) {
            this.sizeClass = sizeClass;
            this.blocks = new long[capacity];
            this.chunks = new Chunk[capacity];
            this.batch = batch;
        }
    }

    /** One class's bin: blocks[0] is the bottom, blocks[count - 1] the top. */
    static final class Bin extends BinFields {
        /** Padding after the fields (see {@link PadBefore}). */
        long padAfter01, padAfter02, padAfter03, padAfter04, padAfter05, padAfter06, padAfter07, padAfter08, padAfter09,
                padAfter10, padAfter11, padAfter12, padAfter13, padAfter14, padAfter15;

        Bin(SizeClass sizeClass, int capacity, int batch) {
            super(sizeClass, capacity, batch);
        }

        boolean isFull() {
            return count == blocks.length;
        }

        /** Puts a block on top; the bin must not be full. */
        void push(long block, Chunk chunk) {
            int top = count;
            blocks[top] = block;
            if (chunks[top] != chunk) { // a slot keeps its chunk after a pop: a thread freeing what it took writes nothing
                chunks[top] = chunk;    // (a reference store costs the garbage collector's write barrier)
            }
            count = top + 1;
        }
    }

    /** Padding after the fields (see {@link PadBefore}). */
    long padAfter01, padAfter02, padAfter03, padAfter04, padAfter05, padAfter06, padAfter07, padAfter08, padAfter09,
            padAfter10, padAfter11, padAfter12, padAfter13, padAfter14, padAfter15;

    ThreadCache(Thread owner, ThreadCacheSettings settings) {
        super(owner, newBins(settings), settings.lowWaterInterval());
    }

    private static Bin[] newBins(ThreadCacheSettings settings) {
        Bin[] bins = new Bin[SizeClass.pooled().size()];
        for (int i = 0; i < bins.length; i++) {
            bins[i] = new Bin(SizeClass.pooled().get(i), settings.capacity(i), settings.batch(i));
        }
        return bins;
    }

    /** A cache that virtual threads share, one at a time (see the class comment). */
    static ThreadCache stripe(ThreadCacheSettings settings) {
        return new ThreadCache(null, settings);
    }

    /** Whether this is a stripe cache, used only between {@link #tryAcquire()} and {@link #release()}. */
    boolean isStripe() {
        return owner == null;
    }

    /**
     * Takes this stripe for the calling thread, unless another thread is using it; never blocks. The read first keeps
     * a busy stripe's line shared instead of pulling it over with a failing CAS.
     */
    boolean tryAcquire() {
        return lvInUse() == 0 && casInUse(0, 1);
    }

    /** Gives this stripe back: the release store orders this user's writes before the next user's acquiring CAS. */
    void release() {
        srInUse(0);
    }

    /**
     * Counts an operation of the allocator's fast path if no low-water pass falls due with it: true, counted; false,
     * nothing counted, and the operation goes to the general path, whose {@link ThreadCaches#countOperation} runs the
     * pass. So passes come every {@link ThreadCacheSettings#lowWaterInterval()} operations, fast or not.
     */
    boolean countFastOperation() {
        int left = untilLowWaterPass;
        if (left <= 1) {
            return false;
        }
        untilLowWaterPass = left - 1;
        return true;
    }

    /** Gives this cache back if it is a stripe, held by the calling thread; nothing for a thread's own cache. */
    void releaseIfStripe() {
        if (owner == null) {
            srInUse(0);
        }
    }

    private int lvInUse() {
        return (int) IN_USE.getVolatile(this);
    }

    private boolean casInUse(int expect, int update) {
        return IN_USE.compareAndSet(this, expect, update);
    }

    private void srInUse(int update) {
        IN_USE.setRelease(this, update);
    }

    /**
     * Whether the calling thread may drain this cache of a thread that has ended: true for exactly one caller, false
     * while the owner lives (and for stripes, which have no owner and are never drained).
     */
    boolean claimForReclaim() {
        return owner != null && !owner.isAlive() && casReclaimed(0, 1);
    }

    private boolean casReclaimed(int expect, int update) {
        return RECLAIMED.compareAndSet(this, expect, update);
    }

    /** {@link #lastChunk} if it contains {@code address}, else null. */
    Chunk lastChunkContaining(long address) {
        Chunk chunk = lastChunk;
        return chunk != null && address >= chunk.base && address < chunk.end ? chunk : null;
    }

    /** Counts blocks moved between the shared stack and a bin: positive into the bin, negative out of it. */
    void countMoved(int classIndex, long delta) {
        NET_IN.setOpaque(netIn, classIndex, (long) NET_IN.getOpaque(netIn, classIndex) + delta);
    }

    /**
     * Blocks of a class this thread allocated minus those it freed. Read by other threads for stats, which are exact
     * only when no operation is in flight (the bin's count is a plain field).
     */
    long liveDelta(int classIndex) {
        return (long) NET_IN.getOpaque(netIn, classIndex) - bins[classIndex].count;
    }
}
