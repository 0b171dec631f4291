package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;

/** The safety profile's contract on the {@link Adapters#ARENA_PER_BLOCK} adapter. */
class ArenaPerBlockSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @Override
    protected OffHeapAllocator newAllocator() {
        return Adapters.ARENA_PER_BLOCK.create();
    }
}
