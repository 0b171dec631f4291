package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page map alone, without the skip list that corrects it in {@link ChunkDirectory}: every granule a chunk covers
 * answers with the chunk, the granules around it do not, and addresses above its range have no answer. Its mistakes
 * would cost only speed behind the directory, so only this test sees them.
 */
class PageMapTest {

    private final PageMap map = new PageMap();

    @Test
    void everyGranuleOfAChunkAndNoOtherPointsAtIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(6 * 4096, 4096);
            Chunk chunk = new Chunk(memory.asSlice(4096, 3 * 4096), SizeClass.B256, null, 48);
            map.put(chunk);
            for (long offset = 0; offset < 3 * 4096; offset += 512) {
                assertThat(map.get(chunk.base + offset)).as("offset %d", offset).isSameAs(chunk);
            }
            assertThat(map.get(chunk.end - 1)).as("the last byte").isSameAs(chunk);
            assertThat(map.get(chunk.base - 1)).as("the granule before").isNull();
            assertThat(map.get(chunk.end)).as("the granule after").isNull();
        }
    }

    @Test
    void chunksFarApartHaveLeavesOfTheirOwn() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(4096, 4096);
            Chunk low = new Chunk(memory, SizeClass.B64, null, 64);
            map.put(low);
            // An address 2^38 bytes away: another level-1 entry, and no chunk there.
            assertThat(map.get(low.base ^ (1L << 38))).isNull();
            assertThat(map.get(low.base ^ (1L << 26))).as("another leaf under the same node").isNull();
            assertThat(map.get(low.base)).isSameAs(low);
        }
    }

    @Test
    void addressesAboveItsRangeHaveNoAnswer() {
        assertThat(map.get(1L << 51)).isNull();
        assertThat(map.get(-4096L)).isNull();
    }
}
