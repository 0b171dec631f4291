package dev.allocspec.impl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The native routine is really the hardware instruction, loads where it was built, and swaps as specified. */
class NativeCas128Test {

    private static final String PLATFORM = Cas128Native.get().platform();

    @Test
    void disassemblyOfTheBuiltRoutineShowsTheHardwareInstruction() throws IOException {
        String disassembly = resource("/native/" + PLATFORM + "/disassembly.txt");
        assumeTrue(disassembly != null, "no native routine was built for " + PLATFORM);
        assumeTrue(!disassembly.startsWith("no disassembler"), "no objdump at build time");
        assertThat(disassembly).as("disassembly of allocspec_cas128").contains("<allocspec_cas128>:");
        assertHardwareInstructions(PLATFORM, disassembly);
    }

    @Test
    void everyPackagedLibraryIsListedAndItsDisassemblyShowsItsInstructions() throws IOException {
        List<String> libraries = CasStrategy.nativeLibraries();
        assumeTrue(!libraries.isEmpty(), "the build made no native library");
        for (String library : libraries) {
            String platform = library.split(" ", 2)[0];
            assertThat(library).as("how %s was built", platform).contains(" built with ");
            String disassembly = resource("/native/" + platform + "/disassembly.txt");
            assertThat(disassembly).as("disassembly of %s", platform).isNotNull();
            assertThat(resource("/native/" + platform + "/libcas128.so")).as("library for %s", platform).isNotNull();
            if (library.contains("proven by disassembly")) {
                assertHardwareInstructions(platform, disassembly);
            }
        }
    }

    /** x86-64: the locked cmpxchg16b; AArch64: both routines (LL/SC pair and LSE caspal); no library call in either. */
    private static void assertHardwareInstructions(String platform, String disassembly) {
        if (platform.endsWith("x86_64")) {
            assertThat(disassembly).contains("lock cmpxchg16b").doesNotContain("call");
        } else if (platform.endsWith("aarch64")) {
            assertThat(disassembly).contains("ldaxp").contains("stlxp").contains("caspal").doesNotContain("\tbl\t");
        }
        assertThat(disassembly).doesNotContain("__atomic").doesNotContain("__aarch64_");
    }

    @Test
    void theInstructionPathNamesTheRoutineAndTheCpuFeaturesBehindIt() {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
        String path = CasStrategy.NATIVE_CAS128.instructionPath();
        assertThat(path).contains(PLATFORM).contains("CPU: ");
        if (PLATFORM.endsWith("x86_64")) {
            assertThat(path).contains("cmpxchg16b").contains("cx16");
        } else if (PLATFORM.endsWith("aarch64")) {
            assertThat(path).containsAnyOf("caspal", "ldaxp").containsAnyOf("atomics", "no atomics");
        }
    }

    @Test
    void loadsWhereverItWasBuiltAndTheCpuHasTheInstruction() throws IOException {
        assumeTrue(resource("/native/" + PLATFORM + "/disassembly.txt") != null, "not built for " + PLATFORM);
        boolean cpuHasIt = !PLATFORM.endsWith("x86_64")
                || Files.readString(Path.of("/proc/cpuinfo")).contains(" cx16");
        assertThat(CasStrategy.NATIVE_CAS128.isAvailable()).as("NATIVE_CAS128 available (%s)",
                CasStrategy.NATIVE_CAS128.unavailableReason()).isEqualTo(cpuHasIt);
    }

    @Test
    void swapsOnlyWhenBothWordsMatch() {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(StackTopLayout.PADDED_SIZE, StackTopLayout.ALIGNMENT);
            StampedTop top = StampedTop.over(word, CasStrategy.NATIVE_CAS128);
            assertThat(top.casTop(0, 0, 1, 0x40)).isTrue();
            assertThat(top.casTop(0, 0x40, 2, 0x80)).as("stale stamp, same node: the ABA case").isFalse();
            assertThat(top.casTop(1, 0x80, 2, 0x80)).as("right stamp, wrong node").isFalse();
            assertThat(top.casTop(1, 0x40, 2, 0x80)).isTrue();
            assertThat(word.get(ValueLayout.JAVA_LONG, StackTopLayout.STAMP_OFFSET)).isEqualTo(2);
            assertThat(word.get(ValueLayout.JAVA_LONG, StackTopLayout.NODE_OFFSET)).isEqualTo(0x80);
        }
    }

    @Test
    void aJvmThatHaltsAfterLoadingTheRoutineLeavesNoFileBehind(@TempDir Path tmp) throws Exception {
        Configurations.assumeRunsHere(CasStrategy.NATIVE_CAS128);
        // Halting skips deleteOnExit, as a crash does: the file must be gone before that.
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), LoadRoutineThenHalt.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("the JVM ended").isTrue();
        assertThat(output).as("what it printed").contains("loaded: ");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(Path::getFileName).map(Path::toString)).as("files left in its temporary folder")
                    .isEmpty();
        }
    }

    /** Loads the routine and halts, for the test above. */
    static final class LoadRoutineThenHalt {
        public static void main(String[] args) {
            System.out.println("loaded: " + Cas128Native.get().instruction());
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NativeCas128Test.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
