package dev.allocspec.os;

import dev.allocspec.spec.Rejections;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Memory straight from the operating system: {@code mmap}/{@code munmap} through FFM downcalls on Linux, and on other
 * systems the portable path, {@link Arena#allocate(long, long)} aligned to the page size.
 *
 * <p>A mapping's {@code munmap} is attached to the scope the caller passes as a cleanup action, so the mapping goes
 * back to the system exactly when that scope closes, and every segment over it becomes inaccessible at that moment:
 * a stale segment fails with an exception instead of touching unmapped memory.
 */
@SuppressWarnings("restricted") // FFM restricted methods, used on purpose: see the class comment
public final class OsMemory implements MemorySource {

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_LINUX = 0x02 | 0x20;
    private static final long MAP_FAILED = -1L;
    private static final int MADV_DONTNEED_LINUX = 4;

    private static final OsMemory SYSTEM = new OsMemory();

    private final Native linux;
    private final long pageSize;

    private OsMemory() {
        this.linux = Native.load().orElse(null);
        this.pageSize = linux != null ? linux.pageSize() : 4096;
    }

    /** The operating system's memory, shared by every allocator in the JVM. */
    public static OsMemory system() {
        return SYSTEM;
    }

    @Override
    public long pageSize() {
        return pageSize;
    }

    @Override
    public String description() {
        return linux != null ? "mmap/munmap (Linux, FFM downcall)" : "Arena.allocate aligned to pages (portable)";
    }

    @Override
    public String purgeDescription() {
        return linux != null ? "madvise(MADV_DONTNEED) (Linux, FFM downcall): the range stays mapped, reads zeros"
                : MemorySource.super.purgeDescription();
    }

    /**
     * On Linux, {@code madvise(MADV_DONTNEED)} over the mapping's whole pages. The segment is passed to the downcall
     * by reference, so its scope is kept alive for the call: a concurrent close of it cannot unmap the range (and let
     * the system hand it to somebody else) while the advice runs.
     */
    @Override
    public void purge(MemorySegment mapping) {
        if (linux == null) {
            MemorySource.super.purge(mapping);
            return;
        }
        long bytes = Math.ceilDiv(mapping.byteSize(), pageSize) * pageSize;
        linux.madvise(mapping.reinterpret(bytes), bytes);
    }

    @Override
    public MemorySegment obtain(long bytes, Arena scope) {
        if (bytes < 1) {
            throw new IllegalArgumentException("a mapping needs at least 1 byte: " + bytes);
        }
        long mapped = Math.ceilDiv(bytes, pageSize) * pageSize;
        if (linux == null) {
            try {
                return scope.allocate(mapped, pageSize).asSlice(0, bytes);
            } catch (OutOfMemoryError e) {
                throw Rejections.refused(bytes, String.valueOf(e.getMessage()));
            }
        }
        long address = linux.mmap(mapped);
        Native unmapper = linux;
        try {
            return MemorySegment.ofAddress(address).reinterpret(bytes, scope,
                    ignored -> unmapper.munmap(address, mapped));
        } catch (RuntimeException scopeClosed) { // closed meanwhile (a call racing with the owner's close)
            unmapper.munmap(address, mapped);
            throw scopeClosed;
        }
    }

    /** The Linux downcalls. */
    private record Native(MethodHandle mmap, MethodHandle munmap, MethodHandle madvise, MethodHandle strerror,
                          long pageSize,
                          StructLayout captureLayout, VarHandle errno) {

        static Optional<Native> load() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                return Optional.empty();
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            try {
                StructLayout capture = Linker.Option.captureStateLayout();
                MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG),
                        Linker.Option.captureCallState("errno"));
                MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
                MethodHandle strerror = linker.downcallHandle(libc.find("strerror").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
                MethodHandle getpagesize = linker.downcallHandle(libc.find("getpagesize").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                long pageSize = (int) getpagesize.invokeExact();
                VarHandle errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                return Optional.of(new Native(mmap, munmap, madvise, strerror, pageSize, capture, errno));
            } catch (Throwable e) {
                // No usable libc symbols: the portable path serves instead, and description() says so.
                return Optional.empty();
            }
        }

        long mmap(long bytes) {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(captureLayout);
                long address = (long) mmap.invokeExact(state, 0L, bytes, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS_LINUX, -1, 0L);
                if (address == MAP_FAILED) {
                    int code = (int) errno.get(state, 0L);
                    throw Rejections.refused(bytes, "mmap failed with errno " + code + " (" + describe(code) + ")");
                }
                return address;
            } catch (OutOfMemoryError | RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("mmap downcall failed", e);
            }
        }

        void munmap(long address, long bytes) {
            try {
                int rc = (int) munmap.invokeExact(address, bytes);
                if (rc != 0) {
                    // Runs as a scope cleanup, where nothing can be thrown to a caller; a failed munmap of a range
                    // we mapped ourselves means the process's memory map is broken.
                    throw new InternalError("munmap(0x" + Long.toHexString(address) + ", " + bytes + ") failed");
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("munmap downcall failed", e);
            }
        }

        void madvise(MemorySegment range, long bytes) {
            int rc;
            try {
                rc = (int) madvise.invokeExact(range, bytes, MADV_DONTNEED_LINUX);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("madvise downcall failed", e);
            }
            if (rc != 0) {
                // The range is one we mapped and hold alive: a failure means the process's memory map is broken.
                throw new InternalError("madvise(0x" + Long.toHexString(range.address()) + ", " + bytes
                        + ", MADV_DONTNEED) failed");
            }
        }

        private String describe(int code) {
            try {
                MemorySegment text = (MemorySegment) strerror.invokeExact(code);
                return text.reinterpret(256).getString(0);
            } catch (Throwable e) {
                return "strerror unavailable";
            }
        }
    }
}
