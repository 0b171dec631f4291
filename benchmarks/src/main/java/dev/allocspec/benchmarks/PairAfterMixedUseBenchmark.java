package dev.allocspec.benchmarks;

import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pair of {@link PairBenchmark} (its benchmark method, inherited), measured after the peer has served every kind
 * of caller an application has: every pooled size and a raw one, virtual threads, and frees on another thread than
 * the allocating one. The JIT then compiles the peer's entry points with all their paths in use, as it would in an
 * application, instead of with the one path a pair-only benchmark takes; how fast the pair is then is closer to what
 * an application sees. Not named *PairBenchmark, so that a JMH pattern {@code PairBenchmark} selects the plain pair
 * only.
 */
public class PairAfterMixedUseBenchmark extends PairBenchmark {

    /** Sizes of every pooled class, and one raw size every {@link #RAW_EVERY} operations. */
    private static final int[] SIZES = {64, 100, 1000, 4000, 16000};
    private static final int RAW_SIZE = 20_000;
    private static final int RAW_EVERY = 1000;
    private static final int ROUNDS = 20;
    private static final int OPERATIONS = 20_000;

    @Setup
    public void serveEveryKindOfCaller() throws InterruptedException {
        for (int round = 0; round < ROUNDS; round++) {
            try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 4; t++) {
                    virtualThreads.submit(this::pairsOfEverySize);
                }
            }
            pairsOfEverySize();
            if (source.crossThreadFree()) {
                handOff();
            }
        }
    }

    private void pairsOfEverySize() {
        for (int i = 0; i < OPERATIONS; i++) {
            source.free(source.allocate(i % RAW_EVERY == 0 ? RAW_SIZE : SIZES[i % SIZES.length]));
        }
    }

    /** This thread allocates, another frees. */
    private void handOff() throws InterruptedException {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < OPERATIONS; i++) {
                    source.free(queue.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < OPERATIONS; i++) {
            queue.put(source.allocate(SIZES[i % SIZES.length]));
        }
        consumer.join();
    }

}
