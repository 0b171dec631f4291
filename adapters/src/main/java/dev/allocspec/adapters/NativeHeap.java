package dev.allocspec.adapters;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A C heap's {@code malloc}, {@code posix_memalign} and {@code free} as FFM downcalls: glibc's from the default lookup,
 * or jemalloc's from its library.
 */
@SuppressWarnings("restricted") // downcalls into a C heap, and loading jemalloc: what this class is for
final class NativeHeap {

    /**
     * The alignment {@code malloc} gives every block on 64-bit Linux, whatever its size; larger alignments go through
     * {@code posix_memalign}. glibc gives 16 always, but C only promises an alignment fit for any object of the size
     * asked for: jemalloc returns 8-byte-aligned blocks for requests of 8 bytes or less.
     */
    private static final long MALLOC_ALIGNMENT = 8;

    private final String name;
    private final MethodHandle malloc;
    private final MethodHandle posixMemalign;
    private final MethodHandle free;

    private NativeHeap(String name, SymbolLookup library) {
        Linker linker = Linker.nativeLinker();
        this.name = name;
        this.malloc = linker.downcallHandle(find(library, "malloc"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        this.posixMemalign = linker.downcallHandle(find(library, "posix_memalign"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG));
        this.free = linker.downcallHandle(find(library, "free"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
    }

    /** glibc's heap (the C library the JVM runs on). */
    static NativeHeap glibc() {
        return new NativeHeap("glibc", Linker.nativeLinker().defaultLookup());
    }

    /**
     * jemalloc's heap from {@code libjemalloc.so.2}.
     *
     * @throws IllegalArgumentException if the library cannot be loaded
     */
    static NativeHeap jemalloc() {
        return new NativeHeap("jemalloc", SymbolLookup.libraryLookup("libjemalloc.so.2", Arena.global()));
    }

    private static MemorySegment find(SymbolLookup library, String symbol) {
        return library.find(symbol).orElseThrow(() -> new IllegalArgumentException("no " + symbol + " in the library"));
    }

    /**
     * The address of {@code byteSize} fresh bytes aligned to {@code byteAlignment}.
     *
     * @throws OutOfMemoryError if the heap refuses
     */
    long allocate(long byteSize, long byteAlignment) {
        long address;
        try {
            if (byteAlignment <= MALLOC_ALIGNMENT) {
                address = (long) malloc.invokeExact(Math.max(1, byteSize));
            } else {
                try (Arena out = Arena.ofConfined()) {
                    MemorySegment result = out.allocate(ValueLayout.JAVA_LONG);
                    int error = (int) posixMemalign.invokeExact(result, byteAlignment, Math.max(1, byteSize));
                    address = error == 0 ? result.get(ValueLayout.JAVA_LONG, 0) : 0;
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("the " + name + " downcall failed", e);
        }
        if (address == 0) {
            throw new OutOfMemoryError(name + " refused " + byteSize + " bytes (alignment " + byteAlignment + ")");
        }
        return address;
    }

    /** Gives {@code address} back: it must be one {@link #allocate} returned and not given back since. */
    void free(long address) {
        try {
            free.invokeExact(address);
        } catch (Throwable e) {
            throw new IllegalStateException("the " + name + " downcall failed", e);
        }
    }
}
