package com.example;

import dev.allocspec.spec.OffHeapAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;

/** The allocator under test: a shared Arena per block, freed by closing it. Stands for yours. */
final class MyAllocator implements OffHeapAllocator {

    private record Live(Arena arena, long size) {
    }

    private final Map<Long, Live> live = new HashMap<>();
    /** The scopes of freed blocks, while a stale segment of one can still reach free: each block has its own. */
    private final Set<MemorySegment.Scope> freed = Collections.newSetFromMap(new WeakHashMap<>());
    private boolean closed;

    @Override
    public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
        requireOpen();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment block = arena.allocate(byteSize, byteAlignment);
            live.put(block.address(), new Live(arena, byteSize));
            return block;
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new OutOfMemoryError("refused " + byteSize + " bytes");
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public synchronized void free(MemorySegment block) {
        Objects.requireNonNull(block, "block");
        requireOpen();
        Live found = block.isNative() ? live.get(block.address()) : null;
        if (found != null && found.arena().scope().equals(block.scope()) && found.size() == block.byteSize()) {
            live.remove(block.address());
            freed.add(block.scope());
            found.arena().close();
            return;
        }
        if (freed.contains(block.scope())) {
            throw new IllegalStateException("double free at 0x" + Long.toHexString(block.address()));
        }
        throw new IllegalArgumentException("not a block handed out by this allocator, or not of its size: " + block);
    }

    @Override
    public synchronized void close() {
        requireOpen();
        closed = true;
        live.values().forEach(l -> l.arena().close());
        live.clear();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }
}
