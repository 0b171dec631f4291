package dev.allocspec.benchmarks;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.BlockAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/** The allocators compared: ours with each strategy, the reference, and what a user would pick instead. */
@SuppressWarnings("restricted") // loading jemalloc and calling malloc are restricted FFM operations, on purpose
public enum Peer {
    /** The lock-free allocator on the hardware 128-bit CAS. */
    LOCKFREE_NATIVE_CAS128 {
        @Override
        BlockSource open() {
            return ours(LockFreeBlockAllocator.create(CasStrategy.NATIVE_CAS128));
        }
    },
    /** The lock-free allocator's locked fallback. */
    LOCKFREE_LOCKED {
        @Override
        BlockSource open() {
            return ours(LockFreeBlockAllocator.create(CasStrategy.LOCKED));
        }
    },
    /** The lock-free allocator on the hardware 128-bit CAS without thread caches: every operation hits the stack. */
    LOCKFREE_NATIVE_CAS128_NO_CACHE {
        @Override
        BlockSource open() {
            return ours(LockFreeBlockAllocator.builder().strategy(CasStrategy.NATIVE_CAS128).threadCache(false)
                    .build());
        }
    },
    /** The locked fallback without thread caches: every operation takes a stack's lock. */
    LOCKFREE_LOCKED_NO_CACHE {
        @Override
        BlockSource open() {
            return ours(LockFreeBlockAllocator.builder().strategy(CasStrategy.LOCKED).threadCache(false).build());
        }
    },
    /** The reference allocator: one lock, Java collections. */
    REFERENCE {
        @Override
        BlockSource open() {
            return ours(new ReferenceAllocator());
        }
    },
    /** glibc malloc/free through critical FFM downcalls: the baseline every ratio is taken against. */
    GLIBC_MALLOC {
        @Override
        BlockSource open() {
            return new NativeMalloc(Linker.nativeLinker().defaultLookup(), "glibc");
        }
    },
    /**
     * jemalloc's malloc/free through FFM, where libjemalloc.so.2 is installed and preloaded (LD_PRELOAD: Debian's
     * build uses initial-exec TLS, so dlopen refuses it).
     */
    JEMALLOC {
        @Override
        BlockSource open() {
            try {
                return new NativeMalloc(SymbolLookup.libraryLookup("libjemalloc.so.2", Arena.global()), "jemalloc");
            } catch (IllegalArgumentException notInstalled) {
                throw new IllegalStateException("libjemalloc.so.2 could not be loaded: JEMALLOC skipped (install "
                        + "libjemalloc2, and run with LD_PRELOAD=<path>/libjemalloc.so.2: its initial-exec TLS cannot "
                        + "be dlopen'ed; benchmarks/run-benchmarks.sh does this)", notInstalled);
            }
        }
    },
    /** Netty's PooledByteBufAllocator, direct buffers. */
    NETTY_POOLED {
        @Override
        BlockSource open() {
            return netty(PooledByteBufAllocator.DEFAULT);
        }
    },
    /** Netty's AdaptiveByteBufAllocator, direct buffers. */
    NETTY_ADAPTIVE {
        @Override
        BlockSource open() {
            return netty(new AdaptiveByteBufAllocator());
        }
    },
    /**
     * Calibration, not an allocator: the least a checked allocate+free pair costs here ({@link CheckedPairFloor}).
     * Pair benchmark only, sizes up to 16 KiB, one thread: not in the default peer list; {@code run-benchmarks.sh}
     * runs it by name at the pooled sizes ({@code -p peer=FLOOR_CHECKED_PAIR}).
     */
    FLOOR_CHECKED_PAIR {
        @Override
        BlockSource open() {
            return CheckedPairFloor.withStateCas();
        }
    },
    /** The same floor with a plain store for the state word's CAS: unsafe under concurrent frees, measurement only. */
    FLOOR_CHECKED_PAIR_NO_CAS {
        @Override
        BlockSource open() {
            return CheckedPairFloor.withoutStateCas();
        }
    },
    /** A confined Arena per block: allocate, then close. */
    ARENA_CONFINED {
        @Override
        BlockSource open() {
            return new BlockSource() {
                @Override
                public Object allocate(int size) {
                    Arena arena = Arena.ofConfined();
                    arena.allocate(size, 8);
                    return arena;
                }

                @Override
                public void free(Object block) {
                    ((Arena) block).close();
                }

                @Override
                public boolean crossThreadFree() {
                    return false;
                }

                @Override
                public void close() {
                }
            };
        }
    },
    /** ByteBuffer.allocateDirect; "free" leaves the buffer to the garbage collector and its cleaner. */
    BYTEBUFFER_DIRECT {
        @Override
        BlockSource open() {
            return new BlockSource() {
                @Override
                public Object allocate(int size) {
                    return ByteBuffer.allocateDirect(size);
                }

                @Override
                public void free(Object block) {
                    // nothing: the cleaner frees it after a GC, which is what this peer costs
                }

                @Override
                public void close() {
                }
            };
        }
    };

    /** Opens the peer; throws with a message where it cannot run here. */
    abstract BlockSource open();

    private static BlockSource ours(BlockAllocator allocator) {
        return new BlockSource() {
            @Override
            public Object allocate(int size) {
                return allocator.allocate(size);
            }

            @Override
            public void free(Object block) {
                allocator.free((MemorySegment) block);
            }

            @Override
            public long[] casCounts() {
                return allocator instanceof LockFreeBlockAllocator lockFree ? lockFree.casCounts() : new long[2];
            }

            @Override
            public void close() {
                allocator.close();
            }
        };
    }

    private static BlockSource netty(ByteBufAllocator allocator) {
        return new BlockSource() {
            @Override
            public Object allocate(int size) {
                return allocator.directBuffer(size, size);
            }

            @Override
            public void free(Object block) {
                ((ByteBuf) block).release();
            }

            @Override
            public void close() {
            }
        };
    }

    /** malloc and free of a C library, through critical downcalls, returning segments as our allocator does. */
    @SuppressWarnings("restricted") // downcalls and reinterpret are the point of this peer
    private static final class NativeMalloc implements BlockSource {
        private final MethodHandle malloc;
        private final MethodHandle free;

        NativeMalloc(SymbolLookup library, String name) {
            Linker linker = Linker.nativeLinker();
            this.malloc = linker.downcallHandle(library.find("malloc").orElseThrow(() ->
                            new IllegalStateException(name + " has no malloc")),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
            this.free = linker.downcallHandle(library.find("free").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), Linker.Option.critical(false));
        }

        @Override
        public Object allocate(int size) {
            try {
                return MemorySegment.ofAddress((long) malloc.invokeExact((long) size)).reinterpret(size);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void free(Object block) {
            try {
                free.invokeExact(((MemorySegment) block).address());
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
        }
    }
}
