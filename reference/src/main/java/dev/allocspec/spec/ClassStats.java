package dev.allocspec.spec;

/**
 * The counts of one pooled class. The conservation law {@code carved == live + free} holds in every quiescent state
 * (invariant {@code INV-CONSERVATION}).
 *
 * @param sizeClass the class
 * @param carved    blocks carved from chunks of this class so far (chunks are never given back while open)
 * @param live      blocks handed out and not yet freed
 * @param free      blocks on the free stack
 */
public record ClassStats(SizeClass sizeClass, long carved, long live, long free) {
}
