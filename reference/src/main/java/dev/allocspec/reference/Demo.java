package dev.allocspec.reference;

import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.ClassStats;
import dev.allocspec.spec.InvariantViolation;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A short demonstration of the reference allocator: allocate blocks of every class and one raw block, write into
 * them, free half, then print the stats and the result of the invariant check. Exit code 0 when the invariants hold.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Runs the demonstration.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("allocspec reference allocator demo (memory: " + OsMemory.system().description()
                + ", page size " + OsMemory.system().pageSize() + ")");
        try (ReferenceAllocator allocator = new ReferenceAllocator()) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (long size : new long[] {0, 40, 200, 1000, 4000, 16000, 100_000}) {
                MemorySegment block = allocator.allocate(size);
                block.fill((byte) 0x5A);
                blocks.add(block);
                System.out.printf("allocate %7d -> 0x%x%n", size, block.address());
            }
            List<MemorySegment> kept = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                if (i % 2 == 0) {
                    allocator.free(blocks.get(i));
                    System.out.printf("free       0x%x%n", blocks.get(i).address());
                } else {
                    kept.add(blocks.get(i));
                }
            }
            boolean intact = kept.stream().allMatch(b -> isFilledWith(b, (byte) 0x5A));
            print(allocator.stats());
            System.out.println("arenas: " + allocator.arenas().size());
            System.out.println("bytes of live blocks intact: " + intact);
            try {
                allocator.checkInvariants();
                System.out.println("invariants: all hold");
            } catch (InvariantViolation violation) {
                System.out.println("invariants: " + violation.getMessage());
                System.exit(1);
            }
            if (!intact) {
                System.exit(1);
            }
        }
    }

    private static boolean isFilledWith(MemorySegment block, byte value) {
        for (long i = 0; i < block.byteSize(); i++) {
            if (block.get(ValueLayout.JAVA_BYTE, i) != value) {
                return false;
            }
        }
        return true;
    }

    private static void print(AllocatorStats stats) {
        System.out.println("class   carved  live  free");
        for (ClassStats pool : stats.pools()) {
            System.out.printf("%5s %8d %5d %5d%n", pool.sizeClass(), pool.carved(), pool.live(), pool.free());
        }
        System.out.printf("raw blocks live %d (%d bytes), chunks obtained %d%n", stats.rawBlocksLive(),
                stats.rawBytesLive(), stats.chunksObtained());
    }
}
