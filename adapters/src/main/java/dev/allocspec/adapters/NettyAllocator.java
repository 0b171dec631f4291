package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/**
 * A Netty {@link ByteBufAllocator}'s direct buffers as an {@link OffHeapAllocator}: a block is a segment over a
 * buffer's memory, in one shared arena of the adapter's (closed by {@link #close()}), and freeing it releases the
 * buffer. Netty's buffers have no alignment parameter, so a block asks for {@code size + alignment - 1} bytes and
 * starts at the first aligned address in them. A {@linkplain BlockRegistry registry} finds the buffer of a segment and
 * rejects bad frees. Netty gives a pooled allocator's chunks back only when the allocator is collected, so
 * {@code close()} releases every live buffer and leaves the pool to the garbage collector.
 */
final class NettyAllocator implements OffHeapAllocator {

    private final ByteBufAllocator netty;
    private final BlockRegistry<ByteBuf> registry = new BlockRegistry<>();
    private final Arena scope = Arena.ofShared();

    NettyAllocator(ByteBufAllocator netty) {
        this.netty = netty;
    }

    @Override
    @SuppressWarnings("restricted") // a segment over a direct buffer's memory, in this adapter's scope
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Requests.requireValid(byteSize, byteAlignment);
        long capacity = Math.max(1, byteSize + byteAlignment - 1);
        if (capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Netty's buffers hold at most " + Integer.MAX_VALUE + " bytes: "
                    + byteSize + " bytes aligned to " + byteAlignment + " need " + capacity);
        }
        registry.requireOpen();
        ByteBuf buffer = netty.directBuffer((int) capacity, (int) capacity);
        try {
            long start = MemorySegment.ofBuffer(buffer.nioBuffer(0, (int) capacity)).address();
            MemorySegment block = MemorySegment.ofAddress(Requests.alignUp(start, byteAlignment))
                    .reinterpret(byteSize, scope, null);
            registry.add(block, buffer);
            return block;
        } catch (RuntimeException e) {
            buffer.release(); // close() came meanwhile, or the buffer has no address: nobody else holds it
            throw e;
        }
    }

    @Override
    public void free(MemorySegment block) {
        registry.remove(block).release();
    }

    @Override
    public OptionalLong liveBlocks() {
        return OptionalLong.of(registry.liveCount());
    }

    @Override
    public void close() {
        var left = registry.close();
        scope.close();
        left.forEach(ByteBuf::release);
    }
}
