package dev.allocspec.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allocspec.os.Residency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the packaged jar end to end, as a porting engineer would, at a tiny depth: the verdict, the fingerprint, the
 * exit codes, a negative-control implementation that must fail naming the broken invariant, an implementation that
 * crashes the JVM, one whose bug only the JVM-configuration matrix shows, and --compare.
 */
class VerifierEndToEndIT {

    private static final Path JAR = Path.of("target", "allocspec-verify.jar").toAbsolutePath();
    /** Where {@link CrashingAllocatorFactory} is, for the run that puts it on the class path beside the jar. */
    private static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();

    record Result(int exitCode, String output) {
    }

    @Test
    void projectAllocatorPassesWithAFullFingerprint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Result run = verify(dir, "--tries", "20", "--jcstress-filter", "PopPopTest\\.One", "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("allocspec-verify: PASS");

        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        assertThat(report.path("schemaVersion").asInt()).isEqualTo(Report.SCHEMA_VERSION);
        assertThat(report.path("verdict").asText()).isEqualTo("PASS");
        JsonNode fingerprint = report.path("fingerprint");
        for (String field : List.of("jvmVendor", "jvmVersion", "vmName", "jit", "os", "arch", "cpuModel",
                "instructionPath", "automaticStrategy")) {
            assertThat(fingerprint.path(field).asText()).as("fingerprint.%s", field).isNotBlank();
        }
        assertThat(fingerprint.path("gcs").size()).isPositive();
        List<String> libraries = new ArrayList<>();
        fingerprint.path("nativeLibraries").forEach(l -> libraries.add(l.asText()));
        if (fingerprint.path("nativeCas128").asBoolean()) {
            assertThat(libraries).as("the jar's libraries, the running platform's among them")
                    .anyMatch(l -> fingerprint.path("instructionPath").asText().contains(l.split(" ")[0]));
            assertThat(fingerprint.path("instructionPath").asText()).as("routine and CPU features").contains("CPU: ");
            assertThat(report.path("notValidated").size()).as("nothing left unvalidated").isZero();
        }
        assertThat(fingerprint.path("pageSize").asLong()).isPositive();
        assertThat(fingerprint.path("cores").asInt()).isPositive();
        assertThat(report.path("invariants").size()).isGreaterThanOrEqualTo(15);
        assertThat(report.path("findings").toString()).contains("\"stage\":\"jcstress\"")
                .contains("\"stage\":\"aba-replay\"").contains("\"stage\":\"negative-controls\"")
                .contains("\"stage\":\"long-runs\"");
        String markdown = Files.readString(out.resolve("report.md"));
        assertThat(markdown).startsWith("# allocspec verification: PASS").contains("| INV-SINGLE-OWNER | safety | PASS")
                .contains("| native libraries in this jar | ");
        if (Residency.isAvailable()) {
            assertThat(markdown).as("purged memory measured on this machine").contains("## Measured on this machine")
                    .contains("residency: a freed 32 MiB peak after purge()").contains("resident before purge() ")
                    .contains("| INV-PURGED-ZERO | family | PASS");
        }
    }

    @Test
    void aJarWithoutThisArchitecturesLibrarySaysInTheVerdictThatTheNativeCasWasNotValidated(@TempDir Path dir)
            throws Exception {
        String platform = "linux-" + (System.getProperty("os.arch").equals("amd64") ? "x86_64"
                : System.getProperty("os.arch"));
        Path jar = dir.resolve("allocspec-verify-without-" + platform + ".jar");
        Files.copy(JAR, jar);
        // As a build on a machine with no compiler for this architecture makes it: no library, not in the list.
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            Path library = zip.getPath("native", platform);
            assumeTrue(Files.isDirectory(library), "the jar carries no library for " + platform + " anyway");
            try (var files = Files.list(library)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(library);
            Path list = zip.getPath("native", "libraries.txt");
            Files.write(list, Files.readAllLines(list).stream().filter(l -> !l.startsWith(platform + " ")).toList());
        }
        Path out = dir.resolve("report");
        Result run = run(dir, List.of("-jar", jar.toString()), "--thread-cache", "off", "--tries", "3",
                "--no-jcstress", "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("allocspec-verify: PASS")
                .contains("NATIVE_CAS128 not validated here: no libcas128.so for " + platform + " in the jar (it "
                        + "carries ").contains("only the LOCKED fallback was verified");
        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        assertThat(report.path("notValidated").toString()).contains("NATIVE_CAS128 not validated here");
        assertThat(report.path("strategies").toString()).contains("LOCKED").doesNotContain("NATIVE_CAS128");
        assertThat(report.path("fingerprint").path("nativeLibraries").toString()).doesNotContain(platform);
        assertThat(Files.readString(out.resolve("report.md"))).contains("**NATIVE_CAS128 not validated here: ");
    }

    @Test
    void anOlderJavaRelaunchesTheJarOnAJdkItFinds(@TempDir Path dir) throws Exception {
        Path older = olderJavaHere();
        assumeTrue(older != null, "no java older than 22 on this machine");
        List<String> command = List.of(older.resolve("bin").resolve("java").toString(), "-jar", JAR.toString(),
                "--version");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("allocspec-verify: this java is ").contains("running on the JDK ")
                .contains("allocspec-verify " + Report.version());
    }

    /** A JDK older than 22 in the system's JVM folder (Debian's default java 17 on the build machines), or null. */
    private static Path olderJavaHere() throws IOException {
        Path folder = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(folder)) {
            return null;
        }
        try (var homes = Files.list(folder)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
                    .filter(home -> {
                        try {
                            String release = Files.readString(home.resolve("release"));
                            String version = release.replaceAll("(?s).*JAVA_VERSION=\"(\\d+).*", "$1");
                            return version.matches("\\d+") && Integer.parseInt(version) < 22;
                        } catch (IOException e) {
                            return false;
                        }
                    }).findFirst().orElse(null);
        }
    }

    @Test
    void negativeControlImplementationFailsWithExitOneAndNamesTheInvariant(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Result run = verify(dir, "--impl", "dev.allocspec.properties.controls.NegativeControl.OVERLAPPING_CARVE",
                "--profile", "family", "--tries", "50", "--no-jcstress", "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("allocspec-verify: FAIL").contains("violated: INV-ARENA-CONTAINMENT");
        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        assertThat(report.path("verdict").asText()).isEqualTo("FAIL");
        assertThat(report.path("policyDiffers").isNull()).as("an allocator whose blocks overlap is no safe allocator "
                + "of another policy").isTrue();
        assertThat(Files.readString(out.resolve("report.md"))).contains("| INV-ARENA-CONTAINMENT | family | **FAIL**")
                .contains("## Failures").contains("shrunk to");
    }

    @Test
    void aFaultThatShowsOnlyAfterFiveHundredAllocationsFailsTheQuickRun(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Result run = verify(dir, "--impl",
                "dev.allocspec.properties.controls.NegativeControl.DUPLICATES_AFTER_500_ALLOCATIONS", "--tries", "5",
                "--no-jcstress",
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("allocspec-verify: FAIL");
        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        List<String> failed = new ArrayList<>();
        report.path("findings").forEach(f -> {
            if (!f.path("passed").asBoolean()) {
                failed.add(f.path("check").asText());
            }
        });
        assertThat(failed).as("the long-lived tries and the soak find it; short tries alone would not")
                .anyMatch(check -> check.startsWith("state machine")).anyMatch(check -> check.startsWith("soak"));
    }

    @Test
    void aCrashOfTheImplementationIsReportedAsAFailureThatKeepsTheChecksBeforeIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Result run = verifyWithTestClasses(dir, "--impl", CrashingAllocatorFactory.class.getName(), "--profile",
                "family", "--tries", "5", "--no-jcstress", "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("allocspec-verify: FAIL")
                .contains("the checking JVM died during the stage 'state-machine properties (family profile): "
                        + CrashingAllocatorFactory.class.getName() + "'");
        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        assertThat(report.path("verdict").asText()).isEqualTo("FAIL");
        List<JsonNode> findings = new ArrayList<>();
        report.path("findings").forEach(findings::add);
        assertThat(findings).filteredOn(f -> f.path("stage").asText().equals("contract"))
                .as("the contract tests before the crash are kept").hasSizeGreaterThan(20)
                .allMatch(f -> f.path("passed").asBoolean());
        JsonNode death = findings.getLast();
        assertThat(death.path("stage").asText()).isEqualTo("checking-jvm");
        assertThat(death.path("passed").asBoolean()).isFalse();
        assertThat(death.path("detail").asText()).contains("exit code 134").contains("SIGSEGV")
                .contains(out.resolve("hs_err_checking_jvm.log").toString());
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Failures")
                .contains("the checking JVM died");
    }

    @Test
    void theJvmMatrixCatchesABugThatOnlyTheInterpreterShows(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Result run = verifyWithTestClasses(dir, "--impl", InterpreterOnlyBugFactory.class.getName(), "--jvm-matrix",
                "--profile", "family", "--tries", "5", "--no-jcstress", "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("violated: INV-SIZE-CLASS");
        JsonNode report = Report.json().readTree(out.resolve("report.json").toFile());
        List<String> verified = new ArrayList<>();
        report.path("strategies").forEach(v -> verified.add(v.asText()));
        String factory = InterpreterOnlyBugFactory.class.getName();
        String family = factory + " (family profile)";
        assertThat(verified).hasSize(4).startsWith(family, family + " [C1 only: -XX:TieredStopAtLevel=1]",
                family + " [interpreter: -Xint]");
        List<JsonNode> findings = new ArrayList<>();
        report.path("findings").forEach(findings::add);
        for (String configuration : List.of("[C1 only]", "[interpreter]", " GC]")) { // Parallel GC, or G1 GC
            assertThat(findings).as("findings under %s", configuration)
                    .anyMatch(f -> f.path("target").asText().endsWith(configuration));
        }
        assertThat(findings).filteredOn(f -> !f.path("passed").asBoolean()).isNotEmpty()
                .allMatch(f -> f.path("target").asText().endsWith("[interpreter]"));
        assertThat(out.resolve("verification-interpreter.log")).exists();
    }

    /** A correct allocator of another policy, in the jar (the reference's test-jar). */
    private static final String FIFO_REUSE = "dev.allocspec.spec.ExampleAllocators.FIFO_REUSE";

    @Test
    void aSafeAllocatorOfAnotherPolicyPassesTheSafetyProfileAndFailsTheFamilyOneOnPolicyAlone(@TempDir Path dir)
            throws Exception {
        Path safetyOut = dir.resolve("safety");
        Result safety = verify(dir, "--impl", FIFO_REUSE, "--tries", "5", "--no-jcstress", "--out",
                safetyOut.toString());
        assertThat(safety.exitCode()).as(safety.output()).isZero();
        assertThat(safety.output()).contains("allocspec-verify: PASS");
        JsonNode report = Report.json().readTree(safetyOut.resolve("report.json").toFile());
        assertThat(report.path("profile").asText()).isEqualTo("safety");
        Map<String, String> results = new HashMap<>();
        report.path("invariants").forEach(row -> results.put(row.path("id").asText(), row.path("result").asText()));
        assertThat(results).containsEntry("INV-LIFO", "NOT APPLICABLE").containsEntry("INV-REFINEMENT",
                "NOT APPLICABLE").containsEntry("INV-DISJOINT", "PASS").containsEntry("INV-REJECT-DOUBLE-FREE", "PASS")
                .containsEntry("INV-LINEARIZABLE", "PASS");

        Path familyOut = dir.resolve("family");
        Result family = verify(dir, "--impl", FIFO_REUSE, "--profile", "family", "--tries", "5", "--no-jcstress",
                "--out", familyOut.toString());
        assertThat(family.exitCode()).as(family.output()).isEqualTo(1);
        assertThat(family.output()).contains("allocspec-verify: FAIL").contains("policy differs: ")
                .contains("violated: INV-LIFO");
        JsonNode familyReport = Report.json().readTree(familyOut.resolve("report.json").toFile());
        assertThat(familyReport.path("policyDiffers").asText()).contains("INV-LIFO").contains("INV-REFINEMENT");
    }

    @Test
    void anAdapterVerifiedInTheSafetyProfilePassesAndOneWithoutARegistryCrashesTheCheckingJvm(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("glibc");
        Result glibc = verify(dir, "--impl", "dev.allocspec.adapters.Adapters.GLIBC", "--tries", "5", "--out",
                out.toString());
        assertThat(glibc.exitCode()).as(glibc.output()).isZero();
        assertThat(Files.readString(out.resolve("report.md"))).contains("profile: **safety**")
                .contains("| INV-LIFO | family | NOT APPLICABLE |").contains("note: INV-OOM-RECOVERABLE");

        Path crashOut = dir.resolve("unchecked");
        Result unchecked = verify(dir, "--impl", "dev.allocspec.adapters.Adapters.GLIBC_UNCHECKED", "--tries", "5",
                "--out", crashOut.toString());
        assertThat(unchecked.exitCode()).as(unchecked.output()).isEqualTo(1);
        assertThat(unchecked.output()).contains("allocspec-verify: FAIL")
                .contains("the checking JVM died during the stage 'contract tests (safety profile): "
                        + "dev.allocspec.adapters.Adapters.GLIBC_UNCHECKED, test ");
    }

    @Test
    void anAllocatorThatCannotBeMadeHereIsNotRunWithExitThree(@TempDir Path dir) throws Exception {
        // Without the environment that makes room for jemalloc's TLS (CI sets it), Debian's jemalloc cannot load.
        Result run = run(dir, List.of("-jar", JAR.getFileName().toString()), List.of("GLIBC_TUNABLES", "LD_PRELOAD"),
                "--impl", "dev.allocspec.adapters.Adapters.JEMALLOC", "--no-jcstress");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(VerifyCommand.NOT_RUN);
        assertThat(run.output()).contains("allocspec-verify: NOT RUN").contains("libjemalloc.so.2");
    }

    @Test
    void aFamilyProfileForAnAllocatorThatIsNotOfTheFamilyIsAUsageError(@TempDir Path dir) throws Exception {
        Result run = verify(dir, "--impl", "dev.allocspec.adapters.Adapters.ARENA_PER_BLOCK", "--profile", "family",
                "--no-jcstress");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--profile family needs a family allocator").contains("--profile safety");
        assertThat(verify(dir, "--profile", "strict").exitCode()).isEqualTo(2);
    }

    @Test
    void usageErrorsExitWithTwo(@TempDir Path dir) throws Exception {
        assertThat(verify(dir, "--depth", "thorough").exitCode()).isEqualTo(2);
        Result noSuchImpl = verify(dir, "--impl", "com.example.NoSuchFactory", "--no-jcstress");
        assertThat(noSuchImpl.exitCode()).isEqualTo(2);
        assertThat(noSuchImpl.output()).contains("com.example.NoSuchFactory").contains("no such class");
        assertThat(verify(dir, "--strategy", "CAS256").exitCode()).isEqualTo(2);
        Result help = verify(dir, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).contains("--depth").contains("--compare").contains("Exit codes");
    }

    @Test
    void compareNamesWhatDiffers(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Files.writeString(a, "{\"schemaVersion\":1,\"verdict\":\"PASS\",\"fingerprint\":{\"arch\":\"amd64\"},"
                + "\"invariants\":[{\"id\":\"INV-ALIGN\",\"result\":\"PASS\"}]}");
        Files.writeString(b, "{\"schemaVersion\":1,\"verdict\":\"FAIL\",\"fingerprint\":{\"arch\":\"aarch64\","
                + "\"nativeLibraries\":[\"linux-aarch64\"]},"
                + "\"invariants\":[{\"id\":\"INV-ALIGN\",\"result\":\"FAIL\"}]}");
        Result run = verify(dir, "--compare", a.toString(), b.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("verdict: PASS -> FAIL").contains("platform.arch: amd64 -> aarch64")
                .contains("INV-ALIGN: PASS -> FAIL").as("a field only the second report has")
                .contains("platform.nativeLibraries: absent -> [\"linux-aarch64\"]");
        Files.writeString(b, "{\"hello\":1}");
        assertThat(verify(dir, "--compare", a.toString(), b.toString()).exitCode()).isEqualTo(2);
    }

    private static Result verify(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, List.of("-jar", JAR.getFileName().toString()), args);
    }

    /** Runs the verifier with this module's test classes on the class path beside the jar, as README's --impl does. */
    private static Result verifyWithTestClasses(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, List.of("--enable-native-access=ALL-UNNAMED", "-cp", JAR.getFileName()
                + File.pathSeparator + TEST_CLASSES, "dev.allocspec.verifier.Launcher"), args);
    }

    /** Runs {@code java <launch> <args>} from the jar's folder, the jar named relatively (see {@link #verify}). */
    private static Result run(Path workDir, List<String> launch, String... args)
            throws IOException, InterruptedException {
        return run(workDir, launch, List.of(), args);
    }

    /** As {@link #run(Path, List, String...)}, without the environment variables {@code unset}. */
    private static Result run(Path workDir, List<String> launch, List<String> unset, String... args)
            throws IOException, InterruptedException {
        // Run from the jar's folder with a relative path, as README's `java -jar verifier/target/...` does: the
        // jcstress stage forks JVMs in other folders and must still find the jar.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(launch);
        command.addAll(List.of(args));
        Path log = workDir.resolve("console-" + System.nanoTime() + ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(JAR.getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        unset.forEach(builder.environment()::remove);
        Process process = builder.start();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the verifier did not finish in 15 minutes");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
