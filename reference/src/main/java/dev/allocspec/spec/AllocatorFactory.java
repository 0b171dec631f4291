package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;

/**
 * Makes allocators under test: how the verifier, the contract tests and the properties get a fresh instance of an
 * implementation. A porting team's own implementation is validated by naming a class that implements this interface
 * (public, with a public no-arg constructor, or an enum constant) to the verifier's {@code --impl} option.
 */
@FunctionalInterface
public interface AllocatorFactory {

    /**
     * A fresh allocator that grows by {@code policy} and takes its memory from {@code memory}. Both must be honoured:
     * refinement compares block positions with the reference under the same policy, and the contract makes the memory
     * source refuse on cue.
     */
    BlockAllocator create(ChunkPolicy policy, MemorySource memory);
}
