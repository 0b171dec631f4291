package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Random-slot churn, the pattern of Netty's allocator benchmarks: each thread keeps a table of 8192 live blocks;
 * every operation frees a random slot and allocates into it. Throughput per thread count: 1, 2 and 4 threads share
 * one allocator; {@link #churnInCrowd} is one thread among many idle threads that hold caches. With
 * {@code -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Dallocspec.countCas=true"} the {@link CasCounters} report
 * CASes on the stack tops; the timing runs leave counting off.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChurnBenchmark extends BenchmarkBase {

    /** One thread's table of live blocks and its random sequence. */
    @State(Scope.Thread)
    public static class Slots {
        static final int SLOTS = 8192;
        final Object[] blocks = new Object[SLOTS];
        int random = 0x9E3779B9;

        @Setup(Level.Trial)
        public void fill(ChurnBenchmark benchmark) {
            random ^= (int) Thread.currentThread().threadId();
            for (int i = 0; i < SLOTS; i++) {
                blocks[i] = benchmark.source.allocate(benchmark.size);
            }
            benchmark.tables.add(this);
        }


        int next() {
            random ^= random << 13;
            random ^= random >>> 17;
            random ^= random << 5;
            return random & (SLOTS - 1);
        }
    }

    /**
     * Platform threads that have each allocated and freed one block, so that each holds a thread cache of the
     * allocators that have them, and then wait for the trial to end: what a server's idle pool threads leave behind.
     * {@link #churnInCrowd} churns on one thread among them.
     */
    @State(Scope.Benchmark)
    public static class Crowd {
        /** How many waiting threads hold a cache. */
        @Param({"0", "1000", "10000"})
        public int crowd;

        private final CountDownLatch trialOver = new CountDownLatch(1);
        private final List<Thread> threads = new ArrayList<>();

        @Setup(Level.Trial)
        public void gather(ChurnBenchmark benchmark) throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(crowd);
            for (int i = 0; i < crowd; i++) {
                threads.add(Thread.ofPlatform().stackSize(64 * 1024).start(() -> {
                    benchmark.source.free(benchmark.source.allocate(benchmark.size));
                    holding.countDown();
                    awaitUninterruptibly(trialOver);
                }));
            }
            holding.await();
        }

        @TearDown(Level.Trial)
        public void disperse() throws InterruptedException {
            trialOver.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
        }

        private static void awaitUninterruptibly(CountDownLatch latch) {
            boolean interrupted = false;
            while (true) {
                try {
                    latch.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every thread's table, drained when the trial ends (see {@link BenchmarkBase#beforeClose()}). */
    private final Queue<Slots> tables = new ConcurrentLinkedQueue<>();

    @Override
    protected void beforeClose() {
        if (source.crossThreadFree()) { // a confined peer's blocks die with its fork instead
            for (Slots slots : tables) {
                for (Object block : slots.blocks) {
                    source.free(block);
                }
            }
        }
        tables.clear();
    }

    @Benchmark
    @Threads(1)
    public void churn1(Slots slots, CasCounters counters) {
        churn(slots);
    }

    @Benchmark
    @Threads(2)
    public void churn2(Slots slots, CasCounters counters) {
        churn(slots);
    }

    @Benchmark
    @Threads(4)
    public void churn4(Slots slots, CasCounters counters) {
        churn(slots);
    }

    /** One thread's churn while {@link Crowd#crowd} other platform threads hold caches and wait. */
    @Benchmark
    @Threads(1)
    public void churnInCrowd(Slots slots, Crowd crowd) {
        churn(slots);
    }

    private void churn(Slots slots) {
        int slot = slots.next();
        source.free(slots.blocks[slot]);
        slots.blocks[slot] = source.allocate(size);
    }
}
