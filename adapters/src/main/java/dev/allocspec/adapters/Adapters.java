package dev.allocspec.adapters;

import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorFactory;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.Optional;

/**
 * Real allocators behind {@link OffHeapAllocator}, for the verifier's safety profile:
 * {@code java -jar allocspec-verify.jar --impl dev.allocspec.adapters.Adapters.GLIBC}. Each constant makes a fresh
 * adapter; {@link #unavailableReason()} says why one cannot run here.
 */
public enum Adapters implements OffHeapAllocatorFactory {

    /** glibc {@code malloc}/{@code posix_memalign}/{@code free} through FFM, every free checked by a registry first. */
    GLIBC {
        @Override
        public OffHeapAllocator create() {
            return new NativeHeapAllocator(NativeHeap.glibc(), true);
        }
    },
    /**
     * glibc with no registry: every free goes to {@code free(3)} as it comes, as in C. A bad free aborts the process;
     * the verifier reports the crash of the JVM that ran the checks.
     */
    GLIBC_UNCHECKED {
        @Override
        public OffHeapAllocator create() {
            return new NativeHeapAllocator(NativeHeap.glibc(), false);
        }
    },
    /**
     * jemalloc through FFM, checked by a registry, where {@code libjemalloc.so.2} can be loaded beside the C library.
     * Debian's build uses initial-exec TLS, for which {@code dlopen} finds no room in the static TLS block ("cannot
     * allocate memory in static TLS block") unless glibc is told to keep some:
     * {@code GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384}. ({@code LD_PRELOAD} works too, but then jemalloc
     * replaces the JVM's own malloc.)
     */
    JEMALLOC {
        @Override
        public OffHeapAllocator create() {
            return new NativeHeapAllocator(NativeHeap.jemalloc(), true);
        }

        @Override
        public Optional<String> unavailableReason() {
            try {
                NativeHeap.jemalloc();
                return Optional.empty();
            } catch (IllegalArgumentException | IllegalStateException e) {
                return Optional.of("libjemalloc.so.2 could not be loaded (" + e.getMessage() + "): install "
                        + "libjemalloc2, and run with GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384 in the "
                        + "environment (Debian's build uses initial-exec TLS, which dlopen has no room for otherwise)");
            }
        }
    },
    /** Netty's {@link PooledByteBufAllocator}, direct buffers: a fresh pool per adapter. */
    NETTY_POOLED {
        @Override
        public OffHeapAllocator create() {
            return new NettyAllocator(new PooledByteBufAllocator(true));
        }
    },
    /** Netty's {@link AdaptiveByteBufAllocator}, direct buffers: a fresh one per adapter. */
    NETTY_ADAPTIVE {
        @Override
        public OffHeapAllocator create() {
            return new NettyAllocator(new AdaptiveByteBufAllocator(true, true));
        }
    },
    /** An {@code Arena.ofShared()} per block, closed by its free. */
    ARENA_PER_BLOCK {
        @Override
        public OffHeapAllocator create() {
            return new ArenaPerBlockAllocator();
        }
    }
}
