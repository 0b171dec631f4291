package dev.allocspec.verifier;

import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorFactory;
import dev.allocspec.spec.Profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the optional parts of {@link OffHeapAllocator} and {@link OffHeapAllocatorFactory} give the checks, found by
 * asking an allocator of the factory, and the report's notes on the checks that are weaker without them.
 */
final class Capabilities {

    private Capabilities() {
    }

    /** The report's notes for an allocator of {@code factory} verified in {@code profile}; none for the family. */
    static List<String> notes(OffHeapAllocatorFactory factory, Profile profile) {
        if (profile == Profile.FAMILY) {
            return List.of(); // a family allocator has stats and takes a memory source
        }
        List<String> notes = new ArrayList<>();
        if (!countsLiveBlocks(factory)) {
            notes.add("INV-NOTHING-LOST: the allocator keeps no count of live blocks (OffHeapAllocator.liveBlocks), "
                    + "so a lost free is seen only as freed memory that does not come back (the reuse checks)");
        }
        if (!takesAMemorySource(factory)) {
            notes.add("INV-OOM-RECOVERABLE: the allocator takes no memory source (OffHeapAllocatorFactory.create("
                    + "MemorySource)), so recovery from a refusal is checked with requests no system can serve only");
        }
        return notes;
    }

    private static boolean countsLiveBlocks(OffHeapAllocatorFactory factory) {
        try (OffHeapAllocator probe = factory.create()) {
            return probe.liveBlocks().isPresent();
        } catch (RuntimeException e) {
            return false; // the checks will say what is wrong with it
        }
    }

    private static boolean takesAMemorySource(OffHeapAllocatorFactory factory) {
        try {
            Optional<OffHeapAllocator> fed = factory.create(OsMemory.system());
            fed.ifPresent(OffHeapAllocator::close);
            return fed.isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
