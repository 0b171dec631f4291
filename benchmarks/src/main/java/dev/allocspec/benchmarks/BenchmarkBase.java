package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What every benchmark shares: one fork per configuration with native access, short warm-up and
 * measurement (the machine has two cores; the documented full run must stay under half an hour), and the peer under
 * test, opened once per trial. Five measured iterations, not three: JMH's 99.9 % interval multiplies the spread by
 * Student's t, 31.6 for three iterations and 8.6 for five, so with three the error bars came out wider than the
 * scores themselves.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 2, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@State(Scope.Benchmark)
public abstract class BenchmarkBase {

    /** The allocator under test. */
    @Param({"LOCKFREE_NATIVE_CAS128", "LOCKFREE_LOCKED", "LOCKFREE_NATIVE_CAS128_NO_CACHE", "LOCKFREE_LOCKED_NO_CACHE",
        "REFERENCE", "GLIBC_MALLOC", "JEMALLOC", "NETTY_POOLED",
        "NETTY_ADAPTIVE", "ARENA_CONFINED", "BYTEBUFFER_DIRECT"})
    public Peer peer;

    /** Block size: each pooled class and one raw size. */
    @Param({"64", "256", "1024", "4096", "16384", "65536"})
    public int size;

    /** The peer opened in this fork, for {@link CasCounters} (one trial per fork, so one at a time). */
    static volatile BlockSource opened;

    protected BlockSource source;

    @Setup
    public void openPeer() {
        source = peer.open();
        opened = source;
    }

    @TearDown
    public void closePeer() {
        beforeClose();
        source.close();
    }

    /**
     * Runs once every thread has finished the trial, before the peer closes: gives back what the threads still hold.
     * Thread-scoped teardowns cannot do it: JMH may run them after this state's teardown has closed the peer.
     */
    protected void beforeClose() {
    }
}
