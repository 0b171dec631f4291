package dev.allocspec.reference;

import dev.allocspec.os.OsMemory;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.ManualClock;
import dev.allocspec.spec.PurgePolicy;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReferenceAllocator#checkInvariants()} holds on real states and names the right ID on each kind of planted
 * corruption: the checker is shown to fail.
 */
@SuppressWarnings("restricted") // a corrupted arena record is made by reinterpreting a real one
class ReferenceAllocatorInvariantsTest {

    /** 1 MiB retained at most, 64 KiB dirty, no ratio above it, 10 s decay on a clock the tests move. */
    private final ManualClock clock = new ManualClock();
    private final PurgePolicy purgePolicy = new PurgePolicy(1L << 20, 64L << 10, 62, Duration.ofSeconds(10), clock);
    private ReferenceAllocator allocator;
    private MemorySegment small;
    private MemorySegment raw;

    @BeforeEach
    void populate() {
        allocator = new ReferenceAllocator(new ChunkPolicy(4), OsMemory.system(), purgePolicy);
        small = allocator.allocate(100);
        allocator.allocate(100);
        allocator.free(allocator.allocate(100));
        raw = allocator.allocate(50_000);
        allocator.allocate(3000, 4096);
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void holdsOnRealStates() {
        allocator.checkInvariants();
        allocator.free(small);
        allocator.free(raw);
        allocator.checkInvariants();
    }

    @Test
    void namesConservationWhenABlockIsLost() {
        assertViolates(Invariant.CONSERVATION, a -> a.freeStacks.get(SizeClass.B256).pop());
    }

    @Test
    void namesConservationWhenABlockIsBothLiveAndFree() {
        assertViolates(Invariant.CONSERVATION, a -> a.freeStacks.get(SizeClass.B256).push(small.address()));
    }

    @Test
    void namesContainmentForAFreeBlockOutsideEveryArena() {
        assertViolates(Invariant.ARENA_CONTAINMENT, a -> a.freeStacks.get(SizeClass.B256).push(8L));
    }

    @Test
    void namesContainmentForAnInteriorLiveBlock() {
        assertViolates(Invariant.ARENA_CONTAINMENT, a -> {
            ReferenceAllocator.Request request = a.live.remove(small.address());
            a.live.put(small.address() + 8, request);
        });
    }

    @Test
    void namesSizeClassForABlockInTheWrongClass() {
        assertViolates(Invariant.SIZE_CLASS, a -> a.live.put(small.address(), new ReferenceAllocator.Request(10, 1)));
    }

    @Test
    void namesAlignmentForARawBlockOffItsPage() {
        assertViolates(Invariant.ALIGN, a -> {
            ReferenceAllocator.ArenaRecord mapping = a.arenaAt.remove(raw.address());
            a.arenas.remove(mapping);
            ReferenceAllocator.ArenaRecord shifted = new ReferenceAllocator.ArenaRecord(
                    mapping.memory().asSlice(64), SizeClass.RAW, mapping.scope());
            a.arenas.add(shifted);
            a.arenaAt.put(shifted.base(), shifted);
            a.live.remove(raw.address());
            a.live.put(shifted.base(), new ReferenceAllocator.Request(shifted.memory().byteSize(), 1));
        });
    }

    @Test
    void namesRawPagesForARawArenaWithoutItsBlock() {
        assertViolates(Invariant.RAW_PAGES, a -> a.live.remove(raw.address()));
    }

    @Test
    void namesLargeReuseWhenACachedMappingBacksALiveBlock() {
        allocator.free(raw);
        assertViolates(Invariant.LARGE_REUSE, a -> a.live.put(raw.address(), new ReferenceAllocator.Request(50_000, 1)));
    }

    @Test
    void namesRetainedCapWhenTheCacheHoldsTooMuch() {
        MemorySegment big = allocator.allocate(2L << 20);
        assertViolates(Invariant.RETAINED_CAP, a -> {
            a.live.remove(big.address());
            a.cached.put(big.address(), a.arenaAt.get(big.address()));
        });
    }

    @Test
    void namesDirtyBoundWhenTooMuchIsDirty() {
        MemorySegment second = allocator.allocate(50_000);
        allocator.free(raw);
        assertViolates(Invariant.DIRTY_BOUND, a -> {
            a.live.remove(second.address());
            a.cached.put(second.address(), a.arenaAt.get(second.address()));
            a.dirtySince.put(second.address(), clock.nanoTime());
        });
    }

    @Test
    void namesDecayWhenAMappingOutlivedTheDelayAtAPurgePoint() {
        allocator.free(raw);
        clock.advance(Duration.ofSeconds(11));
        assertViolates(Invariant.DECAY, a -> a.lastPurgePointAt = clock.nanoTime());
    }

    @Test
    void namesPurgedZeroWhenAPurgedMappingHoldsBytes() {
        allocator.free(raw);
        allocator.purge();
        assertViolates(Invariant.PURGED_ZERO, a -> raw.set(ValueLayout.JAVA_LONG, 0, 42L));
    }

    @Test
    void namesPurgedZeroWhenAPurgedPooledBlockHoldsBytes() {
        MemorySegment page = allocator.allocate(16_384);
        allocator.free(page);
        allocator.purge();
        assertViolates(Invariant.PURGED_ZERO, a -> page.set(ValueLayout.JAVA_LONG, 4096, 42L));
    }

    @Test
    void namesDecayWhenAPooledClassWasNotPassedForTheDelayAtAPurgePoint() {
        allocator.free(allocator.allocate(16_384));
        assertViolates(Invariant.DECAY, a -> {
            clock.advance(Duration.ofSeconds(11));
            a.lastPurgePointAt = clock.nanoTime();
        });
    }

    @Test
    void namesConservationWhenAPurgedBlockIsAlsoOnTheStack() {
        MemorySegment page = allocator.allocate(16_384);
        allocator.free(page);
        allocator.purge();
        assertViolates(Invariant.CONSERVATION, a -> a.freeStacks.get(SizeClass.B16K).push(page.address()));
    }

    @Test
    void namesArenasRecordedWhenTheIndexDisagrees() {
        assertViolates(Invariant.ARENAS_RECORDED, a -> a.arenaAt.remove(raw.address()));
    }

    @Test
    void namesCarveOrderForAChunkOfTheWrongSize() {
        assertViolates(Invariant.CARVE_ORDER, a -> {
            ReferenceAllocator.ArenaRecord chunk = a.arenas.getFirst();
            ReferenceAllocator.ArenaRecord doubled = new ReferenceAllocator.ArenaRecord(
                    chunk.memory().reinterpret(chunk.memory().byteSize() * 2), chunk.sizeClass(), chunk.scope());
            a.arenas.set(0, doubled);
            a.arenaAt.put(doubled.base(), doubled);
        });
    }

    @Test
    void namesDisjointForOverlappingArenas() {
        assertViolates(Invariant.DISJOINT, a -> {
            ReferenceAllocator.ArenaRecord chunk = a.arenas.getFirst();
            ReferenceAllocator.ArenaRecord overlapping = new ReferenceAllocator.ArenaRecord(
                    chunk.memory().asSlice(64), SizeClass.RAW, chunk.scope());
            a.arenas.add(overlapping);
            a.arenaAt.put(overlapping.base(), overlapping);
        });
    }

    private void assertViolates(Invariant expected, Consumer<ReferenceAllocator> corruption) {
        allocator.checkInvariants();
        allocator.lock.lock();
        try {
            corruption.accept(allocator);
        } finally {
            allocator.lock.unlock();
        }
        assertThatThrownBy(allocator::checkInvariants).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(expected.id() + " violated")
                .satisfies(e -> assertThat(((InvariantViolation) e).invariant()).isEqualTo(expected));
        // Put the state back in a form close() can give back: the test owns the corruption, not the allocator.
        allocator.lock.lock();
        try {
            Arena poolScope = allocator.arenas.getFirst().scope();
            allocator.arenas.removeIf(a -> a.sizeClass().isRaw() && a.scope() == poolScope);
        } finally {
            allocator.lock.unlock();
        }
    }
}
