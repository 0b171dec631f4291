package dev.allocspec.verifier;

import dev.allocspec.os.MemorySource;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;
import dev.allocspec.spec.OffHeapAllocatorFactory;

import java.util.Optional;

/** The safety profile's contract tests, run by the verifier against the factory it was given. */
class VerifierSafetyContract extends OffHeapAllocatorContract<OffHeapAllocator> {

    /** Set by the verifier before each launch. */
    static volatile OffHeapAllocatorFactory factory;

    @Override
    protected OffHeapAllocator newAllocator() {
        return factory.create();
    }

    @Override
    protected Optional<OffHeapAllocator> newAllocator(MemorySource memory) {
        return factory.create(memory);
    }
}
