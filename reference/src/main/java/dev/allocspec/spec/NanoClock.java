package dev.allocspec.spec;

/**
 * The time source of decay (see {@link PurgePolicy}): a monotonic count of nanoseconds, as {@link System#nanoTime()}.
 * Injectable, so that tests decide when time passes ({@link ManualClock}) and the reference and an implementation see
 * the same instants.
 */
@FunctionalInterface
public interface NanoClock {

    /** {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    /** The current time in nanoseconds; only differences between two readings mean anything. */
    long nanoTime();
}
