package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;

import java.util.EnumMap;
import java.util.Map;

/**
 * One lock-free allocator per strategy for the whole test JVM. Allocator-level tests share it across states, because
 * an allocator per state would mean a shared arena closed per state (a handshake each) and a sample rate twenty times
 * lower. Each state works on blocks of its own, so states do not disturb one another's outcomes. Never closed: the
 * forked test JVM exits.
 */
final class SharedAllocators {

    private static final Map<CasStrategy, LockFreeBlockAllocator> CACHED = new EnumMap<>(CasStrategy.class);
    private static final Map<CasStrategy, LockFreeBlockAllocator> UNCACHED = new EnumMap<>(CasStrategy.class);

    private SharedAllocators() {
    }

    /** The shared allocator of a strategy, with or without thread caches. */
    static synchronized LockFreeBlockAllocator of(CasStrategy strategy, boolean threadCache) {
        return (threadCache ? CACHED : UNCACHED).computeIfAbsent(strategy, s ->
                LockFreeBlockAllocator.builder().strategy(s).threadCache(threadCache).build());
    }
}
