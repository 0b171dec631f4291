package dev.allocspec.impl;

import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.InvariantViolation;
import dev.allocspec.spec.SizeClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pop follows a link only into a block: a refused link is reported as corrupt only when the top has not moved since
 * it was read; when it has, the link may be a new owner's data and the pop starts over. The "other thread" here is
 * the guard itself, which moves the top (a push) the first time it refuses a link, deterministically.
 */
class FreeStackLinkGuardTest {

    private static final long BLOCK = SizeClass.B64.blockSize();
    /** Below every mapping: reading a link there would crash the JVM. */
    private static final long UNMAPPED = 0x40;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(StackTopLayout.PADDED_SIZE + 3 * BLOCK, BLOCK);
    private final long a = memory.address() + StackTopLayout.PADDED_SIZE;
    private final long c = a + 2 * BLOCK;

    @AfterEach
    void free() {
        arena.close();
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    void aPopReportsARefusedLinkOnlyIfTheTopNeverMoved(CasStrategy strategy) {
        FreeStack stack = stackWithScribbledTop(strategy, top -> new FreeStack(top, FreeBlockLayout.UNSCOPED));
        LinkGuard guard = new LinkGuard(stack);
        assertThat(stack.pop(guard)).as("retried after the push moved the top, and got the pushed block").isEqualTo(c);
        long stamp = stack.stamp();
        assertThatThrownBy(() -> stack.pop(guard)).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id())
                .hasMessageContaining("0x" + Long.toHexString(a) + " links to 0x40,");
        assertThat(stack.stamp()).as("left as it was").isEqualTo(stamp);
        assertThat(stack.snapshot(1)).containsExactly(a);
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    void aBatchPopReportsARefusedLinkOnlyIfTheTopNeverMoved(CasStrategy strategy) {
        FreeStack stack = stackWithScribbledTop(strategy, top -> new FreeStack(top, FreeBlockLayout.UNSCOPED));
        LinkGuard guard = new LinkGuard(stack);
        long[] taken = new long[1];
        assertThat(stack.popChain(1, taken, guard)).isEqualTo(1);
        assertThat(taken[0]).as("retried after the push moved the top, and got the pushed block").isEqualTo(c);
        long stamp = stack.stamp();
        assertThatThrownBy(() -> stack.popChain(1, taken, guard)).isInstanceOf(InvariantViolation.class)
                .hasMessageStartingWith(Invariant.ARENA_CONTAINMENT.id())
                .hasMessageContaining("0x" + Long.toHexString(a) + " links to 0x40,");
        assertThat(stack.stamp()).as("left as it was").isEqualTo(stamp);
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    void theNegativeControlThatTrustsEveryRefusalReportsTheRaceAsCorruption(CasStrategy strategy) {
        FreeStack stack = stackWithScribbledTop(strategy,
                top -> new BrokenFreeStacks.TrustsRefusedLink(top, FreeBlockLayout.UNSCOPED, FreeStack.PopProbe.NONE));
        assertThatThrownBy(() -> stack.pop(new LinkGuard(stack))).isInstanceOf(InvariantViolation.class);
    }

    /** A stack whose top block A links to {@link #UNMAPPED}, as if written to after it was freed. */
    private FreeStack stackWithScribbledTop(CasStrategy strategy, Function<StampedTop, FreeStack> make) {
        Configurations.assumeRunsHere(strategy);
        FreeStack stack = make.apply(StampedTop.over(memory.asSlice(0, StackTopLayout.PADDED_SIZE), strategy));
        stack.push(a);
        FreeBlockLayout.UNSCOPED.spNext(a, UNMAPPED);
        return stack;
    }

    /** Accepts the three blocks; the first time it refuses a link, another thread pushes C meanwhile. */
    private final class LinkGuard implements FreeStack.LinkGuard {
        private final FreeStack stack;
        private boolean pushed;

        LinkGuard(FreeStack stack) {
            this.stack = stack;
        }

        @Override
        public boolean isBlock(long address) {
            boolean block = address >= a && address <= c && (address - a) % BLOCK == 0;
            if (!block && !pushed) {
                pushed = true;
                stack.push(c); // the top moves between the read of the link and the check of the top
            }
            return block;
        }
    }
}
