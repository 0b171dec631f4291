package dev.allocspec.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * When freed large blocks' memory goes back to the system (jemalloc's dirty-page purge, seeds 002 and 004).
 *
 * <p><b>Pooled blocks</b> of the 4 KiB and 16 KiB classes ({@link #purgeableClass}) are purged whole by
 * {@code purge()}, and at the first purge point at least the decay delay after their class's last pass (or the
 * allocator's making): a pass per class per delay at most, so a free block stays unpurged for up to about twice the
 * delay, and nothing on the small-block hot path reads a clock. A purge pass takes every free
 * block of the class off its stack (the calling thread's cached ones first), purges them and keeps them, in order,
 * below the stack: they are handed out only when the stack is empty, {@link #PURGED_REFILL_BATCH} at a time, so the
 * order of reuse, and every block's position, is the one without purging. Not checked on every pooled free: that
 * would put a shared counter on the small-block hot path.
 *
 * <p>A freed large block's mapping is <b>cached</b>: it stays mapped, listed by {@code arenas()}, and is reused by a
 * later large allocation that fits (see {@link SizeClass#largeMappingFits}). A cached mapping is <b>dirty</b> from the
 * moment it is freed until it is <b>purged</b>: its pages are given back to the system ({@code madvise(MADV_DONTNEED)}
 * on Linux) while the address range stays mapped, so a stale segment reads zeros instead of faulting. Three rules,
 * applied in this order at every <b>purge point</b> (the end of every successful large free; the end of every
 * successful large allocation; {@code purge()}; and, in the lock-free allocator, each tick of its background decay
 * thread, which then reads the clock for the calls too, so that decay is within one tick of the delay):
 * <ol>
 *   <li><b>Cap</b>: while the cached mappings' bytes exceed {@link #retainedCapBytes}, the one freed longest ago is
 *       unmapped (its scope closed: stale segments of it then throw instead of reading).</li>
 *   <li><b>Ratio</b> (on free only): while dirty bytes exceed {@link #dirtyBound(long)} of the active bytes (pooled
 *       chunks plus live large mappings), the mapping dirty longest is purged (jemalloc's
 *       {@code nactive >> lg_dirty_mult}, with a floor so that a lone large block is not purged on every free).</li>
 *   <li><b>Decay</b>: every mapping dirty for at least {@link #decayDelay} is purged.</li>
 * </ol>
 *
 * @param retainedCapBytes the most bytes of cached free mappings kept mapped; 0 caches nothing (every large free
 *                         unmaps, as before the cache existed)
 * @param dirtyFloorBytes  dirty bytes always allowed, whatever the active bytes
 * @param lgDirtyRatio     dirty bytes above the floor are allowed up to {@code active >> lgDirtyRatio}; 0 to 62
 * @param decayDelay       how long a freed mapping may stay dirty; zero purges it at the next purge point
 * @param clock            what decay measures time with
 * @param purgePooled      whether free blocks of the 4 KiB and 16 KiB classes are purged too (off: they stay
 *                         resident until reused or {@code close()}, and are never paged in again on reuse)
 */
public record PurgePolicy(long retainedCapBytes, long dirtyFloorBytes, int lgDirtyRatio, Duration decayDelay,
                          NanoClock clock, boolean purgePooled) {

    /**
     * How many purged blocks of a pooled class go back onto its empty free stack at once, top first, when an
     * allocation finds the stack empty: they get their free-list links written again (their first page faults back
     * in), and a bigger batch would un-purge blocks nobody asked for.
     */
    public static final int PURGED_REFILL_BATCH = 16;

    /**
     * Whether free blocks of a pooled class are purged: the 4 KiB and 16 KiB classes, whose blocks are whole pages.
     * Smaller blocks share pages with others (live ones, or free ones whose links must stay readable).
     */
    public static boolean purgeableClass(SizeClass sizeClass) {
        return sizeClass == SizeClass.B4K || sizeClass == SizeClass.B16K;
    }

    /** Whether this policy purges the free blocks of {@code sizeClass}: a purgeable class, and pooled purge on. */
    public boolean purgesPooled(SizeClass sizeClass) {
        return purgePooled && purgeableClass(sizeClass);
    }

    /**
     * Defaults for a long-running service: 1 GiB of address space retained, 8 MiB dirty always allowed (so that a
     * block of up to 8 MiB freed and allocated in a loop never pays a system call), dirty up to 1/8 of active above
     * that (jemalloc's default {@code lg_dirty_mult} of 3), a decay delay of 10 s (jemalloc's {@code dirty_decay_ms}).
     */
    public static final PurgePolicy DEFAULT = new PurgePolicy(1L << 30, 8L << 20, 3, Duration.ofSeconds(10),
            NanoClock.SYSTEM, true);

    /**
     * @throws IllegalArgumentException if a byte count is negative, the ratio is outside 0 to 62, or the delay is
     *                                  negative or longer than {@link Long#MAX_VALUE} nanoseconds
     * @throws NullPointerException     if the delay or the clock is null
     */
    public PurgePolicy {
        Objects.requireNonNull(decayDelay, "decayDelay");
        Objects.requireNonNull(clock, "clock");
        if (retainedCapBytes < 0) {
            throw new IllegalArgumentException("retainedCapBytes must not be negative: " + retainedCapBytes);
        }
        if (dirtyFloorBytes < 0) {
            throw new IllegalArgumentException("dirtyFloorBytes must not be negative: " + dirtyFloorBytes);
        }
        if (lgDirtyRatio < 0 || lgDirtyRatio > 62) {
            throw new IllegalArgumentException("lgDirtyRatio must be between 0 and 62: " + lgDirtyRatio);
        }
        if (decayDelay.isNegative() || decayDelay.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("decayDelay must be between 0 and " + Long.MAX_VALUE + " ns: "
                    + decayDelay);
        }
    }

    /** A policy that purges pooled blocks too (the {@code purgePooled} default). */
    public PurgePolicy(long retainedCapBytes, long dirtyFloorBytes, int lgDirtyRatio, Duration decayDelay,
                       NanoClock clock) {
        this(retainedCapBytes, dirtyFloorBytes, lgDirtyRatio, decayDelay, clock, true);
    }

    /** The most dirty bytes the ratio rule allows beside {@code activeBytes} of memory in use. */
    public long dirtyBound(long activeBytes) {
        return Math.max(dirtyFloorBytes, activeBytes >> lgDirtyRatio);
    }

    /** Whether a mapping freed at {@code freedAt} has been dirty for the whole decay delay at {@code now}. */
    public boolean decayed(long freedAt, long now) {
        return now - freedAt >= decayDelay.toNanos();
    }

    /** This policy with another clock. */
    public PurgePolicy withClock(NanoClock clock) {
        return new PurgePolicy(retainedCapBytes, dirtyFloorBytes, lgDirtyRatio, decayDelay, clock, purgePooled);
    }

    /** This policy with another decay delay. */
    public PurgePolicy withDecayDelay(Duration decayDelay) {
        return new PurgePolicy(retainedCapBytes, dirtyFloorBytes, lgDirtyRatio, decayDelay, clock, purgePooled);
    }

    /** This policy with another dirty bound: {@code max(floorBytes, active >> lgRatio)}. */
    public PurgePolicy withDirtyBound(long floorBytes, int lgRatio) {
        return new PurgePolicy(retainedCapBytes, floorBytes, lgRatio, decayDelay, clock, purgePooled);
    }

    /** This policy with pooled purge on or off. */
    public PurgePolicy withPooledPurge(boolean purgePooled) {
        return new PurgePolicy(retainedCapBytes, dirtyFloorBytes, lgDirtyRatio, decayDelay, clock, purgePooled);
    }

    /** This policy with another cap on retained address space. */
    public PurgePolicy withRetainedCap(long capBytes) {
        return new PurgePolicy(capBytes, dirtyFloorBytes, lgDirtyRatio, decayDelay, clock, purgePooled);
    }
}
