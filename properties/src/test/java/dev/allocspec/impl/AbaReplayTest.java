package dev.allocspec.impl;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ABA schedule, forced deterministically through the pop probe, on real off-heap blocks:
 * <pre>
 *   stack: A -> B -> C
 *   T1: pop reads top {s, A} and A.next = B ............................ then CASes {s, A} -> {s+1, B}
 *   T2:                            pop A, pop B, push A (top {s+3, A}, A.next = C)
 * </pre>
 * With the stamp, T1's CAS fails (it expects stamp s, the top holds s+3) and its retry pops A with next C: B stays
 * T2's alone. Without the stamp (the negative control), T1's CAS succeeds and installs B, which T2 owns: the next pop
 * hands B to a second owner (INV-SINGLE-OWNER).
 */
class AbaReplayTest {

    record Replay(long t1Popped, long nextPop, long popAfterThat, int t1CasAttempts) {
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    @Timeout(30)
    void stampedStackRejectsTheStaleCas(CasStrategy strategy) throws Exception {
        assumeTrue(strategy.isAvailable(), () -> strategy.unavailableReason());
        try (Arena arena = Arena.ofShared()) {
            Blocks blocks = new Blocks(arena);
            FreeBlockLayout links = FreeBlockLayout.in(arena);
            Replay replay = replay(arena, strategy, blocks, top -> new FreeStack(top, links, probe));
            assertThat(replay.t1CasAttempts()).as("T1's first CAS failed and it retried").isEqualTo(2);
            assertThat(replay.t1Popped()).isEqualTo(blocks.a);
            assertThat(replay.nextPop()).as("after T1, only C is left (B is T2's)").isEqualTo(blocks.c);
            assertThat(replay.popAfterThat()).isEqualTo(FreeStack.EMPTY);
        }
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    @Timeout(30)
    void unstampedNegativeControlHandsTheSameBlockToTwoOwners(CasStrategy strategy) throws Exception {
        assumeTrue(strategy.isAvailable(), () -> strategy.unavailableReason());
        try (Arena arena = Arena.ofShared()) {
            Blocks blocks = new Blocks(arena);
            FreeBlockLayout links = FreeBlockLayout.in(arena);
            Replay replay = replay(arena, strategy, blocks, top -> new BrokenFreeStacks.Unstamped(top, links, probe));
            assertThat(replay.t1CasAttempts()).as("T1's stale CAS succeeded at once").isEqualTo(1);
            assertThat(replay.nextPop()).as("B, which T2 still owns, is handed out again").isEqualTo(blocks.b);
        }
    }

    /** Three 64-byte blocks A, B, C of real off-heap memory. */
    private static final class Blocks {
        final long a;
        final long b;
        final long c;

        Blocks(Arena arena) {
            MemorySegment memory = arena.allocate(3 * 64, 64);
            a = memory.address();
            b = a + 64;
            c = b + 64;
        }
    }

    private FreeStack.PopProbe probe;

    private Replay replay(Arena arena, CasStrategy strategy, Blocks blocks, Function<StampedTop, FreeStack> make)
            throws Exception {
        CountDownLatch t1HasRead = new CountDownLatch(1);
        CountDownLatch t2IsDone = new CountDownLatch(1);
        AtomicReference<Thread> t1 = new AtomicReference<>();
        AtomicBoolean paused = new AtomicBoolean();
        AtomicInteger t1Attempts = new AtomicInteger();
        probe = (node, next) -> {
            if (Thread.currentThread() != t1.get()) {
                return;
            }
            t1Attempts.incrementAndGet();
            if (paused.compareAndSet(false, true)) {
                assertThat(node).isEqualTo(blocks.a);
                assertThat(next).isEqualTo(blocks.b);
                t1HasRead.countDown();
                await(t2IsDone);
            }
        };
        FreeStack stack = make.apply(StampedTop.over(arena.allocate(StackTopLayout.PADDED_SIZE,
                StackTopLayout.ALIGNMENT), strategy));
        stack.push(blocks.c);
        stack.push(blocks.b);
        stack.push(blocks.a);

        AtomicReference<Long> t1Popped = new AtomicReference<>();
        Thread first = Thread.ofPlatform().unstarted(() -> t1Popped.set(stack.pop()));
        t1.set(first);
        Thread second = Thread.ofPlatform().start(() -> {
            await(t1HasRead);
            long a = stack.pop();
            long b = stack.pop();
            assertThat(a).isEqualTo(blocks.a);
            assertThat(b).isEqualTo(blocks.b);
            stack.push(a);
            t2IsDone.countDown();
        });
        first.start();
        first.join();
        second.join();
        return new Replay(t1Popped.get(), stack.pop(), stack.pop(), t1Attempts.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("schedule stuck");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
