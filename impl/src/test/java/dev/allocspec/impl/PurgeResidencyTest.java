package dev.allocspec.impl;

import dev.allocspec.os.OsMemory;
import dev.allocspec.os.Residency;
import dev.allocspec.spec.NanoClock;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Purged memory really leaves the process: the residency of the allocator's mappings, read with {@code mincore(2)},
 * before and after a freed peak is purged (INV-PURGED-ZERO), by {@code purge()} and by the decay thread of an idle
 * allocator (INV-DECAY). Linux only: elsewhere the memory source's purge writes zeros and residency cannot be read.
 */
class PurgeResidencyTest {

    private static final long MIB = 1L << 20;
    private static final long PAGE = OsMemory.system().pageSize();
    /** 32 blocks of 1 MiB: a peak far above what a page or two of bookkeeping could hide. */
    private static final int BLOCKS = 32;

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Residency.isAvailable(), "mincore is not available here");
    }

    @Test
    void aFreedPeakIsNotResidentAfterPurge() {
        PurgePolicy onlyOnDemand = PurgePolicy.DEFAULT.withDirtyBound(Long.MAX_VALUE, 62)
                .withDecayDelay(Duration.ofDays(1));
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().purgePolicy(onlyOnDemand)
                .decayThread(false).build()) {
            List<MemorySegment> peak = touchedPeak(allocator);
            peak.forEach(allocator::free);
            long peakBytes = BLOCKS * MIB;
            assertThat(resident(allocator)).as("freed but not purged: still resident").isGreaterThanOrEqualTo(
                    peakBytes * 9 / 10);
            assertThat(allocator.stats().dirtyBytes()).isEqualTo(peakBytes);

            allocator.purge();
            assertThat(allocator.stats().dirtyBytes()).isZero();
            assertThat(allocator.stats().retainedBytes()).as("purged, still mapped").isEqualTo(peakBytes);
            assertThat(resident(allocator)).as("resident after purge()").isLessThan(peakBytes / 100);
        }
    }

    @Test
    void freedPooledPagesAreNotResidentAfterPurge() {
        PurgePolicy onlyOnDemand = PurgePolicy.DEFAULT.withDecayDelay(Duration.ofDays(1));
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().purgePolicy(onlyOnDemand)
                .decayThread(false).build()) {
            List<MemorySegment> peak = new ArrayList<>();
            for (int i = 0; i < 2048; i++) { // 32 MiB of 16 KiB blocks: eight chunks of the default policy
                MemorySegment block = allocator.allocate(16_384);
                for (long offset = 0; offset < block.byteSize(); offset += PAGE) {
                    block.set(ValueLayout.JAVA_LONG, offset, offset + 1);
                }
                peak.add(block);
            }
            peak.forEach(allocator::free);
            long peakBytes = 2048L * 16_384;
            long before = pooledResident(allocator);
            assertThat(before).as("freed, not purged").isGreaterThanOrEqualTo(peakBytes * 9 / 10);
            allocator.purge();
            assertThat(allocator.stats().pool(SizeClass.B16K).purged()).isEqualTo(2048);
            assertThat(pooledResident(allocator)).as("resident after purge()").isLessThan(peakBytes / 100);
            MemorySegment again = allocator.allocate(16_384);
            assertThat(again.address()).as("LIFO across the purge").isEqualTo(peak.getLast().address());
        }
    }

    /** Resident bytes of the 16 KiB class's chunks. */
    private static long pooledResident(LockFreeBlockAllocator allocator) {
        long chunk = allocator.policy().chunkBytes(SizeClass.B16K);
        return allocator.arenas().stream().filter(a -> a.byteSize() == chunk)
                .mapToLong(a -> Residency.residentBytes(a, PAGE)).sum();
    }

    @Test
    void theDecayThreadGivesAnIdleBurstBack() throws InterruptedException {
        Duration delay = Duration.ofMillis(300);
        PurgePolicy decaying = new PurgePolicy(1L << 30, Long.MAX_VALUE, 62, delay, NanoClock.SYSTEM);
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().purgePolicy(decaying).build()) {
            List<MemorySegment> peak = touchedPeak(allocator);
            peak.forEach(allocator::free);
            long peakBytes = BLOCKS * MIB;
            // No call is made from here on: only the decay thread can purge. Generous deadline: a loaded CI machine.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (allocator.stats().dirtyBytes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(allocator.stats().dirtyBytes()).as("dirty bytes after the decay delay, no calls made").isZero();
            assertThat(allocator.stats().purgedBytes()).isEqualTo(peakBytes);
            assertThat(resident(allocator)).as("resident after decay").isLessThan(peakBytes / 100);
        }
    }

    @Test
    void withoutTheDecayThreadAnIdleAllocatorKeepsItsDirtyPages() throws InterruptedException {
        PurgePolicy decaying = new PurgePolicy(1L << 30, Long.MAX_VALUE, 62, Duration.ofMillis(20),
                NanoClock.SYSTEM);
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().purgePolicy(decaying)
                .decayThread(false).build()) {
            allocator.free(allocator.allocate(MIB));
            Thread.sleep(200);
            assertThat(allocator.stats().dirtyBytes()).as("no purge point, no thread: nothing purged").isEqualTo(MIB);
            allocator.free(allocator.allocate(2 * MIB)); // a purge point: the 1 MiB mapping has decayed
            assertThat(allocator.stats().purgedBytes()).isEqualTo(MIB);
        }
    }

    @Test
    void decayTicksAreATwentiethOfTheDelayBetween10And500Milliseconds() {
        assertThat(DecayThread.interval(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(500));
        assertThat(DecayThread.interval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(100));
        assertThat(DecayThread.interval(Duration.ZERO)).isEqualTo(Duration.ofMillis(10));
        assertThat(DecayThread.interval(Duration.ofHours(1))).isEqualTo(Duration.ofMillis(500));
    }

    /** {@link #BLOCKS} large blocks of 1 MiB, every page written. */
    private static List<MemorySegment> touchedPeak(LockFreeBlockAllocator allocator) {
        List<MemorySegment> peak = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            MemorySegment block = allocator.allocate(MIB);
            for (long offset = 0; offset < block.byteSize(); offset += PAGE) {
                block.set(ValueLayout.JAVA_LONG, offset, offset + 1);
            }
            peak.add(block);
        }
        return peak;
    }

    /** Resident bytes of every large mapping the allocator holds (its arenas of 1 MiB). */
    private static long resident(LockFreeBlockAllocator allocator) {
        return allocator.arenas().stream().filter(a -> a.byteSize() == MIB)
                .mapToLong(a -> Residency.residentBytes(a, PAGE)).sum();
    }
}
