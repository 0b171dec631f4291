package dev.allocspec.impl;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.SizeClass;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One pooled class: its free stack, its counts, and how it grows. It is also its stack's {@link FreeStack.LinkGuard}:
 * the blocks of its class are the chunks the directory holds for it.
 */
final class Pool implements FreeStack.LinkGuard {

    final SizeClass sizeClass;
    final FreeStack stack;
    private final ChunkDirectory directory;
    /** Blocks carved so far; grows before the carved chain is pushed. */
    final AtomicLong carved = new AtomicLong();
    /** Blocks handed out and not yet freed. */
    final LongAdder live = new LongAdder();

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
}
