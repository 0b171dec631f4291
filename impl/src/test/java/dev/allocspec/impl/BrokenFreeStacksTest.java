package dev.allocspec.impl;

import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/** The broken stacks break exactly the one thing they name, and nothing the checks would then trip over first. */
class BrokenFreeStacksTest {

    private static final long BLOCK = SizeClass.B64.blockSize();

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(StackTopLayout.PADDED_SIZE + 4 * BLOCK, BLOCK);
    private final long block0 = memory.address() + StackTopLayout.PADDED_SIZE;
    private final FreeStack stack = new BrokenFreeStacks.OverlappingCarve(SizeClass.B64,
            StampedTop.over(memory.asSlice(0, StackTopLayout.PADDED_SIZE), CasStrategy.LOCKED),
            FreeBlockLayout.in(arena));

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void overlappingCarveRelinksAFreshlyCarvedChainAtHalfTheBlockSize() {
        for (int i = 0; i < 3; i++) {
            FreeBlockLayout.UNSCOPED.spNext(block(i), block(i + 1)); // linked as Pool.carve links a new chunk
        }
        stack.pushCarved(block(0), block(3));
        assertThat(stack.snapshot(10)).containsExactly(block(0), block(0) + BLOCK / 2, block(1), block(1) + BLOCK / 2,
                block(2), block(2) + BLOCK / 2, block(3));
    }

    @Test
    void overlappingCarveLeavesAChainAThreadCacheFlushesAsItIs() {
        // A flushed chain links blocks that need not be neighbours; here block 1 between them is live.
        MemorySegment liveBlock = memory.asSlice(block(1) - memory.address(), BLOCK);
        liveBlock.fill((byte) 0x5A);
        FreeBlockLayout.UNSCOPED.spNext(block(0), block(2));
        stack.pushChain(block(0), block(2));
        assertThat(stack.snapshot(10)).containsExactly(block(0), block(2));
        for (long i = 0; i < BLOCK; i++) {
            assertThat(liveBlock.get(ValueLayout.JAVA_BYTE, i)).as("byte %d of the live block between", i)
                    .isEqualTo((byte) 0x5A);
        }
    }

    private long block(int index) {
        return block0 + index * BLOCK;
    }
}
