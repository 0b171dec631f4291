package dev.allocspec.verifier;

import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What platform a verification ran on: the JVM, its JIT and GC, the OS and CPU, and what the allocator can use there.
 *
 * @param jvmVendor         {@code java.vm.vendor}
 * @param jvmVersion        {@code java.runtime.version}
 * @param vmName            {@code java.vm.name}
 * @param vmInfo            {@code java.vm.info} (interpreted, mixed mode...)
 * @param jit               the JIT compiler's name, or "none"
 * @param gcs               the garbage collectors in use
 * @param os                OS name and version
 * @param arch              {@code os.arch}
 * @param cpuModel          the CPU model, where the OS tells it
 * @param cpuFeatures       the features that matter: cx16 (x86-64), atomics / LSE (AArch64)
 * @param pageSize          the page size
 * @param cores             available processors
 * @param memorySource      how the allocator obtains memory
 * @param nativeCas128      whether the native 128-bit CAS routine loaded
 * @param instructionPath   the native routine that runs here and the CPU features behind its choice, or why it is
 *                          unavailable
 * @param nativeLibraries   the native libraries the jar carries, one per architecture, with the instructions their
 *                          disassembly showed at build time
 * @param automaticStrategy what {@code LockFreeBlockAllocator.create()} picks here, and why
 */
public record Fingerprint(String jvmVendor, String jvmVersion, String vmName, String vmInfo, String jit,
                          List<String> gcs, String os, String arch, String cpuModel, List<String> cpuFeatures,
                          long pageSize, int cores, String memorySource, boolean nativeCas128,
                          String instructionPath, List<String> nativeLibraries, String automaticStrategy) {

    /** Reads the fingerprint of the running platform. */
    public static Fingerprint probe() {
        var compiler = ManagementFactory.getCompilationMXBean();
        List<String> gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        String automatic;
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.create()) {
            automatic = allocator.strategyReport();
        } catch (RuntimeException e) {
            automatic = "cannot create: " + e.getMessage();
        }
        String[] cpu = cpu();
        return new Fingerprint(System.getProperty("java.vm.vendor"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), System.getProperty("java.vm.info"),
                compiler == null ? "none" : compiler.getName(), gcs,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"),
                cpu[0], cpu[1].isEmpty() ? List.of() : List.of(cpu[1].split(" ")), OsMemory.system().pageSize(),
                Runtime.getRuntime().availableProcessors(), OsMemory.system().description(),
                CasStrategy.NATIVE_CAS128.isAvailable(), CasStrategy.NATIVE_CAS128.instructionPath(),
                CasStrategy.nativeLibraries(), automatic);
    }

    /** CPU model and the features that matter, from /proc/cpuinfo where there is one. */
    private static String[] cpu() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return new String[] {"unknown (no /proc/cpuinfo)", ""};
        }
        try {
            String model = "unknown";
            List<String> features = new ArrayList<>();
            for (String line : Files.readAllLines(cpuinfo)) {
                String key = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT)
                        : "";
                String value = line.contains(":") ? line.substring(line.indexOf(':') + 1).trim() : "";
                if (model.equals("unknown") && (key.equals("model name") || key.equals("cpu model")
                        || key.equals("hardware"))) {
                    model = value;
                }
                if (features.isEmpty() && (key.equals("flags") || key.equals("features"))) {
                    for (String flag : value.split("\\s+")) {
                        if (flag.equals("cx16") || flag.equals("atomics") || flag.equals("lse")) {
                            features.add(flag);
                        }
                    }
                    if (features.isEmpty()) {
                        features.add("none of cx16/atomics");
                    }
                }
            }
            return new String[] {model, String.join(" ", features)};
        } catch (IOException e) {
            return new String[] {"unknown (" + e.getMessage() + ")", ""};
        }
    }
}
