package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** Owner lookup: the page map's fast answers, and the skip list behind it where the page map cannot answer. */
class ChunkDirectoryTest {

    private final ChunkDirectory directory = new ChunkDirectory();

    @Test
    void findsThePooledChunkOfEveryAddressInsideItAndNothingOutside() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(5 * 4096, 4096);
            Chunk chunk = new Chunk(memory.asSlice(4096, 3 * 4096), SizeClass.B256, null, 48);
            directory.add(chunk);
            for (long offset = 0; offset < 3 * 4096; offset += 64) {
                assertThat(directory.containing(chunk.base + offset)).as("offset %d", offset).isSameAs(chunk);
            }
            assertThat(directory.containing(chunk.base - 1)).isNull();
            assertThat(directory.containing(chunk.end)).isNull();
            assertThat(directory.containing(1L << 60)).as("above the page map's range").isNull();
        }
    }

    @Test
    void chunksSharingAGranuleAreStillToldApart() {
        try (Arena arena = Arena.ofConfined()) {
            // Memory that is not page-aligned: the two chunks share the 4 KiB granule around their border, and the
            // page map records only the second; the bounds check sends lookups of the first to the skip list.
            MemorySegment memory = arena.allocate(4 * 4096, 4096);
            Chunk first = new Chunk(memory.asSlice(1024, 4096), SizeClass.B64, null, 64);
            Chunk second = new Chunk(memory.asSlice(1024 + 4096, 4096), SizeClass.B64, null, 64);
            directory.add(first);
            directory.add(second);
            assertThat(directory.containing(first.end - 64)).isSameAs(first);
            assertThat(directory.containing(second.base)).isSameAs(second);
            assertThat(directory.containing(second.end - 1)).isSameAs(second);
        }
    }

    @Test
    void rawMappingsAreFoundThroughTheSkipListAndForgotten() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(2 * 4096, 4096);
            Chunk raw = new Chunk(memory, SizeClass.RAW, arena, 1);
            directory.add(raw);
            assertThat(directory.containing(raw.base + 100)).isSameAs(raw);
            directory.remove(raw);
            assertThat(directory.containing(raw.base + 100)).as("a forgotten raw mapping").isNull();
        }
    }
}
