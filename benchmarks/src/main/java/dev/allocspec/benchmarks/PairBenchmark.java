package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

/** One allocate and one free of the same size on one thread: the latency of a pair. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PairBenchmark extends BenchmarkBase {

    @Benchmark
    @Threads(1)
    public Object allocateFree() {
        Object block = source.allocate(size);
        source.free(block);
        return block;
    }
}
