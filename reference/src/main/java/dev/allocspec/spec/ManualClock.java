package dev.allocspec.spec;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to: tests drive decay with it. Thread-safe. */
public final class ManualClock implements NanoClock {

    private final AtomicLong now = new AtomicLong();

    @Override
    public long nanoTime() {
        return now.get();
    }

    /**
     * Moves the clock forward.
     *
     * @throws NullPointerException     if {@code by} is null
     * @throws IllegalArgumentException if {@code by} is negative (a monotonic clock never goes back)
     */
    public void advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock never goes back: " + by);
        }
        now.addAndGet(by.toNanos());
    }
}
