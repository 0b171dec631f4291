package dev.allocspec.impl;

import dev.allocspec.spec.AllocatorStats;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LockFreeBlockAllocator#checkInvariants()} holds on real states and names the ID of planted corruption. */
class LockFreeInvariantsTest {

    private LockFreeBlockAllocator allocator;
    private MemorySegment live;
    private MemorySegment large;

    @BeforeEach
    void populate() {
        // Without thread caches, so that the planted corruption lands on the shared stack the checks walk first.
        allocator = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).threadCache(false).build();
        live = allocator.allocate(100);
        allocator.free(allocator.allocate(100));
        large = allocator.allocate(40_000);
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void holdsOnRealStates() {
        allocator.checkInvariants();
    }

    @Test
    void namesConservationForALiveBlockOnTheFreeStack() {
        allocator.pool(SizeClass.B256).stack.push(live.address());
        assertViolation(Invariant.CONSERVATION);
    }

    @Test
    void namesConservationForALostFreeBlock() {
        assertThat(allocator.pool(SizeClass.B256).stack.pop()).isNotZero();
        assertViolation(Invariant.CONSERVATION);
    }

    @Test
    void namesConservationForALargeMappingAFreeCouldNotFindByItsBase() {
        LargeBases bases = allocator.largeMappings().bases();
        bases.remove(bases.get(large.address()));
        assertThatThrownBy(allocator::checkInvariants).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.CONSERVATION.id() + " violated")
                .hasMessageContaining("not recorded by its base");
    }

    @Test
    void namesConservationForAMappingRecordedByBaseThatTheDirectoryDoesNotHold() {
        allocator.largeMappings().bases().put(new Chunk(MemorySegment.ofAddress(1L << 40), SizeClass.RAW, null, 1));
        assertThatThrownBy(allocator::checkInvariants).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.CONSERVATION.id() + " violated")
                .hasMessageContaining("2 mappings recorded by base, 1 in the directory");
    }

    @Test
    void namesContainmentForABlockOfAnotherClassOnTheStack() {
        MemorySegment small = allocator.allocate(10);
        allocator.pool(SizeClass.B256).stack.push(small.address());
        assertViolation(Invariant.ARENA_CONTAINMENT);
    }

    @Test
    void namesContainmentForAFreeLinkIntoUnmappedMemoryInsteadOfFollowingIt() {
        MemorySegment freed = allocator.allocate(100);
        allocator.free(freed);
        long unmapped = 0x40; // below every mapping the kernel hands out: reading it would crash the JVM
        freed.set(ValueLayout.JAVA_LONG, 0, unmapped); // a write after free, over the free-list link
        assertThatThrownBy(allocator::checkInvariants).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id() + " violated").hasMessageContaining("0x40 ");
    }

    @Test
    void refusesToFollowALinkWrittenAfterFreeInsteadOfCrashing() {
        MemorySegment freed = allocator.allocate(100);
        allocator.free(freed); // now the top of the shared stack, its link the next free block
        freed.set(ValueLayout.JAVA_LONG, 0, 0x40); // a write after free, over the link: reading 0x40 would crash
        FreeStack stack = allocator.pool(SizeClass.B256).stack;
        long stamp = stack.stamp();
        AllocatorStats before = allocator.stats();
        // Unguarded, the first allocation pops 'freed' and makes 0x40 the top, and the second reads 0x40's link.
        assertThatThrownBy(() -> {
            allocator.allocate(100);
            allocator.allocate(100);
        }).isInstanceOf(InvariantViolation.class).hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id())
                .hasMessageContaining("0x" + Long.toHexString(freed.address()) + " links to 0x40,");
        assertThat(stack.stamp()).as("the stack is left as it was").isEqualTo(stamp);
        assertThat(stack.snapshot(1)).containsExactly(freed.address());
        assertThat(allocator.stats()).isEqualTo(before);
    }

    @Test
    void refusesToRefillACacheThroughALinkWrittenAfterFree() {
        try (LockFreeBlockAllocator cached = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).build()) {
            List<MemorySegment> freed = new ArrayList<>();
            for (int i = 0; i < 65; i++) {
                freed.add(cached.allocate(10));
            }
            freed.forEach(cached::free); // a free that finds the bin full flushes its bottom 32 blocks
            FreeStack stack = cached.pool(SizeClass.B64).stack;
            long top = stack.snapshot(1).getFirst();
            freed.stream().filter(b -> b.address() == top).findFirst().orElseThrow()
                    .set(ValueLayout.JAVA_LONG, 0, 0x40); // a write after free, over the top block's link
            long stamp = stack.stamp();
            ThreadCache.Bin bin = cached.threadCaches().lookup().current().bins[SizeClass.B64.ordinal()];
            while (bin.count > 0) {
                cached.allocate(10);
            }
            AllocatorStats before = cached.stats();
            // Unguarded, the refill's batch pop walks from the top block into 0x40 and reads its link.
            assertThatThrownBy(() -> cached.allocate(10)).isInstanceOf(InvariantViolation.class)
                    .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id())
                    .hasMessageContaining("0x" + Long.toHexString(top) + " links to 0x40,");
            assertThat(stack.stamp()).as("the stack is left as it was").isEqualTo(stamp);
            assertThat(cached.stats()).isEqualTo(before);
        }
    }

    @Test
    void catchesAPoppedBlockThatIsStillLive() {
        allocator.pool(SizeClass.B256).stack.push(live.address());
        assertThatThrownBy(() -> {
            allocator.allocate(100);
            allocator.allocate(100);
        }).isInstanceOf(InvariantViolation.class).hasMessageStartingWith(Invariant.SINGLE_OWNER.id());
    }

    @Test
    void catchesAPoppedBlockThatIsStillLiveWhenARefillBringsItIntoTheCache() {
        try (LockFreeBlockAllocator cached = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).build()) {
            MemorySegment liveInCache = cached.allocate(100); // the refill took the chunk's 4 blocks: 3 left in the bin
            cached.pool(SizeClass.B256).stack.push(liveInCache.address());
            assertThatThrownBy(() -> {
                for (int i = 0; i < 4; i++) { // 3 from the bin, then a refill pops the live block
                    cached.allocate(100);
                }
            }).isInstanceOf(InvariantViolation.class).hasMessageStartingWith(Invariant.SINGLE_OWNER.id());
        }
    }

    @Test
    void namesConservationForABlockCachedTwice() {
        try (LockFreeBlockAllocator cached = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).build()) {
            MemorySegment block = cached.allocate(100);
            cached.free(block);
            cached.checkInvariants();
            cached.pool(SizeClass.B256).stack.push(block.address()); // now in this thread's bin and on the stack
            assertThatThrownBy(cached::checkInvariants).isInstanceOf(InvariantViolation.class)
                    .hasMessageStartingWith(Invariant.CONSERVATION.id());
        }
    }

    @Test
    void refusesToHandOutABlockOfAnotherClassFromTheSharedStack() {
        MemorySegment small = allocator.allocate(10);
        allocator.free(small);
        allocator.pool(SizeClass.B256).stack.push(small.address());
        assertThatThrownBy(() -> allocator.allocate(100)).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id());
    }

    @Test
    void refusesToTakeABlockOfAnotherClassIntoAThreadCache() {
        try (LockFreeBlockAllocator cached = LockFreeBlockAllocator.builder().policy(new ChunkPolicy(4)).build()) {
            MemorySegment small = cached.allocate(10);
            cached.free(small);
            // the refill's batch pop ends at the plant
            cached.pool(SizeClass.B64).stack.links.spNext(small.address(), FreeStack.EMPTY);
            cached.pool(SizeClass.B256).stack.push(small.address());
            assertThatThrownBy(() -> cached.allocate(100)).isInstanceOf(InvariantViolation.class)
                    .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id());
        }
    }

    private void assertViolation(Invariant expected) {
        assertThatThrownBy(allocator::checkInvariants).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(expected.id() + " violated");
    }
}
