package dev.allocspec.benchmarks;

import dev.allocspec.spec.BlockAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * One allocate followed by one free of the same size: the latency of a pair, on one thread and with two threads
 * sharing one allocator (so they contend on the same free stack top).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class AllocFreePairBenchmark {

    @Param({"LOCKFREE_NATIVE_CAS128", "LOCKFREE_LOCKED", "REFERENCE"})
    public AllocatorFactory allocator;

    @Param({"64"})
    public long size;

    private BlockAllocator instance;

    @Setup(Level.Trial)
    public void open() {
        instance = allocator.create();
    }

    @TearDown(Level.Trial)
    public void close() {
        instance.close();
    }

    @Benchmark
    @Threads(1)
    public MemorySegment pairOneThread() {
        return pair();
    }

    @Benchmark
    @Threads(2)
    public MemorySegment pairTwoThreads() {
        return pair();
    }

    private MemorySegment pair() {
        MemorySegment block = instance.allocate(size);
        instance.free(block);
        return block;
    }
}
