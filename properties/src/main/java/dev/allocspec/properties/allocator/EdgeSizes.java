package dev.allocspec.properties.allocator;

import dev.allocspec.spec.SizeClass;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/** Request sizes and alignments that favour edge cases: every class boundary -1/0/+1, zero, raw, and bad input. */
final class EdgeSizes {

    /** Sizes at and around every class boundary, zero, raw, and the bad ones. */
    static final long[] EDGES = {0, 1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 16_383, 16_384,
        16_385, 65_536, -1, SizeClass.MAX_REQUEST + 1};

    private EdgeSizes() {
    }

    static long size(SplittableRandom random) {
        int pick = random.nextInt(10);
        if (pick < 6) {
            return EDGES[random.nextInt(EDGES.length)];
        }
        return pick < 9 ? random.nextLong(0, 4097) : random.nextLong(4097, 40_000);
    }

    /**
     * A large request of 5 to 14 pages (4 KiB pages), mostly whole pages or one byte past: sizes that fit, miss and
     * just fit each other's cached mappings under the reuse rule (a quarter more at most).
     */
    static long largeSize(SplittableRandom random) {
        long pages = 5 + random.nextInt(10);
        return switch (random.nextInt(3)) {
            case 0 -> pages * 4096;
            case 1 -> pages * 4096 + 1;
            default -> random.nextLong(16_385, 14 * 4096);
        };
    }

    static long alignment(SplittableRandom random) {
        int pick = random.nextInt(12);
        if (pick < 8) {
            return 1;
        }
        if (pick < 11) {
            return 1L << random.nextInt(14); // up to 8192: above the page size is bad input
        }
        return 3; // not a power of two
    }

    /**
     * Simpler requests to try while shrinking an allocation of {@code size} bytes aligned to {@code alignment}:
     * alignment 1 first, then each simpler size, each made by {@code request}.
     */
    static <A> List<A> simplerRequests(long size, long alignment, BiFunction<Long, Long, A> request) {
        List<A> simpler = new ArrayList<>();
        if (alignment != 1) {
            simpler.add(request.apply(size, 1L));
        }
        for (long smaller : simpler(size)) {
            simpler.add(request.apply(smaller, alignment));
        }
        return simpler;
    }

    /** Simpler sizes to try while shrinking, simplest first: zero, then the class boundaries below {@code size}. */
    static List<Long> simpler(long size) {
        List<Long> candidates = new ArrayList<>();
        if (size < 0) {
            if (size != -1) {
                candidates.add(-1L);
            }
            return candidates;
        }
        for (long edge : new long[] {0, 1, 64, 65, 256, 257, 1024, 1025, 4096, 4097, 16_384, 16_385}) {
            if (edge < size) {
                candidates.add(edge);
            }
        }
        return candidates;
    }
}
