package dev.allocspec.benchmarks.report;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.os.Residency;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resident memory of the lock-free allocator's mappings over time, read with {@code mincore(2)}, around a burst: 1 GiB
 * allocated in a mix of pooled and large blocks, every page written, then all of it freed, and the allocator left
 * idle (its default {@link PurgePolicy} and decay thread). Writes {@code burst-residency.csv} and
 * {@code burst-residency.png} into the folder given and prints a summary. Linux only.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.allocspec.benchmarks.report.BurstResidency OUT_DIR [pooledShare]}: {@code pooledShare} (0 to 1, default 0.5) is
 * the part of the burst's bytes in 4 KiB and 16 KiB pooled blocks; the rest is large blocks of 64 KiB to 4 MiB.
 */
public final class BurstResidency {

    private static final long BURST = 1L << 30;
    private static final long[] LARGE_SIZES = {64L << 10, 256L << 10, 1L << 20, 4L << 20};
    private static final long[] POOLED_SIZES = {4096, 16384};
    private static final long SAMPLE_MILLIS = 250;

    private BurstResidency() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 1 || !Residency.isAvailable()) {
            System.err.println("usage: BurstResidency OUT_DIR [pooledShare] (Linux: needs mincore)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        double pooledShare = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
        Files.createDirectories(out);
        long page = OsMemory.system().pageSize();
        PurgePolicy policy = PurgePolicy.DEFAULT;
        List<double[]> samples = new ArrayList<>(); // seconds, pooled MiB, large MiB
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().purgePolicy(policy).build()) {
            List<MemorySegment> burst = allocate(allocator, pooledShare, page);
            Set<Long> largeBases = burst.stream().filter(b -> b.byteSize() > SizeClass.LARGEST_BLOCK)
                    .map(MemorySegment::address).collect(Collectors.toSet());
            samples.add(sample(allocator, largeBases, page, 0));
            long start = System.nanoTime();
            burst.forEach(allocator::free);
            double freedAfter = (System.nanoTime() - start) / 1e9;
            long end = start + policy.decayDelay().toNanos() + 3_000_000_000L;
            while (System.nanoTime() < end) {
                samples.add(sample(allocator, largeBases, page, (System.nanoTime() - start) / 1e9));
                Thread.sleep(SAMPLE_MILLIS);
            }
            System.out.printf("burst of %d MiB (%.0f %% pooled) freed in %.2f s; decay delay %s%n", BURST >> 20,
                    pooledShare * 100, freedAfter, policy.decayDelay());
        }
        write(out, samples, pooledShare);
    }

    /** The burst: blocks of the pooled and large sizes in turn, each page written, until 1 GiB is live. */
    private static List<MemorySegment> allocate(LockFreeBlockAllocator allocator, double pooledShare, long page) {
        List<MemorySegment> burst = new ArrayList<>();
        long pooled = 0;
        long large = 0;
        long pooledTarget = (long) (BURST * pooledShare);
        for (int i = 0; pooled + large < BURST; i++) {
            boolean takePooled = pooled < pooledTarget && (large >= BURST - pooledTarget || i % 2 == 0);
            long size = takePooled ? POOLED_SIZES[i % POOLED_SIZES.length] : LARGE_SIZES[i % LARGE_SIZES.length];
            MemorySegment block = allocator.allocate(size);
            for (long offset = 0; offset < size; offset += Math.min(page, size)) {
                block.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
            }
            burst.add(block);
            if (takePooled) {
                pooled += size;
            } else {
                large += size;
            }
        }
        return burst;
    }

    /** Resident MiB of the pooled chunks and of the large mappings at {@code seconds} after the frees began. */
    private static double[] sample(LockFreeBlockAllocator allocator, Set<Long> largeBases, long page,
                                   double seconds) {
        long pooled = 0;
        long large = 0;
        for (MemorySegment arena : allocator.arenas()) {
            long resident = Residency.residentBytes(arena, page);
            if (largeBases.contains(arena.address())) {
                large += resident;
            } else {
                pooled += resident;
            }
        }
        return new double[] {seconds, pooled / (double) (1 << 20), large / (double) (1 << 20)};
    }

    private static void write(Path out, List<double[]> samples, double pooledShare) throws IOException {
        StringBuilder csv = new StringBuilder("seconds_after_free,pooled_resident_mib,large_resident_mib\n");
        for (double[] s : samples) {
            csv.append(String.format("%.2f,%.1f,%.1f%n", s[0], s[1], s[2]));
        }
        Files.writeString(out.resolve("burst-residency.csv"), csv);
        XYChart chart = new XYChartBuilder().width(1000).height(480)
                .title(String.format("Resident memory after freeing a 1 GiB burst (%.0f %% pooled), mincore",
                        pooledShare * 100))
                .xAxisTitle("seconds since the frees began (first point: before them)").yAxisTitle("resident MiB")
                .build();
        double[] x = samples.stream().mapToDouble(s -> s[0]).toArray();
        chart.addSeries("large blocks (64 KiB - 4 MiB)", x, samples.stream().mapToDouble(s -> s[2]).toArray());
        chart.addSeries("pooled blocks (4 KiB, 16 KiB)", x, samples.stream().mapToDouble(s -> s[1]).toArray());
        chart.addSeries("total", x, samples.stream().mapToDouble(s -> s[1] + s[2]).toArray());
        BitmapEncoder.saveBitmap(chart, out.resolve("burst-residency.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        double[] last = samples.getLast();
        System.out.printf("resident before the frees: %.0f MiB; at %.1f s: pooled %.0f MiB, large %.0f MiB%n",
                samples.getFirst()[1] + samples.getFirst()[2], last[0], last[1], last[2]);
    }
}
