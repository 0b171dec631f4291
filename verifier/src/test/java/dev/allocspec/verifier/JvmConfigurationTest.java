package dev.allocspec.verifier;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JVM-configuration matrix, and the command lines of the checking JVMs it starts. */
class JvmConfigurationTest {

    private static final List<String> G1 = List.of("G1 Young Generation", "G1 Concurrent GC", "G1 Old Generation");

    @Test
    void theMatrixIsAsStartedC1OnlyTheInterpreterAndAnotherCollector() {
        assertThat(JvmConfiguration.matrix(G1)).extracting(JvmConfiguration::name)
                .containsExactly("as started", "C1 only", "interpreter", "Parallel GC");
        assertThat(JvmConfiguration.matrix(List.of("ZGC Cycles", "ZGC Pauses")).getLast().options())
                .containsExactly("-XX:+UseG1GC");
    }

    @Test
    void aConfigurationThatPicksACollectorReplacesTheOneGivenAndKeepsEveryOtherOption() {
        JvmConfiguration parallel = JvmConfiguration.matrix(G1).getLast();
        List<String> command = CheckingJvm.command(List.of("-Xmx2g", "-XX:+UseZGC", "-XX:+UseCompressedOops",
                "-XX:+UseAdaptiveSizePolicyWithSystemGC"), parallel, new Progress.Position(3, 9, 42),
                Path.of("crash.log"), Path.of("journal"), List.of("--depth", "standard"));
        assertThat(command).contains("-Xmx2g", "-XX:+UseCompressedOops", "-XX:+UseAdaptiveSizePolicyWithSystemGC",
                "-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED", "-XX:ErrorFile=crash.log",
                "-Dallocspec.verify.configuration=Parallel GC", "-Dallocspec.verify.progress=3,9,42",
                "-Dallocspec.verify.journal=journal")
                .doesNotContain("-XX:+UseZGC").endsWith(VerifyCommand.class.getName(), "--depth", "standard");
    }

    @Test
    void theConfigurationAsStartedPassesTheOptionsGivenOnAsTheyAre() {
        List<String> command = CheckingJvm.command(List.of("-XX:+UseZGC", "--enable-native-access=ALL-UNNAMED"),
                JvmConfiguration.AS_STARTED, new Progress.Position(0, 9, 42), Path.of("crash.log"), Path.of("journal"),
                List.of());
        assertThat(command).contains("-XX:+UseZGC", "-Dallocspec.verify.configuration=as started")
                .filteredOn(option -> option.startsWith("--enable-native-access")).hasSize(1);
    }

    @Test
    void namesLabelsAndFilesSayWhichConfigurationRan() {
        JvmConfiguration c1 = JvmConfiguration.matrix(G1).get(1);
        assertThat(c1.label("lock-free LOCKED")).isEqualTo("lock-free LOCKED [C1 only]");
        assertThat(c1.describe("LOCKED")).isEqualTo("LOCKED [C1 only: -XX:TieredStopAtLevel=1]");
        assertThat(c1.fileSuffix()).isEqualTo("-c1-only");
        assertThat(JvmConfiguration.AS_STARTED.label("lock-free LOCKED")).isEqualTo("lock-free LOCKED");
        assertThat(JvmConfiguration.AS_STARTED.fileSuffix()).isEmpty();
    }
}
