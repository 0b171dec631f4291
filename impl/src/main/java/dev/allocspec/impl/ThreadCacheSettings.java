package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;

import java.util.Collections;
import java.util.List;

/**
 * The thresholds of the thread caches: how many free blocks a bin keeps per class, how many a refill takes from the
 * shared stack and a flush of a full bin gives back, and how many cache operations pass between two low-water passes
 * (jemalloc's tcache GC). The defaults suit a long-running service; small values make every path reachable in a few
 * dozen operations, which is what tests and the verifier use them for.
 *
 * @param capacities       per pooled class, smallest first: the most blocks a bin holds (at least 1)
 * @param batches          per pooled class: blocks a refill takes and a full bin's flush gives back (1 to capacity)
 * @param lowWaterInterval cache operations of one thread between two low-water passes (at least 1)
 */
public record ThreadCacheSettings(List<Integer> capacities, List<Integer> batches, int lowWaterInterval) {

    /**
     * The defaults: 64 blocks for the 64 B to 1 KiB classes, 32 for 4 KiB and 16 for 16 KiB (a thread pins at most
     * about 1.4 MiB), batches of half a bin, a low-water pass every 8,192 operations.
     */
    public static final ThreadCacheSettings DEFAULT = new ThreadCacheSettings(List.of(64, 64, 64, 32, 16),
            List.of(32, 32, 32, 16, 8), 8192);

    /**
     * @throws IllegalArgumentException naming the setting, if a list does not have one entry per pooled class, a
     *                                  capacity or interval is below 1, or a batch is outside 1..capacity
     */
    public ThreadCacheSettings {
        int classes = SizeClass.pooled().size();
        if (capacities == null || batches == null || capacities.size() != classes || batches.size() != classes) {
            throw new IllegalArgumentException("capacities and batches need one entry per pooled class (" + classes
                    + "): " + capacities + ", " + batches);
        }
        capacities = List.copyOf(capacities);
        batches = List.copyOf(batches);
        for (int i = 0; i < classes; i++) {
            if (capacities.get(i) < 1) {
                throw new IllegalArgumentException("bin capacity of class " + SizeClass.pooled().get(i).blockSize()
                        + " must be at least 1: " + capacities.get(i));
            }
            if (batches.get(i) < 1 || batches.get(i) > capacities.get(i)) {
                throw new IllegalArgumentException("batch of class " + SizeClass.pooled().get(i).blockSize()
                        + " must be 1 to its capacity " + capacities.get(i) + ": " + batches.get(i));
            }
        }
        if (lowWaterInterval < 1) {
            throw new IllegalArgumentException("low-water interval must be at least 1 operation: "
                    + lowWaterInterval);
        }
    }

    /**
     * The same capacity and batch for every class.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static ThreadCacheSettings of(int capacity, int batch, int lowWaterInterval) {
        int classes = SizeClass.pooled().size();
        return new ThreadCacheSettings(Collections.nCopies(classes, capacity),
                Collections.nCopies(classes, batch), lowWaterInterval);
    }

    int capacity(int classIndex) {
        return capacities.get(classIndex);
    }

    int batch(int classIndex) {
        return batches.get(classIndex);
    }
}
