package dev.allocspec.verifier;

import dev.allocspec.os.MemorySource;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.PurgePolicy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An implementation that crashes the JVM, as an allocator that corrupts its own free lists does: the reference
 * allocator, except that asked for an allocator on a virtual thread it writes to an unmapped address (SIGSEGV). The
 * contract tests run on the main thread and pass; the state-machine property on a virtual thread, a later stage,
 * crashes.
 */
public final class CrashingAllocatorFactory implements AllocatorFactory {

    /** The address written: below every mapping the kernel hands out. */
    private static final long UNMAPPED = 0x40;

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory) {
        if (Thread.currentThread().isVirtual()) {
            crash();
        }
        return new ReferenceAllocator(policy, memory);
    }

    @Override
    public BlockAllocator create(ChunkPolicy policy, MemorySource memory, PurgePolicy purgePolicy) {
        if (Thread.currentThread().isVirtual()) {
            crash();
        }
        return new ReferenceAllocator(policy, memory, purgePolicy);
    }

    @SuppressWarnings("restricted") // the point: a raw write to memory that is not there
    private static void crash() {
        MemorySegment.ofAddress(UNMAPPED).reinterpret(Long.BYTES).set(ValueLayout.JAVA_LONG, 0, 1);
    }
}
