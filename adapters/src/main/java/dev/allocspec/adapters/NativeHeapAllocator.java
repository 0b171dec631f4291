package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/**
 * A C heap ({@link NativeHeap}: glibc or jemalloc) as an {@link OffHeapAllocator}. Every segment it hands out is in
 * one shared arena of the adapter's, closed by {@link #close()}, so no segment outlives the allocator.
 *
 * <p>With a {@linkplain BlockRegistry registry} (the default) every free is checked before it reaches the heap: a
 * foreign, interior, wrong-size or double free is rejected with the exception the safety profile names, and the heap
 * never sees it. Without one, the segment's address goes straight to {@code free(3)}, as a C program's would: glibc
 * then aborts the process on a pointer it did not hand out ("free(): invalid pointer"), which is what the verifier must
 * report as a crash, not survive. Freed memory is the heap's again at once: above glibc's mmap threshold (128 KiB by
 * default) it is unmapped, so a caller that keeps using a freed block's segment reads unmapped memory — a finding about
 * malloc that no adapter can mend without a scope per block.
 */
final class NativeHeapAllocator implements OffHeapAllocator {

    private final NativeHeap heap;
    /** Null for the unchecked variant. */
    private final BlockRegistry<Long> registry;
    private final Arena scope = Arena.ofShared();
    private volatile boolean closed;

    NativeHeapAllocator(NativeHeap heap, boolean checked) {
        this.heap = heap;
        this.registry = checked ? new BlockRegistry<>() : null;
    }

    @Override
    @SuppressWarnings("restricted") // a segment over memory the heap just handed out, in this adapter's scope
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Requests.requireValid(byteSize, byteAlignment);
        requireOpen();
        long address = heap.allocate(byteSize, byteAlignment);
        try {
            MemorySegment block = MemorySegment.ofAddress(address).reinterpret(byteSize, scope, null);
            if (registry != null) {
                registry.add(block, address);
            }
            return block;
        } catch (IllegalStateException closedMeanwhile) {
            heap.free(address); // close() came between the check and here: nobody else knows the address
            throw closedMeanwhile;
        }
    }

    @Override
    public void free(MemorySegment block) {
        if (registry != null) {
            heap.free(registry.remove(block));
            return;
        }
        requireOpen();
        heap.free(block.address()); // unchecked: whatever the caller passes, as free(3) would get it
    }

    @Override
    public OptionalLong liveBlocks() {
        return registry == null ? OptionalLong.empty() : OptionalLong.of(registry.liveCount());
    }

    @Override
    public void close() {
        if (registry != null) {
            var left = registry.close(); // from here every call is refused
            closed = true;
            scope.close(); // no segment can reach the memory any more
            left.forEach(heap::free);
            return;
        }
        synchronized (this) {
            requireOpen();
            closed = true;
        }
        scope.close(); // the blocks still live are not known: they stay the heap's, unreachable
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("allocator is closed");
        }
    }
}
