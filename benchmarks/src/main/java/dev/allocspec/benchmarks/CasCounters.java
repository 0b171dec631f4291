package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * CASes on the free-stack tops in each iteration, reported as secondary results ({@code casCalls},
 * {@code casFailures}, as rates): for NATIVE_CAS128 each is one native downcall, for LOCKED one lock entry. Zero for
 * peers that expose no counts, and for ours unless the fork runs with {@code -Dallocspec.countCas=true}. The report
 * tool divides them by the operation rate to get CASes per operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class CasCounters {

    /** This thread's share of the CASes on the tops during the iteration. */
    public long casCalls;
    /** This thread's share of the CASes that failed and were retried. */
    public long casFailures;

    private long[] start;

    @Setup(Level.Iteration)
    public void begin() {
        start = BenchmarkBase.opened.casCounts();
    }

    @TearDown(Level.Iteration)
    public void end(BenchmarkParams params) {
        long[] now = BenchmarkBase.opened.casCounts();
        casCalls = (now[0] - start[0]) / params.getThreads();
        casFailures = (now[1] - start[1]) / params.getThreads();
    }
}
