package dev.allocspec.concurrency;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.FreeBlockLayout;
import dev.allocspec.impl.FreeStack;
import dev.allocspec.impl.StackTopLayout;
import dev.allocspec.impl.StampedTop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One jcstress state's free stack on real off-heap memory: a stamped top and a few 64-byte blocks, in memory the
 * garbage collector gives back ({@code Arena.ofAuto()}: a shared arena closed per state would cost a handshake each
 * and cut the sample rate twentyfold).
 */
public final class StackFixture {

    /** Blocks per fixture: A, B, C, D. */
    public static final int BLOCKS = 4;
    /** What {@link #index} answers for an empty pop. */
    public static final int EMPTY = -1;
    private static final long BLOCK = 64;

    /** The stack under test. */
    public final FreeStack stack;
    private final MemorySegment blocks;
    private final long firstBlock;

    /** Builds the stack under test over the fixture's top and links, with the probe its pops call. */
    @FunctionalInterface
    public interface StackMaker {
        /** The stack over {@code top}, reaching links through {@code links}, calling {@code probe} in each pop. */
        FreeStack make(StampedTop top, FreeBlockLayout links, FreeStack.PopProbe probe);
    }

    /**
     * A fixture whose stack {@code make} builds over a fresh top of the given strategy, with {@code probe}. Links are
     * reached unscoped: the fixture keeps its blocks' memory for as long as the stack can reach it.
     */
    public StackFixture(CasStrategy strategy, FreeStack.PopProbe probe, StackMaker make) {
        MemorySegment memory = Arena.ofAuto().allocate(StackTopLayout.PADDED_SIZE + BLOCKS * BLOCK,
                StackTopLayout.PADDED_SIZE);
        this.stack = make.make(StampedTop.over(memory.asSlice(0, StackTopLayout.PADDED_SIZE), strategy),
                FreeBlockLayout.UNSCOPED, probe);
        this.blocks = memory.asSlice(StackTopLayout.PADDED_SIZE);
        this.firstBlock = blocks.address();
    }

    /** A fixture over the real stamped stack. */
    public StackFixture(CasStrategy strategy) {
        this(strategy, FreeStack.PopProbe.NONE, FreeStack::new);
    }

    /** Address of block {@code i} (0 = A). */
    public long block(int i) {
        return firstBlock + i * BLOCK;
    }

    /** The block number of an address popped from the stack: 0 = A ... 3 = D, {@link #EMPTY}, or 9 if unknown. */
    public int index(long address) {
        if (address == FreeStack.EMPTY) {
            return EMPTY;
        }
        long offset = address - firstBlock;
        return offset >= 0 && offset < BLOCKS * BLOCK && offset % BLOCK == 0 ? (int) (offset / BLOCK) : 9;
    }

    /**
     * Whether {@code address} is one of the fixture's blocks: the guard a pop gets, as the allocator's pops get the
     * chunks of their class.
     */
    public boolean isBlock(long address) {
        int index = index(address);
        return index >= 0 && index < BLOCKS;
    }

    /**
     * Writes {@code value} over the first eight bytes of a block, as its new owner's data would: where the block's
     * link lived while it was free.
     */
    public void writeAsOwner(long block, long value) {
        blocks.set(ValueLayout.JAVA_LONG, block - firstBlock + FreeBlockLayout.NEXT_OFFSET, value);
    }

    /** Pushes blocks so that the first index given ends on top. */
    public void pushInOrder(int... indices) {
        for (int i = indices.length - 1; i >= 0; i--) {
            stack.push(block(indices[i]));
        }
    }

    /**
     * Links blocks {@code first .. first+count-1} through their {@code next} words and pushes them as one chain with
     * one CAS, as a pool's growth does.
     */
    public void pushChain(int first, int count) {
        for (int i = first; i < first + count - 1; i++) {
            blocks.set(ValueLayout.JAVA_LONG, i * BLOCK + FreeBlockLayout.NEXT_OFFSET, block(i + 1));
        }
        stack.pushChain(block(first), block(first + count - 1));
    }

    /** Pops until empty (at most 2 × BLOCKS, so a cycle cannot hang the arbiter); the block numbers popped. */
    public List<Integer> drain() {
        List<Integer> drained = new ArrayList<>();
        for (int i = 0; i < 2 * BLOCKS; i++) {
            long block = stack.pop();
            if (block == FreeStack.EMPTY) {
                break;
            }
            drained.add(index(block));
        }
        return drained;
    }

    /**
     * 1 if the blocks owned by the actors plus those left on the stack are exactly {@code expected} blocks, each
     * once; 0 if a block is owned twice, lost, or unknown.
     */
    public int accountedFor(int expected, List<Integer> owned) {
        List<Integer> all = new ArrayList<>(owned);
        all.removeIf(i -> i == EMPTY);
        all.addAll(drain());
        return all.size() == expected && all.stream().distinct().count() == expected
                && all.stream().allMatch(i -> i >= 0 && i < BLOCKS) ? 1 : 0;
    }
}
