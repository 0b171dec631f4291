package dev.allocspec.impl;

import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The allocator's surface that its own contract does not reach but other modules rely on: the builder's chaining,
 * the factory and the accessors, the counts the benchmarks read, and the native libraries the reports list. Written
 * for the mutants PIT showed surviving there (docs/mutation).
 */
class AllocatorSurfaceTest {

    @Test
    void theBuilderChainsAndTheAllocatorSaysWhatItWasBuiltWith() {
        LockFreeBlockAllocator.Builder builder = LockFreeBlockAllocator.builder();
        assertThat(builder.freeStacks((c, top, links) -> new FreeStack(top, links))).isSameAs(builder);
        assertThat(builder.cachePathFaultForNegativeControl(CachePathFault.NONE)).isSameAs(builder);
        ChunkPolicy policy = new ChunkPolicy(8);
        try (LockFreeBlockAllocator built = builder.policy(policy).build();
             LockFreeBlockAllocator created = LockFreeBlockAllocator.create()) {
            assertThat(built.policy()).isSameAs(policy);
            assertThat(created.policy()).isSameAs(ChunkPolicy.DEFAULT);
            created.free(created.allocate(64));
        }
    }

    @Test
    void casCountsAddUpEveryStacksCallsAndStayZeroUnlessCountingIsOn() {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().threadCache(false).build()) {
            for (int i = 0; i < 10; i++) {
                allocator.free(allocator.allocate(64));
                allocator.free(allocator.allocate(300));
            }
            long[] counts = allocator.casCounts();
            long[] b64 = allocator.pool(SizeClass.B64).stack.casCounts();
            long[] b256 = allocator.pool(SizeClass.B256).stack.casCounts();
            assertThat(counts).hasSize(2);
            assertThat(counts[0]).as("CAS calls").isEqualTo(b64[0] + b256[0]);
            assertThat(counts[1]).as("failed CASes, one thread").isEqualTo(b64[1] + b256[1]).isZero();
            if (FreeStack.COUNT_CAS) {
                assertThat(counts[0]).isGreaterThanOrEqualTo(40);
            } else {
                assertThat(counts[0]).as("counting is off: -Dallocspec.countCas is for the benchmarks").isZero();
            }
        }
    }

    @Test
    void aWrongSizeFreeSaysTheSizeTheBlockWasAllocatedWith() {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.builder().threadCache(false).build()) {
            MemorySegment block = allocator.allocate(100);
            assertThatIllegalArgumentException().isThrownBy(() -> allocator.free(block.asSlice(0, 90)))
                    .withMessageContaining("was allocated with 100 bytes, freed with 90");
            allocator.free(block);
        }
    }

    @Test
    void theJarListsTheLibrariesItCarriesWithTheRunningPlatformsAmongThem() {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
        String platform = Cas128Native.get().platform();
        assertThat(CasStrategy.nativeLibraries()).anyMatch(line -> line.startsWith(platform + " built with "));
        assertThat(Cas128Native.packagedPlatforms()).contains(platform)
                .allMatch(p -> p.startsWith("linux-") && !p.contains(" "));
        assertThat(CasStrategy.NATIVE_CAS128.unavailableReason()).isNull();
        assertThat(CasStrategy.LOCKED.unavailableReason()).isNull();
        assertThat(CasStrategy.LOCKED.isAvailable()).isTrue();
    }
}
