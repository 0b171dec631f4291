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

    /**
     * A fresh allocator as {@link #create(ChunkPolicy, MemorySource)} makes, that also honours {@code purgePolicy}
     * exactly, its clock included: the family's checks of the large-block cache and of purge drive time with a
     * {@link ManualClock} and expect purges at the purge points the policy names and nowhere else.
     *
     * @throws UnsupportedOperationException by default, naming this method: a factory that does not implement it
     *                                       cannot be checked against the purge rules, and those checks fail
     */
    default BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        throw new UnsupportedOperationException(getClass().getName() + " takes no PurgePolicy: implement "
                + "AllocatorFactory.create(ChunkPolicy, MemorySource, PurgePolicy) so that the large-block cache and "
                + "the purge rules can be checked");
    }
}
