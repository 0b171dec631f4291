package dev.allocspec.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Owner lookup in a few loads: a three-level radix table over 4 KiB granules of the address space (jemalloc's rtree,
 * simplified). Every granule a pooled chunk covers points at the chunk (pooled chunks are unmapped only by
 * {@code close()}, so those entries never go stale); the first granule of a large mapping points at it, where a free
 * of its block looks, and is cleared before the mapping is unmapped ({@link #clearFirst}).
 *
 * <p>A hint, never the last word: {@link ChunkDirectory} checks the bounds of the chunk it gets and asks its skip list
 * when this map has no answer (raw mappings, foreign addresses, addresses above 2^51, or a granule two chunks share
 * when a memory source hands out memory that is not page-aligned).
 *
 * <p>Footprint: the root is an array of 8192 references (32 KiB with compressed oops), and each level-2 node and leaf
 * in use is another; a leaf covers 32 MiB of address space, so an allocator whose chunks lie close together needs one
 * of each, about 100 KiB of heap in all.
 *
 * <p>Memory ordering: a chunk is put here before its blocks are pushed onto a free stack, and every address a free
 * looks up came from a pop of that stack (or from a segment the caller got from it), so the release stores below and
 * the acquire loads in {@link #get} order the entries before every lookup that needs them.
 */
final class PageMap {

    private static final int GRANULE_SHIFT = 12;
    private static final int LEVEL_BITS = 13;
    private static final int LEVEL_SIZE = 1 << LEVEL_BITS;
    private static final int LEVEL_MASK = LEVEL_SIZE - 1;
    /** Granule numbers at or above this are not mapped: addresses from 2^51 on. */
    private static final long GRANULE_LIMIT = 1L << (3 * LEVEL_BITS);

    private static final VarHandle NODES = MethodHandles.arrayElementVarHandle(Object[][].class);
    private static final VarHandle LEAVES = MethodHandles.arrayElementVarHandle(Object[].class);

    /** Level 1: level-2 nodes, each an array of leaves; a leaf holds the chunk of each of its granules. */
    private final Object[][][] root = new Object[LEVEL_SIZE][][];

    /** Points every granule of {@code chunk} at it. Called once per chunk, before its blocks are published. */
    void put(Chunk chunk) {
        for (long granule = chunk.base >>> GRANULE_SHIFT; granule << GRANULE_SHIFT < chunk.end; granule++) {
            if (granule >= GRANULE_LIMIT) {
                return; // the directory's skip list answers for addresses this high
            }
            LEAVES.setRelease(leaf(granule), (int) (granule & LEVEL_MASK), chunk);
        }
    }

    /** Points the first granule of a large mapping at it: all its block's free ever looks up. */
    void putFirst(Chunk mapping) {
        long granule = mapping.base >>> GRANULE_SHIFT;
        if (granule < GRANULE_LIMIT) {
            LEAVES.setRelease(leaf(granule), (int) (granule & LEVEL_MASK), mapping);
        }
    }

    /**
     * Clears the first granule of a large mapping about to be unmapped, if it still points at it: a new mapping the
     * system put at the same address since has replaced it and stays.
     */
    void clearFirst(Chunk mapping) {
        long granule = mapping.base >>> GRANULE_SHIFT;
        if (granule < GRANULE_LIMIT) {
            LEAVES.compareAndSet(leaf(granule), (int) (granule & LEVEL_MASK), mapping, null);
        }
    }

    /** The chunk recorded for the granule of {@code address}, or null; the caller checks its bounds. */
    Chunk get(long address) {
        long granule = address >>> GRANULE_SHIFT;
        if (granule >= GRANULE_LIMIT) {
            return null;
        }
        Object[][] node = (Object[][]) NODES.getAcquire(root, (int) (granule >>> (2 * LEVEL_BITS)));
        if (node == null) {
            return null;
        }
        Object[] leaf = (Object[]) LEAVES.getAcquire(node, (int) (granule >>> LEVEL_BITS) & LEVEL_MASK);
        return leaf == null ? null : (Chunk) LEAVES.getAcquire(leaf, (int) (granule & LEVEL_MASK));
    }

    /** The leaf of {@code granule}, creating the path to it; racing creators agree through CAS. */
    private Object[] leaf(long granule) {
        int top = (int) (granule >>> (2 * LEVEL_BITS));
        Object[][] node = (Object[][]) NODES.getAcquire(root, top);
        if (node == null) {
            NODES.compareAndSet(root, top, null, new Object[LEVEL_SIZE][]);
            node = (Object[][]) NODES.getAcquire(root, top);
        }
        int middle = (int) (granule >>> LEVEL_BITS) & LEVEL_MASK;
        Object[] leaf = (Object[]) LEAVES.getAcquire(node, middle);
        if (leaf == null) {
            LEAVES.compareAndSet(node, middle, null, new Object[LEVEL_SIZE]);
            leaf = (Object[]) LEAVES.getAcquire(node, middle);
        }
        return leaf;
    }
}
