package dev.allocspec.verifier;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;

/** The contract tests, run by the verifier against the factory it was given. */
class VerifierContract extends BlockAllocatorContract {

    /** Set by the verifier before each launch. */
    static volatile AllocatorFactory factory;

    /** The default purge policy through the two-argument factory method, which every factory has. */
    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        return purgePolicy.equals(PurgePolicy.DEFAULT) ? factory.create(policy, memory)
                : factory.create(policy, memory, purgePolicy);
    }
}
