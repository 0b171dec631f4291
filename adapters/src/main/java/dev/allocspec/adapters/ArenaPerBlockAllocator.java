package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/**
 * An {@link Arena#ofShared() Arena} per block: what a JVM developer writes without an allocator. Each block's segment
 * has a scope of its own, closed by its free, so a stale segment throws instead of reading freed memory: the safest
 * adapter, and the slowest (closing a shared arena is a handshake with every thread). A {@linkplain BlockRegistry
 * registry} finds the arena of a segment and rejects bad frees.
 */
final class ArenaPerBlockAllocator implements OffHeapAllocator {

    private final BlockRegistry<Arena> registry = new BlockRegistry<>();

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Requests.requireValid(byteSize, byteAlignment);
        registry.requireOpen();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment block = arena.allocate(byteSize, byteAlignment);
            registry.add(block, arena);
            return block;
        } catch (OutOfMemoryError e) {
            arena.close();
            // the JDK's refusal carries no message: say what was refused
            OutOfMemoryError refused = new OutOfMemoryError("Arena.allocate refused " + byteSize + " bytes (alignment "
                    + byteAlignment + ")" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            refused.initCause(e);
            throw refused;
        } catch (RuntimeException e) {
            arena.close(); // close() came meanwhile: nobody else holds it
            throw e;
        }
    }

    @Override
    public void free(MemorySegment block) {
        registry.remove(block).close();
    }

    @Override
    public OptionalLong liveBlocks() {
        return OptionalLong.of(registry.liveCount());
    }

    @Override
    public void close() {
        registry.close().forEach(Arena::close);
    }
}
