package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;

import java.util.Optional;

/**
 * Makes the allocators the {@linkplain Profile#SAFETY safety profile} checks. Name a class implementing it (public, with
 * a public no-arg constructor, or an enum constant) to the verifier's {@code --impl} option; a family allocator's
 * {@link AllocatorFactory} is accepted there as well.
 */
@FunctionalInterface
public interface OffHeapAllocatorFactory {

    /** A fresh allocator. */
    OffHeapAllocator create();

    /**
     * Optional: a fresh allocator that takes its memory from {@code memory}, so that the checks can make the system
     * refuse on cue. Empty (the default) when the allocator gets its memory elsewhere; the checks of recovery from a
     * refusal then run with a request too large for any system only.
     */
    default Optional<OffHeapAllocator> create(MemorySource memory) {
        return Optional.empty();
    }

    /**
     * Why this allocator cannot be made here (a native library that is absent, say), or empty when it can. The
     * verifier then reports the reason instead of a verdict.
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
