package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Producer/consumer: one thread allocates and hands blocks over a bounded queue, another frees them, so every block
 * is freed by another thread than the one that allocated it. Peers that cannot free across threads
 * (ARENA_CONFINED) are skipped with a message.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandoffBenchmark extends BenchmarkBase {

    private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);

    @Setup
    public void requireCrossThreadFree() {
        if (!source.crossThreadFree()) {
            throw new IllegalStateException(peer + " cannot free a block on another thread: skipped");
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void produce(Blackhole bh) {
        Object block = source.allocate(size);
        if (!queue.offer(block)) {
            source.free(block); // the consumer is behind: free here rather than block
            bh.consume(false);
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void consume(Blackhole bh) {
        Object block = queue.poll();
        if (block != null) {
            source.free(block);
        } else {
            bh.consume(true);
        }
    }
}
