package dev.allocspec.impl;

/**
 * The large mappings by base address, for a large free: an open-addressing table (linear probing, at most half full,
 * removal by shifting the run back) of two flat arrays. Why not the page map: a large free finds its mapping there at
 * the mapping's first granule, and with thousands of mappings a megabyte apart the leaves that hold those granules
 * span as many pages of heap as there are mappings; this table keeps them in a few dense arrays. Guarded by the
 * {@link LargeMappingCache}'s lock, like every other structure of that cache: not thread-safe on its own.
 */
final class LargeBases {

    private static final int MIN_CAPACITY = 64;
    /** A base is page-aligned and never 0, so 0 marks an empty slot. */
    private static final long EMPTY = 0;

    private long[] bases = new long[MIN_CAPACITY];
    private Chunk[] mappings = new Chunk[MIN_CAPACITY];
    private int size;

    /** The mapping whose base is {@code base}, or null. */
    Chunk get(long base) {
        int mask = bases.length - 1;
        for (int i = slotOf(base, mask); bases[i] != EMPTY; i = (i + 1) & mask) {
            if (bases[i] == base) {
                return mappings[i];
            }
        }
        return null;
    }

    /** Records a mapping by its base, which no recorded mapping has. */
    void put(Chunk mapping) {
        if (2 * (size + 1) > bases.length) {
            grow();
        }
        insert(mapping);
        size++;
    }

    /** Forgets a recorded mapping; nothing if it is not recorded. */
    void remove(Chunk mapping) {
        int mask = bases.length - 1;
        int i = slotOf(mapping.base, mask);
        while (bases[i] != mapping.base) {
            if (bases[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move later entries of the run into the hole when their home slot allows it, so
        // that every entry stays reachable from its home slot without tombstones.
        int hole = i;
        for (int j = (i + 1) & mask; bases[j] != EMPTY; j = (j + 1) & mask) {
            int home = slotOf(bases[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                bases[hole] = bases[j];
                mappings[hole] = mappings[j];
                hole = j;
            }
        }
        bases[hole] = EMPTY;
        mappings[hole] = null;
        size--;
    }

    /** Forgets every mapping. */
    void clear() {
        bases = new long[MIN_CAPACITY];
        mappings = new Chunk[MIN_CAPACITY];
        size = 0;
    }

    /** How many mappings are recorded. */
    int size() {
        return size;
    }

    private void insert(Chunk mapping) {
        int mask = bases.length - 1;
        int i = slotOf(mapping.base, mask);
        while (bases[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        bases[i] = mapping.base;
        mappings[i] = mapping;
    }

    private void grow() {
        Chunk[] old = mappings;
        bases = new long[2 * old.length];
        mappings = new Chunk[2 * old.length];
        for (Chunk mapping : old) {
            if (mapping != null) {
                insert(mapping);
            }
        }
    }

    /** The home slot of a base: its page number, mixed (Fibonacci hashing), so that evenly spaced bases spread. */
    private static int slotOf(long base, int mask) {
        return (int) (((base >>> 12) * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
