package dev.allocspec.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.allocspec.spec.Invariant;
import dev.allocspec.spec.Profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The verification report: verdict, platform, one row per invariant, every finding. Written as {@code report.md}
 * (for people) and {@code report.json} (stable schema, versioned by {@link #SCHEMA_VERSION}).
 *
 * @param schemaVersion     the JSON schema's version
 * @param tool              the verifier and its version
 * @param startedAt         ISO-8601 instant
 * @param durationSeconds   how long it ran
 * @param depth             quick, standard or deep
 * @param strategies        what was verified: each strategy with its thread-cache setting, or the --impl factory
 * @param notValidated      what the verdict does not cover on this platform, and why (e.g. the native 128-bit CAS
 *                          when this jar has no routine for the architecture); empty when it covers everything
 * @param profile           safety (what every allocator must do) or family (safety and jalib's policy)
 * @param notes             checks that ran weaker for want of an optional part of the allocator's interface
 * @param verdict           PASS when every check held and every negative control was caught, else FAIL
 * @param policyDiffers     in the family profile, when only family invariants failed: the finding that the
 *                          allocator is safe but of another policy; else null
 * @param fingerprint       the platform
 * @param invariants        one row per invariant of the catalogue
 * @param findings          every check's result
 */
public record Report(int schemaVersion, String tool, String startedAt, long durationSeconds, String depth,
                     List<String> strategies, List<String> notValidated, String profile, List<String> notes,
                     String verdict, String policyDiffers, Fingerprint fingerprint, List<InvariantRow> invariants,
                     List<Finding> findings) {

    /** The version of report.json's schema; raised on any incompatible change (2: profiles, NOT APPLICABLE rows). */
    public static final int SCHEMA_VERSION = 2;

    /**
     * One invariant's result.
     *
     * @param id        the stable ID
     * @param statement the invariant in one line
     * @param profile   the profile it belongs to: safety or family
     * @param result    PASS, FAIL, NOT RUN when no check of it ran in this verification, or NOT APPLICABLE when the
     *                  verification's profile does not hold the allocator to it
     * @param checks    the checks that covered it, with their targets
     * @param samples   tries, steps or samples behind it, summed
     */
    public record InvariantRow(String id, String profile, String statement, String result, List<String> checks,
                               long samples) {
    }

    static Report of(String startedAt, long seconds, String depth, List<String> strategies, List<String> notValidated,
                     Profile profile, List<String> notes, Fingerprint fingerprint, List<Finding> findings) {
        List<InvariantRow> rows = new ArrayList<>();
        for (Invariant inv : Invariant.values()) {
            if (!profile.checks(inv)) {
                rows.add(new InvariantRow(inv.id(), inv.profile().label(), inv.statement(), "NOT APPLICABLE",
                        List.of(), 0));
                continue;
            }
            List<Finding> covering = findings.stream()
                    .filter(f -> inv.enforcedBy().stream().anyMatch(f::covers) || inv.id().equals(f.violated()))
                    .toList();
            boolean failed = covering.stream().anyMatch(f -> !f.passed()
                    && (f.violated() == null || f.violated().equals(inv.id())));
            String result = covering.isEmpty() ? "NOT RUN" : failed ? "FAIL" : "PASS";
            rows.add(new InvariantRow(inv.id(), inv.profile().label(), inv.statement(), result,
                    covering.stream().map(f -> f.check() + " [" + f.target() + "]").distinct().toList(),
                    covering.stream().mapToLong(Finding::samples).sum()));
        }
        boolean pass = findings.stream().allMatch(Finding::passed) && !findings.isEmpty();
        return new Report(SCHEMA_VERSION, "allocspec-verify " + version(), startedAt, seconds, depth, strategies,
                notValidated, profile.label(), List.copyOf(notes), pass ? "PASS" : "FAIL",
                policyDiffers(profile, rows, findings), fingerprint, rows, findings);
    }

    /**
     * The finding of a family verification in which only policy failed: some family invariant failed, no safety one
     * did, and the checks that hold an allocator to the safety profile whole — the safety state machine and the safety
     * contract tests — ran and held (a family check stops at its first violation, so its failure says nothing of the
     * safety invariants it would have checked after). Null otherwise.
     */
    private static String policyDiffers(Profile profile, List<InvariantRow> rows, List<Finding> findings) {
        List<String> failedFamily = rows.stream().filter(r -> r.result().equals("FAIL")
                && r.profile().equals(Profile.FAMILY.label())).map(InvariantRow::id).toList();
        boolean safetyRowsHeld = rows.stream().filter(r -> r.profile().equals(Profile.SAFETY.label()))
                .noneMatch(r -> r.result().equals("FAIL"));
        List<Finding> safetyChecks = findings.stream().filter(f -> f.covers().startsWith(Verification.SAFETY_MACHINE)
                || f.covers().startsWith(Verification.SAFETY_CONTRACT)).toList();
        boolean safetyChecksHeld = safetyChecks.stream().allMatch(Finding::passed)
                && safetyChecks.stream().anyMatch(f -> f.covers().startsWith(Verification.SAFETY_MACHINE));
        if (profile != Profile.FAMILY || failedFamily.isEmpty() || !safetyRowsHeld || !safetyChecksHeld) {
            return null;
        }
        return "policy differs: " + String.join(", ", failedFamily) + " failed, every safety invariant held — a "
                + "safe allocator of another policy than jalib's (verify it with --profile safety)";
    }

    /** {@link #policyDiffers}, if there is that finding. */
    java.util.Optional<String> policyDiffersFinding() {
        return java.util.Optional.ofNullable(policyDiffers);
    }

    static ObjectMapper json() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        json().writeValue(dir.resolve("report.json").toFile(), this);
        Files.writeString(dir.resolve("report.md"), markdown());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# allocspec verification: ").append(verdict).append("\n\n");
        long failedChecks = findings.stream().filter(f -> !f.passed()).count();
        md.append(verdict.equals("PASS") ? "Every invariant held and every negative control was caught."
                : failedChecks + " check(s) failed; the failing invariants and their counterexamples are below.")
                .append("\n\n");
        notValidated.forEach(line -> md.append("**").append(line).append(".**\n\n"));
        if (policyDiffers != null) {
            md.append("**Finding: ").append(policyDiffers).append(".**\n\n");
        }
        md.append("- profile: **").append(profile).append("** (").append(Profile.byLabel(profile).binds())
                .append(")").append(profile.equals(Profile.SAFETY.label()) ? "; the family's policy invariants "
                        + "are NOT APPLICABLE" : "").append("\n");
        notes.forEach(note -> md.append("- note: ").append(note).append("\n"));
        md.append("- depth: ").append(depth).append(", verified: ").append(String.join(", ", strategies))
                .append("\n- started ").append(startedAt).append(", took ").append(durationSeconds).append(" s\n")
                .append("- ").append(tool).append(", report schema ").append(schemaVersion).append("\n\n");

        md.append("## Platform\n\n| | |\n|---|---|\n");
        Fingerprint p = fingerprint;
        row(md, "JVM", p.jvmVendor() + " " + p.jvmVersion() + " (" + p.vmName() + ", " + p.vmInfo() + ")");
        row(md, "JIT", p.jit());
        row(md, "GC", String.join(", ", p.gcs()));
        row(md, "OS / arch", p.os() + " / " + p.arch());
        row(md, "CPU", p.cpuModel() + " (" + p.cores() + " cores; features: " + String.join(" ", p.cpuFeatures())
                + ")");
        row(md, "page size", Long.toString(p.pageSize()));
        row(md, "memory", p.memorySource());
        row(md, "native 128-bit CAS", (p.nativeCas128() ? "loaded: " : "not available: ") + p.instructionPath());
        row(md, "native libraries in this jar", p.nativeLibraries().isEmpty() ? "none"
                : String.join("<br>", p.nativeLibraries()));
        row(md, "automatic strategy", p.automaticStrategy());

        md.append("\n## Invariants\n\n| ID | profile | result | samples | checks |\n|---|---|---|---|---|\n");
        for (InvariantRow r : invariants) {
            md.append("| ").append(r.id()).append(" | ").append(r.profile()).append(" | ")
                    .append(r.result().equals("FAIL") ? "**FAIL**" : r.result())
                    .append(" | ").append(r.samples()).append(" | ")
                    .append(r.result().equals("NOT APPLICABLE") ? "this family's policy: not checked in the safety "
                            + "profile" : r.checks().isEmpty() ? "none in this run" : String.join("<br>", r.checks()))
                    .append(" |\n");
        }

        List<Finding> measured = findings.stream().filter(f -> f.passed() && !f.detail().isBlank()).toList();
        if (!measured.isEmpty()) {
            md.append("\n## Measured on this machine\n\n| check | target | measured |\n|---|---|---|\n");
            measured.forEach(f -> md.append("| ").append(f.check()).append(" | ").append(f.target()).append(" | ")
                    .append(f.detail().strip()).append(" |\n"));
        }

        md.append("\n## Negative controls\n\nBroken variants the suite must catch; a control not caught means the "
                + "checks have gone blind on this platform.\n\n| control | caught |\n|---|---|\n");
        findings.stream().filter(f -> f.stage().equals("negative-controls")).forEach(f ->
                md.append("| ").append(f.check()).append(" | ").append(f.passed() ? "yes" : "**NO**").append(" |\n"));

        List<Finding> failures = findings.stream().filter(f -> !f.passed()).toList();
        if (!failures.isEmpty()) {
            md.append("\n## Failures\n");
            for (Finding f : failures) {
                md.append("\n### ").append(f.check()).append(" [").append(f.target()).append("]")
                        .append(f.violated() == null ? "" : ": " + f.violated()).append("\n\n```\n")
                        .append(f.detail().strip()).append("\n```\n");
            }
        }
        md.append("\n## All checks\n\n| stage | check | target | samples | result |\n|---|---|---|---|---|\n");
        for (Finding f : findings) {
            md.append("| ").append(f.stage()).append(" | ").append(f.check()).append(" | ").append(f.target())
                    .append(" | ").append(f.samples()).append(" | ").append(f.passed() ? "pass" : "**FAIL**")
                    .append(" |\n");
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }

    static String version() {
        String version = Report.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }
}
