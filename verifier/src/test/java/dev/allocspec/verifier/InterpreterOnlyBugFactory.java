package dev.allocspec.verifier;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.MemorySource;
import dev.allocspec.properties.controls.NegativeControl;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;

/**
 * An implementation with a bug that only one JVM configuration shows, as a JIT-dependent ordering bug would: the
 * lock-free allocator, except that in an interpreted-only JVM a request of exactly a class's block size goes to the
 * next class. Only the verifier's JVM-configuration matrix can catch it.
 */
public final class InterpreterOnlyBugFactory implements AllocatorFactory {

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return create(policy, memory, PurgePolicy.DEFAULT);
    }

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return NegativeControl.CLASS_BOUNDARY_OFF_BY_ONE.create(policy, memory, purgePolicy);
        }
        return LockFreeBlockAllocator.builder().policy(policy).memory(memory).purgePolicy(purgePolicy)
                .decayThread(false).build();
    }
}
