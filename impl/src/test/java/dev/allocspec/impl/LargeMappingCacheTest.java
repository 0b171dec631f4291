package dev.allocspec.impl;

import dev.allocspec.os.OsMemory;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockPosition;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock-free allocator's mapping cache chooses as the reference does where its own structure changes: between
 * the array of size bins (up to {@value LargeMappingCache#SMALL_BIN_PAGES} pages) and the tree of bigger ones, and at
 * the edges of a bitmap word. The mappings are never written, so their size costs address space only.
 */
class LargeMappingCacheTest {

    private static final long PAGE = OsMemory.system().pageSize();
    private static final int EDGE = LargeMappingCache.SMALL_BIN_PAGES;

    @Test
    void bestFitCrossesFromTheArrayOfBinsToTheTreeAsTheReferenceDoes() {
        // cached: 63, 64, 65 pages (a bitmap word's edge), EDGE, EDGE + 4 and 2 * EDGE pages
        long[] cached = {63, 64, 65, EDGE, EDGE + 4, 2L * EDGE};
        // asked: each fits some of them, or none (the last two only fit the tree's bins, or nothing at all)
        long[] asked = {EDGE - 1, 60, 64, 64, EDGE, 2L * EDGE - 100, 52, EDGE + 1, 3L * EDGE};
        assertThat(positions(new ReferenceAllocator(ChunkPolicy.DEFAULT, OsMemory.system(), policy()), cached, asked))
                .isEqualTo(positions(LockFreeBlockAllocator.builder().purgePolicy(policy()).decayThread(false)
                        .build(), cached, asked));
    }

    @Test
    void equalFitsAreTakenFreedLastFirstInBothKindsOfBin() {
        long[] cached = {5, 5, 5, EDGE + 10, EDGE + 10};
        long[] asked = {5, 5, EDGE + 10, 5, EDGE + 10, 5};
        List<String> reference = positions(new ReferenceAllocator(ChunkPolicy.DEFAULT, OsMemory.system(), policy()),
                cached, asked);
        assertThat(reference.getFirst()).as("the 5-page mapping freed last is the third obtained")
                .startsWith("arena 2 ");
        assertThat(positions(LockFreeBlockAllocator.builder().purgePolicy(policy()).decayThread(false).build(),
                cached, asked)).isEqualTo(reference);
    }

    private static PurgePolicy policy() {
        return new PurgePolicy(1L << 40, Long.MAX_VALUE, 62, Duration.ofDays(1), new ManualClock());
    }

    /** Maps {@code cached} (in pages) and frees them in that order, then allocates {@code asked}: where each went. */
    private static List<String> positions(BlockAllocator allocator, long[] cached, long[] askedPages) {
        try (allocator) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (long pages : cached) {
                blocks.add(allocator.allocate(pages * PAGE));
            }
            blocks.forEach(allocator::free);
            List<String> positions = new ArrayList<>();
            for (long pages : askedPages) {
                positions.add(BlockPosition.describe(allocator, allocator.allocate(pages * PAGE)));
            }
            return positions;
        }
    }
}
