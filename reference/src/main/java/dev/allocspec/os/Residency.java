package dev.allocspec.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * How much of a mapping is resident in physical memory: {@code mincore(2)} through an FFM downcall, on Linux. What
 * the tests and the verifier use to show that purged memory went back to the system.
 */
@SuppressWarnings("restricted") // FFM restricted methods: a libc downcall
public final class Residency {

    private static final Optional<MethodHandle> MINCORE = load();

    private Residency() {
    }

    /** Whether residency can be read here (Linux with {@code mincore}). */
    public static boolean isAvailable() {
        return MINCORE.isPresent();
    }

    /**
     * The bytes of {@code mapping}'s pages that are resident, counting whole pages.
     *
     * @param mapping  a page-aligned native segment whose scope is alive (kept alive for the call)
     * @param pageSize the page size
     * @throws UnsupportedOperationException if residency cannot be read here (see {@link #isAvailable()})
     * @throws IllegalArgumentException      if the segment is not page-aligned
     */
    public static long residentBytes(MemorySegment mapping, long pageSize) {
        MethodHandle mincore = MINCORE.orElseThrow(() -> new UnsupportedOperationException(
                "mincore is not available on " + System.getProperty("os.name")));
        if (mapping.address() % pageSize != 0) {
            throw new IllegalArgumentException("not page-aligned: 0x" + Long.toHexString(mapping.address()));
        }
        long pages = Math.ceilDiv(mapping.byteSize(), pageSize);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment vector = call.allocate(Math.max(1, pages));
            int rc = (int) mincore.invokeExact(mapping, pages * pageSize, vector);
            if (rc != 0) {
                throw new IllegalStateException("mincore(0x" + Long.toHexString(mapping.address()) + ") failed");
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident * pageSize;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("mincore downcall failed", e);
        }
    }

    private static Optional<MethodHandle> load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("mincore").map(symbol -> linker.downcallHandle(symbol,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS)));
    }
}
