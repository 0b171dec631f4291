package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The contract's small value types at their edges: the bounds each accepts and refuses, the arithmetic behind a raw
 * mapping's size and a block's position, and the words of the rejections callers read. Written for the mutants PIT
 * showed surviving there (docs/mutation).
 */
class SpecValuesTest {

    @Test
    void aChunkPolicyTakesOneToTheMostBlocksAndNothingOutside() {
        assertThat(new ChunkPolicy(1).blocksPerChunk()).isEqualTo(1);
        assertThat(new ChunkPolicy(ChunkPolicy.MAX_BLOCKS_PER_CHUNK).blocksPerChunk())
                .isEqualTo(ChunkPolicy.MAX_BLOCKS_PER_CHUNK);
        assertThatIllegalArgumentException().isThrownBy(() -> new ChunkPolicy(0)).withMessageContaining("between 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new ChunkPolicy(ChunkPolicy.MAX_BLOCKS_PER_CHUNK + 1))
                .withMessageContaining("between 1");
    }

    @Test
    void pageAlignmentIsTheMostAndARawMappingIsWholePages() {
        assertThat(SizeClass.forRequest(10, 4096, 4096)).as("page alignment is allowed").isSameAs(SizeClass.B4K);
        assertThat(SizeClass.rawMappingSize(8192, 4096)).as("an exact number of pages").isEqualTo(8192);
        assertThat(SizeClass.rawMappingSize(8193, 4096)).isEqualTo(12_288);
        assertThat(SizeClass.rawMappingSize(0, 4096)).as("at least one page").isEqualTo(4096);
    }

    @Test
    void classesReadAsTheirBlockSizeOrRaw() {
        assertThat(SizeClass.B64).hasToString("64");
        assertThat(SizeClass.B16K).hasToString("16384");
        assertThat(SizeClass.RAW).hasToString("raw");
    }

    @Test
    void anInteriorRejectionSaysHowFarIntoWhichBlock() {
        assertThat(Rejections.interior(0x1008, 0x1000, SizeClass.B64)).hasMessage(
                "interior address: 0x1008 is 8 bytes into the 64-byte block at 0x1000");
    }

    @Test
    void statsNeedEveryPooledClassInOrder() {
        List<ClassStats> pools = new ArrayList<>();
        for (SizeClass c : SizeClass.pooled()) {
            pools.add(new ClassStats(c, 0, 0, 0));
        }
        assertThat(new AllocatorStats(pools, 0, 0, 0).pools()).hasSize(SizeClass.pooled().size());
        List<ClassStats> swapped = new ArrayList<>(pools);
        swapped.set(0, pools.get(1));
        swapped.set(1, pools.get(0));
        assertThatIllegalArgumentException().isThrownBy(() -> new AllocatorStats(swapped, 0, 0, 0))
                .withMessageContaining("out of order at 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new AllocatorStats(pools.subList(0, 4), 0, 0, 0))
                .withMessageContaining("one ClassStats per pooled class");
    }

    @Test
    void aBlockPositionCountsFromItsArenaFirstByteToItsLast() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1024, 64);
            BlockAllocator withArenas = new ArenasOnly(List.of(memory.asSlice(0, 256), memory.asSlice(512, 256)));
            assertThat(BlockPosition.of(withArenas, memory.asSlice(512, 16))).as("an arena's first byte")
                    .contains(new BlockPosition(1, 0));
            assertThat(BlockPosition.of(withArenas, memory.asSlice(767, 1))).as("its last byte")
                    .contains(new BlockPosition(1, 255));
            assertThat(BlockPosition.of(withArenas, memory.asSlice(768, 16))).as("the byte after it").isEmpty();
            assertThat(BlockPosition.of(withArenas, memory.asSlice(256, 16))).as("between arenas").isEmpty();
            assertThat(BlockPosition.describe(withArenas, memory.asSlice(64, 16)))
                    .isEqualTo("arena 0 offset 64 size 16");
            assertThat(BlockPosition.describe(withArenas, memory.asSlice(300, 8)))
                    .isEqualTo("outside every arena: 0x" + Long.toHexString(memory.address() + 300) + " size 8");
        }
    }

    /** Only arenas: what {@link BlockPosition} asks of an allocator. */
    private record ArenasOnly(List<MemorySegment> arenas) implements BlockAllocator {
        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void free(MemorySegment block) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AllocatorStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void purge() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
