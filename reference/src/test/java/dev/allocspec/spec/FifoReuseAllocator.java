package dev.allocspec.spec;

import dev.allocspec.os.OsMemory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A correct allocator of another policy: pooled blocks are reused first in, first out (the oldest freed block of a
 * class first), where this family reuses the most recently freed one. Safe by every safety invariant, and not a member
 * of the family: the safety profile must pass it and the family profile must fail it on policy alone (INV-LIFO, and
 * refinement). Built on a delegate family allocator, which carves the blocks: a block freed here waits in a FIFO
 * queue of its class and is handed out again from there, never given back to the delegate before {@link #close()}.
 * Single-threaded use only (as the contract tests and the state machine use it), so plain collections under a lock.
 */
@SuppressWarnings("restricted") // a block's whole extent, in its chunk's scope
public final class FifoReuseAllocator implements BlockAllocator {

    private final BlockAllocator delegate;
    private final long pageSize = OsMemory.system().pageSize();
    private final Map<SizeClass, ArrayDeque<Long>> freeQueues = new EnumMap<>(SizeClass.class);
    /** Every pooled block the delegate carved and this allocator handed out: its class and its size now. */
    private final Map<Long, Pooled> pooled = new HashMap<>();

    /**
     * A pooled block's class, the size it was last allocated with ({@link #FREE} while free), and the whole block as a
     * segment in its chunk's scope, which the next owner's segment is cut from.
     */
    private record Pooled(SizeClass sizeClass, long size, MemorySegment whole) {
        Pooled withSize(long newSize) {
            return new Pooled(sizeClass, newSize, whole);
        }
    }

    private static final long FREE = -1;
    private boolean closed;

    /** FIFO reuse in front of {@code delegate}. */
    public FifoReuseAllocator(BlockAllocator delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        for (SizeClass c : SizeClass.pooled()) {
            freeQueues.put(c, new ArrayDeque<>());
        }
    }

    @Override
    public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
        SizeClass c = byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1
                || byteAlignment > pageSize ? SizeClass.RAW : SizeClass.forRequest(byteSize, byteAlignment, pageSize);
        ArrayDeque<Long> queue = freeQueues.get(c);
        requireOpen();
        if (queue == null || queue.isEmpty()) {
            MemorySegment fresh = delegate.allocate(byteSize, byteAlignment); // checks the arguments
            if (!c.isRaw()) {
                pooled.put(fresh.address(), new Pooled(c, byteSize, fresh.reinterpret(c.blockSize())));
            }
            return fresh;
        }
        Pooled reused = pooled.get(queue.removeFirst()).withSize(byteSize);
        pooled.put(reused.whole().address(), reused);
        return reused.whole().asSlice(0, byteSize);
    }

    @Override
    public synchronized void free(MemorySegment block) {
        Objects.requireNonNull(block, "block must not be null");
        Pooled known = block.isNative() && block.scope().isAlive() ? pooled.get(block.address()) : null;
        if (known == null) {
            // raw, not a block handed out here, or a closed scope (a raw block freed before, whose address a chunk
            // may have taken since): the delegate frees or rejects it, and knows which scopes it closed
            delegate.free(block);
            return;
        }
        requireOpen();
        if (known.size() == FREE) {
            throw Rejections.doubleFree(block.address(), known.sizeClass());
        }
        if (block.byteSize() != known.size()) {
            throw Rejections.wrongSize(block.address(), block.byteSize(), known.size(), known.sizeClass());
        }
        pooled.put(block.address(), known.withSize(FREE));
        freeQueues.get(known.sizeClass()).addLast(block.address());
    }

    /** Large blocks are the delegate's: so are their cache and purges. */
    @Override
    public synchronized void purge() {
        requireOpen();
        delegate.purge();
    }

    @Override
    public synchronized List<MemorySegment> arenas() {
        return delegate.arenas();
    }

    /** The delegate's counts, with the blocks waiting in the FIFO queues moved from live to free. */
    @Override
    public synchronized AllocatorStats stats() {
        AllocatorStats inner = delegate.stats();
        List<ClassStats> pools = new ArrayList<>();
        for (ClassStats pool : inner.pools()) {
            int queued = freeQueues.get(pool.sizeClass()).size();
            pools.add(new ClassStats(pool.sizeClass(), pool.carved(), pool.live() - queued, pool.free() + queued));
        }
        return new AllocatorStats(pools, inner.rawBlocksLive(), inner.rawBytesLive(), inner.chunksObtained(),
                inner.retainedBytes(), inner.dirtyBytes(), inner.purgedBytes());
    }

    @Override
    public synchronized void close() {
        requireOpen();
        closed = true;
        delegate.close();
    }

    private void requireOpen() {
        if (closed) {
            throw Rejections.closed();
        }
    }
}
