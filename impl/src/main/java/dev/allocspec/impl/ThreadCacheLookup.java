package dev.allocspec.impl;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds the thread cache an operation uses: a platform thread's own {@link ThreadCache} (the primary thread's through
 * one record, the others' through a slot table by thread id, else a {@code ThreadLocal}), or a stripe cache for a
 * virtual thread; and keeps the registry of every platform thread's cache, which {@link ThreadCaches} walks to
 * reclaim the caches of threads that ended. Moving blocks between a cache and the shared stacks is
 * {@link ThreadCaches}' job, not this one's.
 *
 * <p><b>Virtual threads share stripe caches.</b> A cache per virtual thread would pin blocks in as many short-lived
 * caches as there are virtual threads, and without any cache every operation of a virtual thread hits the shared stack
 * (BENCHMARKS.md, "Churn on virtual threads", has the figures). Virtual threads therefore share a fixed set of
 * {@link ThreadCache#stripe(ThreadCacheSettings) stripe caches}: about two per core, each taken with a try-lock for one
 * operation. A thread tries the stripe its id picks and the next one; if both are in use it goes to the shared stack
 * for that operation, so nothing ever waits on a stripe (a virtual thread parked while holding one, e.g. on the locked
 * strategy's lock, only sends others to the shared stack).
 */
final class ThreadCacheLookup {

    /** The slots for the fast lookup of a thread's cache at first; its id picks them (see {@link #current()}). */
    static final int MIN_SLOTS = 256;
    /** The most slots the table grows to (256 KiB of references). */
    static final int MAX_SLOTS = 1 << 16;
    /** Slots a thread may hold its cache in: the one its id picks and the next ones, wrapping around. */
    static final int PROBES = 4;
    /** Stripes a virtual thread tries (its own, then the next) before it goes to the shared stack. */
    static final int STRIPE_PROBES = 2;

    private final ThreadLocal<ThreadCache> local = new ThreadLocal<>();
    /**
     * The fast path of {@link #current()}: a thread's cache sits in one of the {@link #PROBES} slots from
     * {@code threadId % length}. Plain reads and writes, and replaced by a larger table as threads register; every
     * race on it is benign (see {@link #current()}).
     */
    private ThreadCache[] bySlot = new ThreadCache[MIN_SLOTS];
    private final ConcurrentLinkedQueue<ThreadCache> registry = new ConcurrentLinkedQueue<>();
    /**
     * The primary thread's cache, checked by {@link #current()} before the slot table; null while there is none. Read
     * plainly by every thread, written only when it is null (by a thread claiming it) and when its owner's cache is
     * drained (cleared); every race on it is benign (see {@link #current()}).
     */
    private Primary primary;
    /** Caches in the registry: the slot table grows to keep at least four slots per registered cache. */
    private final AtomicInteger registered = new AtomicInteger();
    /** The caches virtual threads share, a power of two of them; each used under its try-lock. */
    private final ThreadCache[] stripes;
    /** False only in the negative control that shows the one-user-per-stripe check bites: stripes without a lock. */
    private final boolean lockStripes;
    private final ThreadCacheSettings settings;
    /** Runs before a new thread's cache is registered: a sweep for the caches of threads that ended. */
    private final Runnable beforeRegistering;

    ThreadCacheLookup(ThreadCacheSettings settings, boolean lockStripes, Runnable beforeRegistering) {
        this.settings = settings;
        this.lockStripes = lockStripes;
        this.beforeRegistering = beforeRegistering;
        this.stripes = new ThreadCache[stripeCount(Runtime.getRuntime().availableProcessors())];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = ThreadCache.stripe(settings);
        }
    }

    /**
     * Stripes for a machine with {@code cores} cores: the power of two at or above twice the cores, at most 64. Each
     * stripe pins at most what one thread cache does (about 1.4 MiB), so 32 stripes on 16 cores pin at most 45 MiB.
     */
    static int stripeCount(int cores) {
        return Math.min(64, Integer.highestOneBit(Math.max(2, 2 * cores) - 1) << 1);
    }

    /**
     * The cache this thread uses for one operation: a platform thread's own cache, created on first use; for a
     * virtual thread a stripe cache it now holds alone and must {@link ThreadCache#release() release} when the
     * operation ends, normally or not, or null when the stripes it tried are in use (the operation then goes to the
     * shared stack).
     *
     * <p>Fast path: the slots the thread's id picks, used only if the cache there belongs to this thread; otherwise
     * the ThreadLocal (two ThreadLocal lookups were a large part of an allocate and free pair: BENCHMARKS.md, "Before and
     * after the thread caches"). Benign races: slots, and the table itself, are read and written plainly by
     * every thread, so a reader may see a stale table, a stale entry or another thread's cache; it uses a cache only
     * if {@code cache.owner == currentThread}. {@code owner} is final, so a cache seen through a slot has its owner
     * set, and a cache owned by this thread was put there by this thread, earlier in its own program order. A miss
     * only sends the thread to the ThreadLocal, which then claims a slot for it again. A slot is claimed only while it
     * is empty or its holder's thread has ended, so a live thread keeps its slot; a thread all of whose slots are held
     * by live threads keeps finding its cache through the ThreadLocal until one ends or the table grows (at one
     * registered cache per four slots). A virtual thread never owns a cache, so it always takes the slow path to the
     * stripes.
     *
     * <p>Before the slots: the {@link Primary primary} thread's cache, one load and a compare away, so that the first
     * thread to use the caches (in many programs the only one that allocates) does not pay for the table; every other
     * thread pays one load more (see {@link Primary}).
     */
    ThreadCache current() {
        ThreadCache cache = own();
        return cache != null ? cache : located(Thread.currentThread());
    }

    /**
     * The calling thread's own cache if the thread is the primary or its cache sits in its home slot, else null: the
     * lookup on the allocator's fast path, small enough to inline there; {@link #current()} goes on from here.
     */
    ThreadCache own() {
        Thread thread = Thread.currentThread();
        Primary primary = this.primary;
        if (primary != null && primary.owner == thread) {
            return primary.cache;
        }
        ThreadCache[] slots = bySlot;
        ThreadCache cache = slots[slotIndex(slots, thread, 0)];
        // With no primary (it ended and was drained) the thread goes on to located(), which makes it the primary: a
        // call here, on a branch the fast path rarely takes, would cost every call that inlines this one.
        return cache != null && cache.owner == thread && primary != null ? cache : null;
    }

    /**
     * {@link #own()}, or for a virtual thread a stripe it now holds and must {@link ThreadCache#releaseIfStripe()
     * release}; null otherwise (a platform thread whose cache is elsewhere, or every stripe tried in use).
     */
    ThreadCache ownOrStripe() {
        ThreadCache cache = own();
        return cache != null ? cache : stripeIfVirtual();
    }

    /** For a virtual thread, a stripe it now holds (see {@link #stripeFor}); null for a platform thread. */
    ThreadCache stripeIfVirtual() {
        Thread thread = Thread.currentThread();
        return thread.isVirtual() ? stripeFor(thread) : null;
    }

    /** {@link #current()} past {@link #own()}: the thread's other slots, or the ThreadLocal and a stripe. */
    private ThreadCache located(Thread thread) {
        ThreadCache cache = slotted(bySlot, thread, 0);
        if (cache == null) {
            cache = currentSlow(thread);
        }
        if (cache != null && !cache.isStripe()) {
            claimPrimaryIfFree(cache);
        }
        return cache;
    }

    /**
     * Makes {@code cache}'s owner, the calling thread, the primary if there is none. Benign race: two threads may
     * claim at once and the last write stays; a claim only ever names the claiming thread, which is alive, and a
     * drain clears only a holder whose owner has ended ({@link #forgetPrimary}).
     */
    private void claimPrimaryIfFree(ThreadCache cache) {
        if (primary == null) {
            primary = new Primary(cache.owner, cache);
        }
    }

    /**
     * The primary thread and its cache: the first platform thread to use the caches, or the first after the previous
     * primary ended and its cache was drained. Its own record, not a field of the cache: the cache's line is written
     * by its owner on every operation, and other threads checking its owner there on every operation of theirs made
     * two threads' churn twice as slow; this record is immutable, so every thread keeps its line.
     *
     * <p>Why it exists: it replaces the two slot lookups of an allocate+free pair by one load each, while a thread
     * that is not primary pays one load more (BENCHMARKS.md, "The primary thread finds its cache in one load"). Final
     * fields: a thread that reads the reference sees both set.
     */
    private record Primary(Thread owner, ThreadCache cache) {
    }

    /**
     * The thread's cache in its slots from probe {@code first} on, or null: what {@link #current()} finds without the
     * ThreadLocal.
     */
    private static ThreadCache slotted(ThreadCache[] slots, Thread thread, int first) {
        for (int probe = first; probe < PROBES; probe++) {
            ThreadCache cache = slots[slotIndex(slots, thread, probe)];
            if (cache == null) {
                break; // a thread claims the first free slot it finds, so it is not further on (or no longer there)
            }
            if (cache.owner == thread) {
                return cache;
            }
        }
        return null;
    }

    /** The slot of a thread's {@code probe}-th try: its id picks the first, wrapping around the table. */
    private static int slotIndex(ThreadCache[] slots, Thread thread, int probe) {
        return ((int) thread.threadId() + probe) & (slots.length - 1);
    }

    private ThreadCache currentSlow(Thread thread) {
        if (thread.isVirtual()) {
            return stripeFor(thread);
        }
        ThreadCache cache = local.get();
        if (cache == null) {
            // A new thread: sweep for caches of threads that ended first, so that threads that each live for a few
            // operations (fewer than a low-water pass needs) do not strand their cached blocks one cache at a time.
            beforeRegistering.run();
            cache = new ThreadCache(thread, settings);
            local.set(cache);
            registry.add(cache);
            growSlotsFor(registered.incrementAndGet());
        }
        claimSlot(bySlot, cache);
        return cache;
    }

    /**
     * Makes a cache the first of its slots' caches that {@link #current()} finds: unless a slot before the first free
     * one (empty, or held by an ended thread) already holds it, it takes that free one. A copy left further on is
     * harmless; {@link #forgetSlot} clears them all.
     */
    private static void claimSlot(ThreadCache[] slots, ThreadCache cache) {
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = slotIndex(slots, cache.owner, probe);
            ThreadCache holder = slots[slot];
            if (holder == cache) {
                return;
            }
            if (holder == null || !holder.owner.isAlive()) {
                slots[slot] = cache;
                return;
            }
        }
    }

    /**
     * Replaces the slot table by one twice as large, holding the live registered caches, while there are fewer than
     * four slots per registered cache. Two threads growing at once each publish a table; caches the lost one held are
     * claimed again on their owner's next lookup.
     */
    private void growSlotsFor(int caches) {
        ThreadCache[] slots = bySlot;
        if (slots.length >= MAX_SLOTS || 4L * caches <= slots.length) {
            return;
        }
        ThreadCache[] larger = new ThreadCache[slots.length * 2];
        for (ThreadCache cache : registry) {
            if (cache.owner.isAlive()) {
                claimSlot(larger, cache);
            }
        }
        bySlot = larger;
    }

    /** Whether a thread's cache is in the slot table, where {@link #current()} finds it without the ThreadLocal. */
    boolean inSlots(Thread thread) {
        return slotted(bySlot, thread, 0) != null;
    }

    /**
     * The first stripe a virtual thread may have, of those its id picks, now held by it until its
     * {@link ThreadCache#release() release}; null if they are all in use.
     */
    ThreadCache stripeFor(Thread thread) {
        int first = stripeIndex(thread);
        for (int probe = 0; probe < STRIPE_PROBES; probe++) {
            ThreadCache stripe = stripes[(first + probe) & (stripes.length - 1)];
            if (!lockStripes || stripe.tryAcquire()) {
                return stripe;
            }
        }
        return null;
    }

    /** The stripe a thread tries first. */
    int stripeIndex(Thread thread) {
        return (int) thread.threadId() & (stripes.length - 1);
    }

    /** Stripe {@code index} (taken modulo the stripe count), for tests in this package. */
    ThreadCache stripe(int index) {
        return stripes[index & (stripes.length - 1)];
    }

    /**
     * Clears the primary if it is this drained cache, so that a live thread can claim it. Racy, and harmless: only the
     * owner ever writes a holder naming it, before it ended, and its end happens-before the drain (JLS 17.4.4), so the
     * read here sees that holder or a later one; a claim that races with the clear names a live thread.
     */
    private void forgetPrimary(ThreadCache cache) {
        Primary holder = primary;
        if (holder != null && holder.cache == cache) {
            primary = null;
        }
    }

    /** Whether {@code thread} is the primary thread, whose cache {@link #current()} finds before the slot table. */
    boolean isPrimary(Thread thread) {
        Primary holder = primary;
        return holder != null && holder.owner == thread;
    }

    /** Clears a drained cache's slots; racy, and harmless: a lost update leaves a dead owner, which never matches. */
    private void forgetSlot(ThreadCache cache) {
        ThreadCache[] slots = bySlot;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = slotIndex(slots, cache.owner, probe);
            if (slots[slot] == cache) {
                slots[slot] = null;
            }
        }
    }

    /**
     * The registered caches of platform threads, weakly consistent (a walk survives removals); a cache is removed
     * through the iterator by the one thread that drains it, which then calls {@link #forget}.
     */
    Iterator<ThreadCache> registrations() {
        return registry.iterator();
    }

    /** Forgets a drained cache, already removed from the registry: its count, its slots, and the primary if it was. */
    void forget(ThreadCache cache) {
        registered.decrementAndGet();
        forgetSlot(cache);
        forgetPrimary(cache);
    }

    /** The caches of live and not yet reclaimed threads, then the stripes. */
    List<ThreadCache> all() {
        List<ThreadCache> all = new ArrayList<>(registry);
        all.addAll(List.of(stripes));
        return all;
    }
}
