package dev.allocspec.properties.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated concurrent scenario: a sequential prefix, then two to four threads each running its own list of
 * operations on one allocator at once (a shrunk one may have fewer threads, or none).
 *
 * @param prefix  operations run by one thread before the others start
 * @param threads one operation list per thread
 */
public record Scenario(List<Op> prefix, List<List<Op>> threads) {

    /** One operation of a thread. */
    public sealed interface Op permits Alloc, FreeOldest, FreeNewest, HandOff, FreeHandedOff {
    }

    /** Allocate {@code size} bytes and keep the block. */
    public record Alloc(long size) implements Op {
        @Override
        public String toString() {
            return "alloc " + size;
        }
    }

    /** Free the oldest block this thread holds. */
    public record FreeOldest() implements Op {
        @Override
        public String toString() {
            return "free oldest";
        }
    }

    /** Free the newest block this thread holds. */
    public record FreeNewest() implements Op {
        @Override
        public String toString() {
            return "free newest";
        }
    }

    /** Hand the newest block this thread holds to the shared queue, for another thread to free. */
    public record HandOff() implements Op {
        @Override
        public String toString() {
            return "hand off";
        }
    }

    /** Free a block another thread handed off. */
    public record FreeHandedOff() implements Op {
        @Override
        public String toString() {
            return "free handed-off";
        }
    }

    private static final long[] SIZES = {16, 64, 64, 64, 100, 256, 1024, 4096, 16_384, 20_000};

    /** A random scenario; sizes lean on the 64-byte class so threads meet on one free stack. */
    public static Scenario generate(SplittableRandom random, int maxOpsPerThread) {
        List<Op> prefix = new ArrayList<>();
        for (int i = random.nextInt(8); i > 0; i--) {
            prefix.add(new Alloc(SIZES[random.nextInt(SIZES.length)]));
        }
        List<List<Op>> threads = new ArrayList<>();
        for (int t = 2 + random.nextInt(3); t > 0; t--) {
            List<Op> ops = new ArrayList<>();
            for (int i = 1 + random.nextInt(maxOpsPerThread); i > 0; i--) {
                ops.add(switch (random.nextInt(6)) {
                    case 0, 1 -> new Alloc(SIZES[random.nextInt(SIZES.length)]);
                    case 2 -> new FreeOldest();
                    case 3 -> new FreeNewest();
                    case 4 -> new HandOff();
                    default -> new FreeHandedOff();
                });
            }
            threads.add(ops);
        }
        return new Scenario(prefix, threads);
    }

    /** List {@code index}: 0 is the prefix, {@code t + 1} thread {@code t}'s operations. */
    public List<Op> list(int index) {
        return index == 0 ? prefix : threads.get(index - 1);
    }

    /** This scenario without thread {@code t}. */
    public Scenario withoutThread(int t) {
        List<List<Op>> rest = new ArrayList<>(threads);
        rest.remove(t);
        return new Scenario(prefix, List.copyOf(rest));
    }

    /** This scenario with thread {@code t}'s operations run sequentially, after the prefix, by the main thread. */
    public Scenario withThreadInPrefix(int t) {
        List<Op> longer = new ArrayList<>(prefix);
        longer.addAll(threads.get(t));
        return new Scenario(List.copyOf(longer), withoutThread(t).threads());
    }

    /** This scenario with {@code count} operations from {@code start} deleted from list {@code index}. */
    public Scenario withoutOps(int index, int start, int count) {
        List<Op> ops = list(index);
        List<Op> shorter = new ArrayList<>(ops.subList(0, start));
        shorter.addAll(ops.subList(start + count, ops.size()));
        if (index == 0) {
            return new Scenario(List.copyOf(shorter), threads);
        }
        List<List<Op>> lists = new ArrayList<>(threads);
        lists.set(index - 1, List.copyOf(shorter));
        return new Scenario(prefix, List.copyOf(lists));
    }

    /** Operations in all. */
    public int size() {
        return prefix.size() + threads.stream().mapToInt(List::size).sum();
    }

    /** The scenario as readable lines. */
    public String describe() {
        StringBuilder text = new StringBuilder("  prefix: ").append(prefix).append('\n');
        for (int t = 0; t < threads.size(); t++) {
            text.append("  thread ").append(t + 1).append(": ").append(threads.get(t)).append('\n');
        }
        return text.toString();
    }
}
