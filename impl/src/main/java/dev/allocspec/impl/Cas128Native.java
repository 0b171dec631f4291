package dev.allocspec.impl;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The native 128-bit CAS routine ({@code libcas128.so}, built from {@code src/main/native/cas128.c} by the Maven
 * build and packaged per OS/architecture, every architecture the build could target in one jar, listed in
 * {@code native/libraries.txt}): loaded once, self-tested, and either usable or unavailable with a reason. The library
 * picks its routine when it is loaded (on AArch64: LSE {@code caspal} where the kernel reports atomics, else the
 * LL/SC loop) and names it and the CPU features behind the choice.
 *
 * <p>The downcall is <em>critical</em> ({@code Linker.Option.critical(false)}): no thread-state transition, which is
 * what makes a ~10-instruction routine worth calling. That is allowed because the routine neither blocks nor calls
 * back into Java. It takes raw addresses, not segments: the caller guarantees the top stays mapped (it lives in the
 * allocator's control segment, which only the garbage collector gives back, once the allocator is unreachable).
 */
@SuppressWarnings("restricted") // library loading and the downcall are restricted FFM operations, used on purpose
final class Cas128Native {

    private static final String LIBRARY = "libcas128.so";
    private static final String MANIFEST = "/native/libraries.txt";
    private static final Cas128Native INSTANCE = load();

    private final MethodHandle cas;
    private final String instruction;
    private final String cpuFeatures;
    private final String unavailableReason;
    private final String platform;

    private Cas128Native(MethodHandle cas, String instruction, String cpuFeatures, String unavailableReason,
                         String platform) {
        this.cas = cas;
        this.instruction = instruction;
        this.cpuFeatures = cpuFeatures;
        this.unavailableReason = unavailableReason;
        this.platform = platform;
    }

    static Cas128Native get() {
        return INSTANCE;
    }

    boolean available() {
        return cas != null;
    }

    /** What the instruction path is, e.g. {@code "x86-64 lock cmpxchg16b"}; null when unavailable. */
    String instruction() {
        return instruction;
    }

    /** The CPU features behind the routine's choice, e.g. {@code "atomics (HWCAP_ATOMICS set: ARMv8.1 LSE)"}. */
    String cpuFeatures() {
        return cpuFeatures;
    }

    /** Why the routine cannot be used; null when it can. */
    String unavailableReason() {
        return unavailableReason;
    }

    /** The {@code os-arch} directory the library is looked up under. */
    String platform() {
        return platform;
    }

    /**
     * Replaces the double word at {@code address} (16-byte aligned) with {new stamp, new node} if it holds
     * {expected stamp, expected node}. A full barrier, success or not.
     */
    boolean cas(long address, long expectStamp, long expectNode, long newStamp, long newNode) {
        try {
            return (int) cas.invokeExact(address, expectStamp, expectNode, newStamp, newNode) != 0;
        } catch (Throwable e) {
            throw new IllegalStateException("native cas128 downcall failed", e);
        }
    }

    private static Cas128Native load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z].*", "");
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> System.getProperty("os.arch", "unknown");
        };
        String platform = os + "-" + arch;
        String resource = "/native/" + platform + "/" + LIBRARY;
        try (InputStream in = Cas128Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                List<String> carried = packagedPlatforms();
                return unavailable(platform, "no " + LIBRARY + " for " + platform + " in the jar (it carries "
                        + (carried.isEmpty() ? "none" : String.join(", ", carried)) + "; the build found no "
                        + "compiler for " + platform + ", or there is no routine for it)");
            }
            Path file = Files.createTempFile("allocspec-cas128-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            SymbolLookup library = SymbolLookup.libraryLookup(file, Arena.global());
            deleteLoaded(file);
            Linker linker = Linker.nativeLinker();
            MethodHandle supported = linker.downcallHandle(library.find("allocspec_cas128_supported").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));
            MethodHandle describe = linker.downcallHandle(library.find("allocspec_cas128_instruction").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle features = linker.downcallHandle(
                    library.find("allocspec_cas128_cpu_features").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle cas = linker.downcallHandle(library.find("allocspec_cas128").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(false));
            String instruction = ((MemorySegment) describe.invokeExact()).reinterpret(128).getString(0);
            String cpuFeatures = ((MemorySegment) features.invokeExact()).reinterpret(128).getString(0);
            if ((int) supported.invokeExact() == 0) {
                return unavailable(platform, "the CPU lacks the instruction (" + instruction + "; " + cpuFeatures
                        + ")");
            }
            Cas128Native loaded = new Cas128Native(cas, instruction, cpuFeatures, null, platform);
            loaded.selfTest();
            return loaded;
        } catch (IOException e) {
            return unavailable(platform, "could not extract " + LIBRARY + ": " + e.getMessage());
        } catch (Throwable e) {
            return unavailable(platform, "could not load " + LIBRARY + ": " + e);
        }
    }

    /**
     * The libraries this jar carries, one line each as the build wrote them: the {@code os-arch} first, then how it
     * was built and which instructions its disassembly showed. Empty when the build made none.
     */
    static List<String> packagedLibraries() {
        try (InputStream in = Cas128Native.class.getResourceAsStream(MANIFEST)) {
            return in == null ? List.of() : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            return List.of("unreadable " + MANIFEST + ": " + e.getMessage());
        }
    }

    /** The {@code os-arch} of every library this jar lists and really holds. */
    static List<String> packagedPlatforms() {
        return packagedLibraries().stream().map(line -> line.split(" ", 2)[0])
                .filter(platform -> Cas128Native.class.getResource("/native/" + platform + "/" + LIBRARY) != null)
                .toList();
    }

    /**
     * Deletes the extracted library once it is loaded: it stays mapped, and deleteOnExit alone left a file in the
     * temporary folder for every JVM that crashed or halted (jcstress's forks, a crash the verifier reports). Where a
     * loaded library's file cannot be deleted, deleteOnExit stays the fallback.
     */
    private static void deleteLoaded(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException stillInUse) {
            // deleteOnExit will try again
        }
    }

    /** One successful and one failing CAS on a scratch double word: the routine does what it says. */
    private void selfTest() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment word = scratch.allocate(StackTopLayout.PADDED_SIZE, StackTopLayout.ALIGNMENT);
            word.set(ValueLayout.JAVA_LONG, StackTopLayout.STAMP_OFFSET, 7);
            word.set(ValueLayout.JAVA_LONG, StackTopLayout.NODE_OFFSET, 0x1000);
            boolean wrongStampFails = !cas(word.address(), 8, 0x1000, 9, 0x2000);
            boolean rightPairSwaps = cas(word.address(), 7, 0x1000, 8, 0x2000);
            if (!wrongStampFails || !rightPairSwaps
                    || word.get(ValueLayout.JAVA_LONG, StackTopLayout.STAMP_OFFSET) != 8
                    || word.get(ValueLayout.JAVA_LONG, StackTopLayout.NODE_OFFSET) != 0x2000) {
                throw new IllegalStateException("cas128 self-test failed");
            }
        }
    }

    private static Cas128Native unavailable(String platform, String reason) {
        return new Cas128Native(null, null, null, reason, platform);
    }
}
