package dev.allocspec.impl;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One daemon thread, shared by every allocator in the JVM, that ticks each registered allocator (its
 * {@link LargeMappingCache} and {@link PooledPurge}) so that memory freed and then left alone is purged within its
 * decay delay even if the allocator is never called again (jemalloc's {@code background_thread}).
 *
 * <p>Why a thread and not only the allocator's own calls: a service that frees a burst and then idles makes no call
 * that could purge, and that is exactly when its memory should go back. Why one thread for all: a tick is a lock and a
 * look at the oldest dirty mapping, microseconds a second. The thread holds each cache weakly, so an allocator that
 * is dropped without {@code close()} is still collected; its task ends at the first tick that finds it gone or closed.
 * A tick is a purge point ({@code PurgePolicy}); it flushes no thread cache (the ticking thread has none).
 */
final class DecayThread {

    private static final ScheduledThreadPoolExecutor TICKER = ticker();

    private DecayThread() {
    }

    /**
     * Ticks {@code allocator} every {@link #interval} of its decay delay until it is closed or unreachable.
     */
    static void register(LockFreeBlockAllocator allocator, Duration decayDelay) {
        Duration interval = interval(decayDelay);
        WeakReference<LockFreeBlockAllocator> weak = new WeakReference<>(allocator);
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        Runnable tick = () -> {
            LockFreeBlockAllocator alive = weak.get();
            if (alive == null || alive.isClosed()) {
                cancel(self);
                return;
            }
            try {
                alive.decayTick();
            } catch (RuntimeException | Error e) {
                // A failed purge must not kill the shared thread; the allocator's own calls still purge.
                cancel(self);
            }
        };
        long nanos = interval.toNanos();
        self.set(TICKER.scheduleWithFixedDelay(tick, nanos, nanos, TimeUnit.NANOSECONDS));
    }

    /**
     * The time between ticks: a twentieth of the delay, between 10 ms and 500 ms, so that a mapping is purged at most
     * half a second after its delay has passed (the goal: within the delay plus one second).
     */
    static Duration interval(Duration decayDelay) {
        Duration twentieth = decayDelay.dividedBy(20);
        Duration atLeast = twentieth.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : twentieth;
        return atLeast.compareTo(Duration.ofMillis(500)) > 0 ? Duration.ofMillis(500) : atLeast;
    }

    private static void cancel(AtomicReference<ScheduledFuture<?>> self) {
        ScheduledFuture<?> future = self.get();
        if (future != null) {
            future.cancel(false);
        }
    }

    private static ScheduledThreadPoolExecutor ticker() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "allocspec-decay");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
