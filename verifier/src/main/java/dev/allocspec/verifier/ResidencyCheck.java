package dev.allocspec.verifier;

import dev.allocspec.os.OsMemory;
import dev.allocspec.os.Residency;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Purged memory leaves the process on the machine the verifier runs on (INV-PURGED-ZERO): a peak of large blocks,
 * every page written, is freed and purged, and {@code mincore(2)} must find the mappings resident before the purge
 * and not after it. The purge policy purges on {@code purge()} alone, so the figures are the allocator's and the
 * system's, not the clock's.
 */
final class ResidencyCheck {

    /** The check's catalogue name: what its finding stands for. */
    static final String COVERS = "dev.allocspec.impl.PurgeResidencyTest#aFreedPeakIsNotResidentAfterPurge";

    private static final long MIB = 1L << 20;
    private static final int BLOCKS = 32;

    private ResidencyCheck() {
    }

    /**
     * Runs the check.
     *
     * @return what was measured, e.g. "resident before purge() 32 MiB, after 0 MiB of a 32 MiB peak (mincore)"
     * @throws AssertionError naming INV-PURGED-ZERO if the peak stays resident or was never resident
     */
    static String run(AllocatorFactory factory) {
        if (!Residency.isAvailable()) {
            return "not measured: mincore is not available on " + System.getProperty("os.name");
        }
        long page = OsMemory.system().pageSize();
        PurgePolicy onDemand = new PurgePolicy(1L << 40, Long.MAX_VALUE, 62, Duration.ofDays(1), new ManualClock());
        try (BlockAllocator allocator = factory.create(ChunkPolicy.DEFAULT, OsMemory.system(), onDemand)) {
            List<MemorySegment> peak = new ArrayList<>();
            for (int i = 0; i < BLOCKS; i++) {
                MemorySegment block = allocator.allocate(MIB);
                for (long offset = 0; offset < MIB; offset += page) {
                    block.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
                }
                peak.add(block);
            }
            Set<Long> bases = peak.stream().map(MemorySegment::address).collect(Collectors.toSet());
            peak.forEach(allocator::free);
            long before = resident(allocator, bases, page);
            allocator.purge();
            long after = resident(allocator, bases, page);
            long total = BLOCKS * MIB;
            String measured = "resident before purge() " + before / MIB + " MiB, after " + after / MIB + " MiB ("
                    + after + " bytes) of a " + total / MIB + " MiB peak (mincore, page " + page + ")";
            if (before < total * 9 / 10 || after > total / 10) {
                throw new AssertionError("INV-PURGED-ZERO violated: " + measured);
            }
            return measured;
        }
    }

    private static long resident(BlockAllocator allocator, Set<Long> bases, long page) {
        return allocator.arenas().stream().filter(a -> bases.contains(a.address()))
                .mapToLong(a -> Residency.residentBytes(a, page)).sum();
    }
}
