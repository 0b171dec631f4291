package dev.allocspec.spec;

/**
 * The counts of one pooled class. The conservation law {@code carved == live + free} holds in every quiescent state
 * (invariant {@code INV-CONSERVATION}).
 *
 * @param sizeClass the class
 * @param carved    blocks carved from chunks of this class so far (chunks are never given back while open)
 * @param live      blocks handed out and not yet freed
 * @param free      free blocks: on the free stack (and in thread caches), or purged
 * @param purged    of the free blocks, those purged since they were freed (see {@link PurgePolicy}): they lie below
 *                  the free stack and read zeros; 0 in classes that are not purged
 */
public record ClassStats(SizeClass sizeClass, long carved, long live, long free, long purged) {

    /** Counts of a class with no purged blocks. */
    public ClassStats(SizeClass sizeClass, long carved, long live, long free) {
        this(sizeClass, carved, live, free, 0);
    }
}
