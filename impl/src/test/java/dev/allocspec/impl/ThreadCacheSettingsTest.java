package dev.allocspec.impl;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The thread caches' thresholds: validated with a message naming the setting, and small ones reach every path. */
class ThreadCacheSettingsTest {

    @Test
    void theDefaultsAreTheCachesOfAServiceAndBadValuesAreRejectedByName() {
        assertThat(ThreadCacheSettings.DEFAULT.capacities()).containsExactly(64, 64, 64, 32, 16);
        assertThat(ThreadCacheSettings.DEFAULT.batches()).containsExactly(32, 32, 32, 16, 8);
        assertThat(ThreadCacheSettings.DEFAULT.lowWaterInterval()).isEqualTo(8192);
        assertThatThrownBy(() -> ThreadCacheSettings.of(0, 1, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bin capacity of class 64");
        assertThatThrownBy(() -> ThreadCacheSettings.of(4, 5, 16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch of class 64 must be 1 to its capacity 4: 5");
        assertThatThrownBy(() -> ThreadCacheSettings.of(4, 2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("low-water interval");
        assertThatThrownBy(() -> new ThreadCacheSettings(List.of(4), List.of(2), 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one entry per pooled class");
        assertThatThrownBy(() -> LockFreeBlockAllocator.builder().threadCacheSettings(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("settings");
    }

    @Test
    void theSmallestSettingsAreAllowed() {
        assertThat(ThreadCacheSettings.of(1, 1, 1).capacities()).containsOnly(1);
        assertThat(ThreadCacheSettings.of(4, 4, 1).batches()).as("a batch of a whole bin").containsOnly(4);
    }

    @Test
    void smallThresholdsReachRefillFlushAndLowWaterPassInAFewDozenOperations() {
        assertThat(pathsAfterTwentyPairs(ThreadCacheSettings.of(4, 2, 16))).containsEntry("ended thread's cache "
                + "reclaimed", 0L).allSatisfy((path, count) -> {
                    if (!path.equals(CachePath.RECLAIM.label())) {
                        assertThat(count).as(path).isPositive();
                    }
                });
        Map<String, Long> defaults = pathsAfterTwentyPairs(ThreadCacheSettings.DEFAULT);
        assertThat(defaults).containsEntry(CachePath.FULL_BIN_FLUSH.label(), 0L)
                .containsEntry(CachePath.LOW_WATER_PASS.label(), 0L);
    }

    @Test
    void withoutThreadCachesThereIsNoPathToCount() {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().threadCache(false).build()) {
            allocator.free(allocator.allocate(64));
            assertThat(allocator.internalPathCounts()).isEmpty();
        }
    }

    private static Map<String, Long> pathsAfterTwentyPairs(ThreadCacheSettings settings) {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().threadCacheSettings(settings)
                .build()) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                blocks.add(allocator.allocate(64));
            }
            blocks.forEach(allocator::free);
            allocator.checkInvariants();
            return allocator.internalPathCounts();
        }
    }
}
