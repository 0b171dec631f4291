package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;

/** The safety profile's contract on the {@link Adapters#NETTY_POOLED} adapter. */
class NettyPooledSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @Override
    protected OffHeapAllocator newAllocator() {
        return Adapters.NETTY_POOLED.create();
    }
}
