package dev.allocspec.benchmarks;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;

/** The allocators a benchmark can select by name through {@code @Param}. */
public enum AllocatorFactory {
    /** The lock-free allocator on the hardware 128-bit CAS. */
    LOCKFREE_NATIVE_CAS128 {
        @Override
        BlockAllocator create() {
            return LockFreeBlockAllocator.create(CasStrategy.NATIVE_CAS128);
        }
    },
    /** The lock-free allocator's locked fallback. */
    LOCKFREE_LOCKED {
        @Override
        BlockAllocator create() {
            return LockFreeBlockAllocator.create(CasStrategy.LOCKED);
        }
    },
    /** The reference allocator (one lock, Java collections). */
    REFERENCE {
        @Override
        BlockAllocator create() {
            return new ReferenceAllocator();
        }
    };

    abstract BlockAllocator create();
}
