/**
 * The optimised lock-free allocator of the allocspec family: jalib's design on real off-heap memory.
 *
 * <h2>Naming memory ordering in accessors</h2>
 * Every access to shared memory goes through an accessor whose prefix names its ordering (after JCTools), so a
 * reviewer reads the ordering from the call site:
 * <ul>
 *   <li>{@code lp}/{@code sp}: plain load/store (no ordering; used where another access orders it);</li>
 *   <li>{@code lv}/{@code sv}: volatile load/store;</li>
 *   <li>{@code la}/{@code sr}: load-acquire/store-release;</li>
 *   <li>{@code cas}: compare-and-set (volatile semantics, or the native instruction's full barrier).</li>
 * </ul>
 *
 * <h2>Where to start</h2>
 * {@link dev.allocspec.impl.LockFreeBlockAllocator} (the allocator and its overview), {@link
 * dev.allocspec.impl.FreeStack} (the stamped Treiber stack and the ABA argument), {@link
 * dev.allocspec.impl.StackTopLayout} and {@link dev.allocspec.impl.FreeBlockLayout} (the off-heap layouts),
 * {@link dev.allocspec.impl.CasStrategy} (how the 128-bit CAS is done and chosen).
 */
package dev.allocspec.impl;
