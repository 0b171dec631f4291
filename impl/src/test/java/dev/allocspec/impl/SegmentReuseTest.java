package dev.allocspec.impl;

import dev.allocspec.spec.ChunkPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An allocation of a block with the size it was handed out with last gets that very segment again, with the thread
 * caches on and off (see {@link Chunk#segment}); any other size gets a new one; either way the segment dies with the
 * allocator.
 */
class SegmentReuseTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theSameBlockWithTheSameSizeIsHandedOutThroughTheSameSegment(boolean threadCache) {
        try (LockFreeBlockAllocator allocator = allocator(threadCache)) {
            MemorySegment first = allocator.allocate(100);
            allocator.free(first);
            MemorySegment again = allocator.allocate(100);
            assertThat(again).isSameAs(first);
            allocator.free(again);
            MemorySegment smaller = allocator.allocate(90);
            assertThat(smaller.address()).as("LIFO: the same block").isEqualTo(first.address());
            assertThat(smaller).isNotSameAs(first);
            assertThat(smaller.byteSize()).isEqualTo(90);
            allocator.free(smaller);
            assertThat(allocator.allocate(90)).isSameAs(smaller);
            allocator.checkInvariants();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSegmentHandedOutAgainIsWritableAndEndsWithTheAllocator(boolean threadCache) {
        MemorySegment again;
        try (LockFreeBlockAllocator allocator = allocator(threadCache)) {
            MemorySegment first = allocator.allocate(100);
            allocator.free(first.asReadOnly()); // the same block and size through a read-only view
            again = allocator.allocate(100);
            assertThat(again.isReadOnly()).isFalse();
            again.set(ValueLayout.JAVA_LONG, 0, 42);
        }
        assertThat(again.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> again.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
    }

    private static LockFreeBlockAllocator allocator(boolean threadCache) {
        return LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).threadCache(threadCache).build();
    }
}
