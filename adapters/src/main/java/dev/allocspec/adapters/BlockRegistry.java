package dev.allocspec.adapters;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * The blocks an adapter has handed out, by address, and the ones it has taken back: what lets an adapter reject a bad
 * free before it reaches an allocator that would crash on it ({@code free(3)} aborts the process on a pointer it did not
 * hand out) and tell a double free from a foreign segment. Plain collections under one lock: the native calls
 * themselves run outside it, so the allocator under test still sees concurrent calls.
 *
 * @param <H> what the adapter needs to give a block back: the address itself, a Netty buffer, an Arena
 */
final class BlockRegistry<H> {

    /** A live block: its size as allocated, and its handle. */
    private record Live<H>(long size, H handle) {
    }

    private final TreeMap<Long, Live<H>> live = new TreeMap<>();
    /** Addresses taken back and not handed out since, with the scope of the segment they were handed out in. */
    private final Map<Long, MemorySegment.Scope> freed = new HashMap<>();
    /**
     * The scopes of blocks taken back, while somebody still holds a segment of them: where each block has a scope of
     * its own (an Arena per block), a stale segment names its block even after the address was handed out again.
     */
    private final Set<MemorySegment.Scope> freedScopes = Collections.newSetFromMap(new WeakHashMap<>());
    private boolean closed;

    /**
     * Records a block the allocator just handed out.
     *
     * @throws IllegalStateException if the registry is closed (the adapter must then give the block back itself)
     */
    synchronized void add(MemorySegment block, H handle) {
        requireOpen();
        live.put(block.address(), new Live<>(block.byteSize(), handle));
        freed.remove(block.address());
    }

    /**
     * Takes back the block {@code block} names, or rejects it without changing anything.
     *
     * @return the handle to give the block back with
     * @throws NullPointerException     if {@code block} is null
     * @throws IllegalArgumentException if it is a heap segment, a segment of an arena that has been closed, not at
     *                                  the start of a block handed out here, or of another size
     * @throws IllegalStateException    if the block is already free, or the registry is closed
     */
    synchronized H remove(MemorySegment block) {
        Objects.requireNonNull(block, "block must not be null");
        requireOpen();
        if (!block.isNative()) {
            throw new IllegalArgumentException("not a block of this allocator: " + block + " is a heap segment");
        }
        long address = block.address();
        Live<H> found = live.get(address);
        if (found != null && block.scope().isAlive()) {
            if (found.size() != block.byteSize()) {
                throw new IllegalArgumentException("wrong size: the block at 0x" + Long.toHexString(address)
                        + " was allocated with " + found.size() + " bytes, freed with " + block.byteSize());
            }
            live.remove(address);
            freed.put(address, block.scope());
            freedScopes.add(block.scope());
            return found.handle();
        }
        boolean staleOfOwnBlock = !block.scope().isAlive() && freedScopes.contains(block.scope());
        if (staleOfOwnBlock || block.scope().equals(freed.get(address))) { // any other scope is foreign
            throw new IllegalStateException("double free: the block at 0x" + Long.toHexString(address)
                    + " is already free");
        }
        if (!block.scope().isAlive()) {
            throw new IllegalArgumentException("not a block of this allocator: the segment at 0x"
                    + Long.toHexString(address) + " belongs to an arena that has been closed");
        }
        Map.Entry<Long, Live<H>> before = live.floorEntry(address);
        if (before != null && address < before.getKey() + Math.max(1, before.getValue().size())) {
            throw new IllegalArgumentException("interior address: 0x" + Long.toHexString(address) + " is "
                    + (address - before.getKey()) + " bytes into the block at 0x" + Long.toHexString(before.getKey()));
        }
        throw new IllegalArgumentException("not a block of this allocator: 0x" + Long.toHexString(address));
    }

    /** How many blocks are live. */
    synchronized long liveCount() {
        requireOpen();
        return live.size();
    }

    /**
     * Closes the registry and returns the handles of every block still live, for the adapter to give back.
     *
     * @throws IllegalStateException if already closed
     */
    synchronized List<H> close() {
        requireOpen();
        closed = true;
        List<H> handles = new ArrayList<>(live.values().stream().map(Live::handle).toList());
        live.clear();
        freed.clear();
        freedScopes.clear();
        return handles;
    }

    synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("allocator is closed");
        }
    }
}
