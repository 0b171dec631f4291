package dev.allocspec.spec;

import dev.allocspec.os.OsMemory;

/**
 * The safety profile run against the reference allocator with one planted fault, seen only as an
 * {@link OffHeapAllocator} that keeps no count of live blocks: what the safety profile sees of an allocator somebody
 * else wrote. Not run by surefire on its own: {@link SafetyTeethTest} launches it once per fault.
 */
class SafetyViewContract extends OffHeapAllocatorContract<OffHeapAllocator> {

    static volatile PlantedFault fault;

    @Override
    protected OffHeapAllocator newAllocator() {
        return new ThreeCallView(FaultyAllocator.around(fault, new ChunkPolicy(4), OsMemory.system(),
                PurgePolicy.DEFAULT));
    }
}
