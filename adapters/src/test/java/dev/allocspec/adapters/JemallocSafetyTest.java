package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;
import org.junit.jupiter.api.BeforeAll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The safety profile's contract on the {@link Adapters#JEMALLOC} adapter. */
class JemallocSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @BeforeAll
    static void onlyWhereJemallocLoads() {
        assumeTrue(Adapters.JEMALLOC.unavailableReason().isEmpty(),
                () -> Adapters.JEMALLOC.unavailableReason().orElseThrow());
    }

    @Override
    protected OffHeapAllocator newAllocator() {
        return Adapters.JEMALLOC.create();
    }
}
