package dev.allocspec.properties.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A concurrent history: every call that threads made on one allocator, with its invocation and response on a shared
 * logical clock. The clock is one {@link AtomicLong}, whose increments are totally ordered and agree with real time:
 * a call whose response tick is below another's invocation tick really ended before the other began. Recording costs
 * two atomic increments per call, which perturbs schedules less than a timestamp read.
 */
public final class History {

    private final AtomicLong clock = new AtomicLong();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

    /** The next instant: taken just before a call (its invocation) and just after it (its response). */
    public long tick() {
        return clock.getAndIncrement();
    }

    /** Records a completed call. */
    public void record(Call call) {
        calls.add(call);
    }

    /** Every recorded call, in invocation order. */
    public List<Call> calls() {
        List<Call> sorted = new ArrayList<>(calls);
        sorted.sort(Comparator.comparingLong(Call::invokedAt));
        return sorted;
    }
}
