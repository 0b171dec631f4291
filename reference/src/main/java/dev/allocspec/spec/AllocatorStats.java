package dev.allocspec.spec;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of an allocator's counts. Two snapshots taken around a rejected call are equal: bad input leaves the
 * state unchanged. Under concurrency a snapshot is exact only when no operation is in flight.
 *
 * @param pools          one entry per pooled class, in {@link SizeClass#pooled()} order
 * @param rawBlocksLive  large (raw) blocks handed out and not yet freed
 * @param rawBytesLive   bytes of the mappings of those blocks (page-rounded)
 * @param chunksObtained pooled chunks obtained from the system so far
 * @param retainedBytes  bytes of free large mappings kept mapped for reuse (dirty or purged; see {@link PurgePolicy})
 * @param dirtyBytes     the part of {@code retainedBytes} not purged since it was freed: memory that may still be
 *                       resident
 * @param purgedBytes    bytes given back to the system by purges so far: large mappings and pooled blocks (the
 *                       pooled classes' purged free blocks now are in {@link ClassStats#purged})
 */
public record AllocatorStats(List<ClassStats> pools, long rawBlocksLive, long rawBytesLive, long chunksObtained,
                             long retainedBytes, long dirtyBytes, long purgedBytes) {

    /** Copies {@code pools} and checks it has one entry per pooled class, in order. */
    public AllocatorStats {
        pools = List.copyOf(pools);
        if (pools.size() != SizeClass.pooled().size()) {
            throw new IllegalArgumentException("one ClassStats per pooled class expected, got " + pools.size());
        }
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).sizeClass() != SizeClass.pooled().get(i)) {
                throw new IllegalArgumentException("pools out of order at " + i + ": " + pools.get(i));
            }
        }
        if (dirtyBytes < 0 || dirtyBytes > retainedBytes) {
            throw new IllegalArgumentException("dirty bytes " + dirtyBytes + " outside 0 to the retained "
                    + retainedBytes);
        }
    }

    /** Counts of an allocator that retains nothing: no cached mappings, nothing purged. */
    public AllocatorStats(List<ClassStats> pools, long rawBlocksLive, long rawBytesLive, long chunksObtained) {
        this(pools, rawBlocksLive, rawBytesLive, chunksObtained, 0, 0, 0);
    }

    /** The counts of one pooled class. */
    public ClassStats pool(SizeClass sizeClass) {
        Objects.requireNonNull(sizeClass, "sizeClass");
        int index = SizeClass.pooled().indexOf(sizeClass);
        if (index < 0) {
            throw new IllegalArgumentException("not a pooled class: " + sizeClass);
        }
        return pools.get(index);
    }

    /** Live blocks over all pooled classes and raw. */
    public long liveBlocks() {
        return pools.stream().mapToLong(ClassStats::live).sum() + rawBlocksLive;
    }
}
