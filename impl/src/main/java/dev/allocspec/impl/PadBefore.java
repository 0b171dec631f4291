package dev.allocspec.impl;

/**
 * Padding in front of the fields of an object that one thread writes on every operation: a {@link ThreadCache} and its
 * bins. The garbage collector copies live objects next to each other in the order it finds them, so without padding
 * two threads' caches end up on one cache line after a collection and each write of one thread invalidates the
 * other's copy of the line (2-thread churn with and without the padding: BENCHMARKS.md, "Before and after the thread
 * caches").
 *
 * <p>A padded class declares its fields in a subclass of this one and the same padding after them, in its own last
 * subclass: HotSpot lays out a superclass's fields before a subclass's. The {@code byte} takes the four-byte gap after
 * a compressed class pointer, so that no field of a subclass is placed there, in front of the padding.
 * {@code ThreadCacheLayoutTest} checks the resulting offsets.
 */
abstract class PadBefore {
    byte pad00;
    long pad01, pad02, pad03, pad04, pad05, pad06, pad07, pad08, pad09, pad10, pad11, pad12, pad13, pad14, pad15;
}
