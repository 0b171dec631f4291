package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table of large mappings by base against a {@link HashMap} over random puts and removes: bases a megabyte apart
 * (as the large churn makes them), bases a page apart, and bases that share a home slot, through growth and through
 * removals from the middle of a probe run.
 */
class LargeBasesTest {

    @Test
    void agreesWithAMapThroughGrowthAndRemovals() {
        for (long spacing : new long[] {1L << 20, 4096, 4096L << 16}) {
            Random random = new Random(spacing);
            LargeBases table = new LargeBases();
            Map<Long, Chunk> model = new HashMap<>();
            List<Chunk> recorded = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                if (recorded.isEmpty() || random.nextInt(3) > 0) {
                    long base = spacing * (1 + random.nextInt(5_000));
                    if (!model.containsKey(base)) {
                        Chunk mapping = mappingAt(base);
                        table.put(mapping);
                        model.put(base, mapping);
                        recorded.add(mapping);
                    }
                } else {
                    Chunk gone = recorded.remove(random.nextInt(recorded.size()));
                    table.remove(gone);
                    model.remove(gone.base);
                }
                if (step % 97 == 0) {
                    assertAgrees(table, model, spacing);
                }
            }
            assertAgrees(table, model, spacing);
            for (Chunk mapping : recorded) {
                table.remove(mapping);
            }
            assertThat(table.size()).isZero();
            assertThat(table.get(spacing)).isNull();
        }
    }

    @Test
    void removingAnUnrecordedMappingChangesNothing() {
        LargeBases table = new LargeBases();
        Chunk kept = mappingAt(1L << 20);
        table.put(kept);
        table.remove(mappingAt(2L << 20));
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.get(kept.base)).isSameAs(kept);
    }

    private static void assertAgrees(LargeBases table, Map<Long, Chunk> model, long spacing) {
        assertThat(table.size()).isEqualTo(model.size());
        for (int i = 0; i <= 5_001; i++) {
            long base = spacing * i;
            assertThat(table.get(base)).as("mapping at 0x%x", base).isSameAs(model.get(base));
        }
    }

    /** A large mapping's chunk at {@code base}: the table reads its base only (a zero-length segment there). */
    private static Chunk mappingAt(long base) {
        return new Chunk(MemorySegment.ofAddress(base), SizeClass.RAW, null, 1);
    }
}
