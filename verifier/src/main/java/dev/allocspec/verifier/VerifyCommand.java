package dev.allocspec.verifier;

import dev.allocspec.impl.CachePath;
import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.OffHeapAllocatorFactory;
import dev.allocspec.spec.Profile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code java -jar allocspec-verify.jar}: validates an allocator on this JVM and CPU against the reference and
 * writes report.md and report.json. Exit code 0 when every invariant holds, 1 when any is violated (or a negative
 * control is no longer caught, or the checks crashed the JVM running them), 2 on usage errors, 3 when the allocator
 * named by {@code --impl} cannot be made on this machine (not run).
 */
@Command(name = "allocspec-verify", mixinStandardHelpOptions = true, versionProvider = VerifyCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Validates an allocator on this JVM and CPU: this project's lock-free allocator against the allocspec "
                + "reference (family profile), or any allocator (--impl) against the safety profile: platform "
                + "fingerprint, contract tests, state-machine properties, long runs, deterministic ABA replay, "
                + "negative controls and jcstress races. Writes report.md and report.json.",
            "The checks run in a child JVM with the same runtime and options (and, with --jvm-matrix, in three more "
                + "with other JIT and GC options): if the allocator under test crashes one, the report says so (FAIL) "
                + "and keeps the checks that finished before.",
            "Exit codes: 0 every invariant holds, 1 an invariant is violated or the checks crashed the JVM, 2 usage "
                + "error, 3 the --impl allocator cannot be made on this machine (not run)."})
public final class VerifyCommand implements Callable<Integer> {

    /** Every path of the thread caches: what scenarios on platform threads must reach, a reclaim among them. */
    private static final Set<String> ALL_CACHE_PATHS = Arrays.stream(CachePath.values()).map(CachePath::label)
            .collect(Collectors.toSet());

    @Option(names = "--depth", defaultValue = "quick", paramLabel = "quick|standard|deep",
            description = "How deep to check (default: ${DEFAULT-VALUE}). quick: minutes; standard: the CI default; "
                    + "deep: hours, for a porting sign-off.")
    private Depth depth;

    @Option(names = "--strategy", defaultValue = "auto", paramLabel = "auto|all|NATIVE_CAS128|LOCKED",
            description = "Which CAS strategies of the lock-free allocator to verify (default: ${DEFAULT-VALUE}: "
                    + "the one create() picks here).")
    private String strategy;

    @Option(names = "--thread-cache", defaultValue = "both", paramLabel = "on|off|both",
            description = "Verify the lock-free allocator with its per-thread caches on, off, or both ways (default: "
                    + "${DEFAULT-VALUE}; with them off every operation goes through the 128-bit CAS or its lock).")
    private ThreadCacheChoice threadCache;

    @Option(names = "--impl", paramLabel = "FACTORY_CLASS",
            description = "Verify another allocator instead: a class implementing "
                    + "dev.allocspec.spec.OffHeapAllocatorFactory (any allocator: allocate, free, close) or "
                    + "dev.allocspec.spec.AllocatorFactory (a BlockAllocator of this family), with a public no-arg "
                    + "constructor, or an enum constant (Enum.CONSTANT) implementing one, on the class path. The "
                    + "adapters in the jar: dev.allocspec.adapters.Adapters.GLIBC and the other constants.")
    private String impl;

    @Option(names = "--profile", paramLabel = "safety|family",
            description = "Which invariants to hold the allocator to: safety (what every allocator must do) or "
                    + "family (safety and jalib's policy: size classes, LIFO reuse, carving order, refinement of the "
                    + "reference). Default: family for this project's allocator, safety for --impl.")
    private String profileName;

    @Option(names = "--out", defaultValue = "allocspec-report", paramLabel = "DIR",
            description = "Where to write report.md and report.json (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--compare", arity = "2", paramLabel = "REPORT.json",
            description = "Print what differs between two report.json files (platform and results), then exit.")
    private List<Path> compare;

    @Option(names = "--tries", paramLabel = "N",
            description = "Override the property tries of the depth (for quick smoke runs).")
    private Integer tries;

    @Option(names = "--jcstress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the jcstress suite in forked JVMs (default: ${DEFAULT-VALUE}).")
    private boolean jcstress;

    @Option(names = "--jvm-matrix", negatable = true, fallbackValue = "true",
            description = "Also run the contract tests, properties and ABA replay under C1 only, the interpreter and "
                    + "a second garbage collector, each in a JVM of its own (default: on at standard and deep, off "
                    + "at quick).")
    private Boolean jvmMatrix;

    @Option(names = "--jcstress-filter", paramLabel = "REGEX",
            description = "Only the jcstress tests matching this regular expression.")
    private String jcstressFilter;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the verifier.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new VerifyCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = System.out;
        if (compare != null) {
            return compare(stdout);
        }
        if (tries != null && tries < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tries must be at least 1: " + tries);
        }
        List<Verification.Target> targets = new ArrayList<>();
        List<String> verified = new ArrayList<>(); // the report's "verified" line: one entry per target
        List<CasStrategy> strategies = impl == null ? strategies() : List.of();
        Profile profile = profile();
        List<String> notes = new ArrayList<>();
        if (impl != null) {
            Object factory = loadFactory(impl);
            if (factory instanceof OffHeapAllocatorFactory safety && safety.unavailableReason().isPresent()) {
                stdout.println("allocspec-verify: NOT RUN: " + impl + " cannot be made here: "
                        + safety.unavailableReason().get());
                return NOT_RUN;
            }
            targets.add(target(impl, profile, factory));
            notes.addAll(Capabilities.notes(targets.getFirst().safety(), profile));
            verified.add(impl + " (" + profile.label() + " profile)");
        } else {
            for (CasStrategy s : strategies) {
                for (boolean cached : threadCache.settings()) {
                    String configuration = s + (cached ? "" : " without thread caches");
                    targets.add(Verification.Target.ofFamily("lock-free " + configuration, profile,
                            new LockFreeFactory(s, cached),
                            cached && profile == Profile.FAMILY ? AllocatorStateMachine.SEQUENTIAL_CACHE_PATHS
                                    : Set.of(),
                            cached && profile == Profile.FAMILY ? ALL_CACHE_PATHS : Set.of()));
                    verified.add(configuration + (profile == Profile.FAMILY ? "" : " (safety profile)"));
                }
            }
        }
        String journal = System.getProperty(Journal.PROPERTY);
        return journal == null ? superviseChecks(stdout, targets.size(), verified, notValidated(strategies),
                profile, notes) : runChecks(stdout, targets, strategies, Path.of(journal));
    }

    /** The exit code when the allocator cannot be made on this machine (a native library that is absent, say). */
    static final int NOT_RUN = 3;

    /** {@code --profile}, or its default: family for our allocator, safety for {@code --impl}. */
    private Profile profile() {
        if (profileName == null) {
            return impl == null ? Profile.FAMILY : Profile.SAFETY;
        }
        try {
            return Profile.byLabel(profileName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--profile: " + e.getMessage());
        }
    }

    /**
     * The target for an {@code --impl} factory: the family profile needs a family factory (it compares positions with
     * the reference); the safety profile takes either.
     */
    private Verification.Target target(String label, Profile profile, Object factory) {
        if (factory instanceof AllocatorFactory family) {
            return Verification.Target.ofFamily(label, profile, family, Set.of(), Set.of());
        }
        if (profile == Profile.FAMILY) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--profile family needs a family allocator: "
                    + label + " implements " + OffHeapAllocatorFactory.class.getSimpleName() + ", not "
                    + AllocatorFactory.class.getName() + " (the family profile compares every block's position with "
                    + "the reference's); use --profile safety");
        }
        return Verification.Target.ofSafety(label, (OffHeapAllocatorFactory) factory);
    }

    /**
     * What the verdict must say was not validated: the native 128-bit CAS, when our allocator is verified without it
     * (this jar has no routine for the platform, the CPU lacks the instruction, or {@code --strategy} left it out).
     */
    private List<String> notValidated(List<CasStrategy> strategies) {
        if (impl != null || strategies.contains(CasStrategy.NATIVE_CAS128)) {
            return List.of();
        }
        return List.of(CasStrategy.NATIVE_CAS128 + " not validated here: " + (CasStrategy.NATIVE_CAS128.isAvailable()
                ? "--strategy " + strategy + " left it out"
                : CasStrategy.NATIVE_CAS128.unavailableReason() + "; only the LOCKED fallback was verified"));
    }

    /**
     * The verifier's own JVM: the arguments are valid, so the checks run in a {@link CheckingJvm} per JVM
     * configuration, one after the other. Each journals what it found; the report is written here from the journals,
     * with a failing finding for a checking JVM that died before it finished.
     */
    private int superviseChecks(PrintStream stdout, int targets, List<String> verified, List<String> notValidated,
                                Profile profile, List<String> notes) throws IOException, InterruptedException {
        Instant startedAt = Instant.now();
        Fingerprint fingerprint = Fingerprint.probe();
        boolean matrix = jvmMatrix != null ? jvmMatrix : depth.jvmMatrix;
        List<JvmConfiguration> configurations = matrix ? JvmConfiguration.matrix(fingerprint.gcs())
                : List.of(JvmConfiguration.AS_STARTED);
        int stages = configurations.stream().mapToInt(c -> stageCount(targets, c)).sum();
        int stagesBefore = 0;
        List<String> verifiedUnder = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (JvmConfiguration configuration : configurations) {
            verified.forEach(target -> verifiedUnder.add(configuration.describe(target)));
            findings.addAll(checkUnder(configuration,
                    new Progress.Position(stagesBefore, stages, startedAt.toEpochMilli())));
            stagesBefore += stageCount(targets, configuration);
        }
        return report(stdout, startedAt.toString(), Duration.between(startedAt, Instant.now()).toSeconds(),
                verifiedUnder, notValidated, profile, notes, fingerprint, findings);
    }

    private int stageCount(int targets, JvmConfiguration configuration) {
        return Verification.stageCount(targets, impl == null, jcstress, configuration.asStarted());
    }

    /** The findings of the checking JVM under {@code configuration}, and its death if it died. */
    private List<Finding> checkUnder(JvmConfiguration configuration, Progress.Position position)
            throws IOException, InterruptedException {
        Path journal = Files.createTempFile("allocspec-verify-", ".journal");
        journal.toFile().deleteOnExit(); // also when this JVM is stopped (Ctrl-C) before the finally below
        try {
            CheckingJvm.Outcome outcome = CheckingJvm.run(spec.commandLine().getParseResult().originalArgs(),
                    configuration, position, journal, out.toAbsolutePath());
            Journal.Contents done = Journal.read(journal);
            List<Finding> findings = new ArrayList<>(done.findings());
            if (!done.finished()) {
                findings.add(outcome.death(configuration, done.lastStage()));
            }
            return findings;
        } finally {
            Files.deleteIfExists(journal);
        }
    }

    /** A checking JVM: runs every stage of its configuration, recording each in the journal as it goes. */
    private int runChecks(PrintStream stdout, List<Verification.Target> targets, List<CasStrategy> strategies,
                          Path journalFile) throws IOException, InterruptedException {
        JvmConfiguration configuration = JvmConfiguration.ofThisJvm();
        Console console = System.console();
        boolean interactive = console != null && console.isTerminal();
        Progress progress = new Progress(stdout, interactive,
                Progress.Position.ofThisJvm(stageCount(targets.size(), configuration)), depth.estimateSeconds);
        Fingerprint fingerprint = Fingerprint.probe();
        progress.note("platform: " + fingerprint.jvmVendor() + " " + fingerprint.jvmVersion() + " on "
                + fingerprint.arch() + ", native CAS: " + fingerprint.instructionPath() + ", JVM configuration: "
                + configuration.name());
        List<Verification.Target> labelled = targets.stream()
                .map(t -> t.relabelled(configuration.label(t.label()))).toList();
        boolean interpreted = System.getProperty("java.vm.info", "").contains("interpreted mode");
        try (Journal journal = Journal.appendingTo(journalFile)) {
            new Verification(interpreted ? depth.lighter() : depth, tries, labelled, impl == null, strategies,
                    jcstress, jcstressFilter, out.toAbsolutePath(), progress, journal, configuration).run();
            journal.finished();
        }
        return 0; // the verdict is the supervising JVM's to give, from the journal
    }

    /** Writes report.md and report.json, prints the verdict and what failed, and returns the exit code. */
    private int report(PrintStream stdout, String startedAt, long seconds, List<String> verified,
                       List<String> notValidated, Profile profile, List<String> notes, Fingerprint fingerprint,
                       List<Finding> findings) throws IOException {
        Report report = Report.of(startedAt, seconds, depth.name().toLowerCase(Locale.ROOT), verified, notValidated,
                profile, notes, fingerprint, findings);
        report.write(out);
        stdout.println("allocspec-verify: " + report.verdict() + " (" + findings.stream().filter(Finding::passed)
                .count() + "/" + findings.size() + " checks held) on " + fingerprint.jvmVendor() + " "
                + fingerprint.jvmVersion() + ", " + fingerprint.arch() + "; report: "
                + out.resolve("report.md").toAbsolutePath());
        report.notValidated().forEach(line -> stdout.println("  " + line));
        report.policyDiffersFinding().ifPresent(line -> stdout.println("  " + line));
        report.invariants().stream().filter(r -> r.result().equals("FAIL"))
                .forEach(r -> stdout.println("  violated: " + r.id() + " " + r.statement()));
        findings.stream().filter(f -> f.stage().equals("negative-controls") && !f.passed())
                .forEach(f -> stdout.println("  negative control not caught: " + f.check()));
        findings.stream().filter(f -> f.stage().equals(CheckingJvm.DIED))
                .forEach(f -> stdout.println("  " + f.check() + " " + f.target()));
        return report.verdict().equals("PASS") ? 0 : 1;
    }

    private int compare(PrintStream stdout) throws Exception {
        List<String> differences;
        try {
            differences = ReportComparison.differences(compare.get(0), compare.get(1));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot compare: " + e.getMessage());
        }
        stdout.println(differences.isEmpty() ? "The reports agree on platform and results."
                : "Differences (" + compare.get(0) + " -> " + compare.get(1) + "):");
        differences.forEach(line -> stdout.println("  " + line));
        return 0;
    }

    /** Which thread-cache settings of the lock-free allocator to verify. */
    enum ThreadCacheChoice {
        ON, OFF, BOTH;

        List<Boolean> settings() {
            return switch (this) {
                case ON -> List.of(true);
                case OFF -> List.of(false);
                case BOTH -> List.of(true, false);
            };
        }
    }

    private List<CasStrategy> strategies() {
        return switch (strategy.toUpperCase(Locale.ROOT)) {
            case "AUTO" -> {
                try (LockFreeBlockAllocator probe = LockFreeBlockAllocator.create()) {
                    yield List.of(probe.strategy());
                }
            }
            case "ALL" -> Arrays.stream(CasStrategy.values()).filter(CasStrategy::isAvailable).toList();
            default -> {
                CasStrategy forced;
                try {
                    forced = CasStrategy.valueOf(strategy.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--strategy must be auto, all, "
                            + "NATIVE_CAS128 or LOCKED: " + strategy);
                }
                if (!forced.isAvailable()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), forced
                            + " cannot run on this machine: " + forced.unavailableReason());
                }
                yield List.of(forced);
            }
        };
    }

    /** The factory {@code --impl} names: an {@link AllocatorFactory} or an {@link OffHeapAllocatorFactory}. */
    private Object loadFactory(String name) {
        try {
            Class<?> type = Class.forName(name);
            if (!isFactory(type)) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + " implements neither "
                        + OffHeapAllocatorFactory.class.getName() + " nor " + AllocatorFactory.class.getName());
            }
            return type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            int dot = name.lastIndexOf('.');
            if (dot > 0) {
                try {
                    Class<?> type = Class.forName(name.substring(0, dot));
                    if (type.isEnum() && isFactory(type)) {
                        for (Object constant : type.getEnumConstants()) {
                            if (((Enum<?>) constant).name().equals(name.substring(dot + 1))) {
                                return constant;
                            }
                        }
                    }
                } catch (ClassNotFoundException ignored) {
                    // fall through to the usage error below
                }
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "--impl " + name
                    + ": no such class (or enum constant) on the class path");
        } catch (ReflectiveOperationException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--impl " + name
                    + ": cannot instantiate it (" + e + "): it needs a public no-arg constructor");
        }
    }

    private static boolean isFactory(Class<?> type) {
        return AllocatorFactory.class.isAssignableFrom(type) || OffHeapAllocatorFactory.class.isAssignableFrom(type);
    }

    /** The version picocli prints for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"allocspec-verify " + Report.version()};
        }
    }
}
