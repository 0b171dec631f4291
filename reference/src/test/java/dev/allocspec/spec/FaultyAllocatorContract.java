package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;

/**
 * The contract run against the reference allocator with one planted fault. Not run by surefire on its own (the name
 * ends in neither Test nor Properties): {@link ContractTeethTest} launches it once per fault.
 */
class FaultyAllocatorContract extends BlockAllocatorContract {

    static volatile PlantedFault fault;

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return FaultyAllocator.around(fault, policy, memory, purgePolicy);
    }
}
