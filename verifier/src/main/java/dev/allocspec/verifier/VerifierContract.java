package dev.allocspec.verifier;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.BlockAllocatorContract;
import dev.allocspec.spec.ChunkPolicy;

/** The contract tests, run by the verifier against the factory it was given. */
class VerifierContract extends BlockAllocatorContract {

    /** Set by the verifier before each launch. */
    static volatile AllocatorFactory factory;

    @Override
    protected BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        return factory.create(policy, memory);
    }
}
