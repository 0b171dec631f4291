package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;

/** The safety profile's contract on the {@link Adapters#GLIBC} adapter. */
class GlibcSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @Override
    protected OffHeapAllocator newAllocator() {
        return Adapters.GLIBC.create();
    }
}
