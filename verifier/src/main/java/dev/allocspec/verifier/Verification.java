package dev.allocspec.verifier;

import dev.allocspec.concurrency.gate.JcstressLauncher;
import dev.allocspec.concurrency.gate.JcstressRun;
import dev.allocspec.impl.CasStrategy;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.DifferentialRun;
import dev.allocspec.properties.concurrent.ScenarioRunner;
import dev.allocspec.properties.concurrent.Soak;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.PropertyReport;
import dev.allocspec.reference.ReferenceAllocator;
import dev.allocspec.spec.AllocatorFactory;
import dev.allocspec.spec.BlockAllocator;
import dev.allocspec.spec.ChunkPolicy;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorFactory;
import dev.allocspec.spec.Profile;
import dev.allocspec.os.MemorySource;
import dev.allocspec.properties.allocator.AllocatorStateMachine;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * The stages of one verification, in order: per target the contract tests, the properties and the long runs; for the
 * project's own allocator the deterministic ABA replay; the suite's negative controls (does it still bite on this
 * platform?); and the jcstress suite in forked JVMs.
 */
final class Verification {

    /**
     * One allocator configuration to verify, the profile to verify it in, and the internal paths its property runs
     * must reach: on one thread (the state machine, and scenarios on virtual threads, which share stripe caches) and
     * in scenarios on platform threads (where threads end, so their caches are reclaimed).
     *
     * @param family the family factory, or null for an allocator that is only an {@link OffHeapAllocator}
     * @param safety the same allocators through the safety profile's interface
     */
    record Target(String label, Profile profile, AllocatorFactory family, OffHeapAllocatorFactory safety,
                  Set<String> sequentialPaths, Set<String> concurrentPaths) {

        /** A family allocator, verified in {@code profile}. */
        static Target ofFamily(String label, Profile profile, AllocatorFactory family, Set<String> sequentialPaths,
                               Set<String> concurrentPaths) {
            OffHeapAllocatorFactory safety = new OffHeapAllocatorFactory() {
                @Override
                public OffHeapAllocator create() {
                    return family.create(AllocatorStateMachine.POLICY, OsMemory.system());
                }

                @Override
                public Optional<OffHeapAllocator> create(MemorySource memory) {
                    return Optional.of(family.create(AllocatorStateMachine.POLICY, memory));
                }
            };
            return new Target(label, profile, family, safety, sequentialPaths, concurrentPaths);
        }

        /** An allocator anyone wrote, verified in the safety profile; its runs need reach no internal path. */
        static Target ofSafety(String label, OffHeapAllocatorFactory safety) {
            return new Target(label, Profile.SAFETY, null, safety, Set.of(), Set.of());
        }

        Target relabelled(String newLabel) {
            return new Target(newLabel, profile, family, safety, sequentialPaths, concurrentPaths);
        }
    }

    private static final String CONTRACT = "dev.allocspec.spec.BlockAllocatorContract";
    static final String SAFETY_CONTRACT = "dev.allocspec.spec.OffHeapAllocatorContract";
    /** What the state machines' findings stand for: every machine of the package, or the safety one. */
    private static final String FAMILY_MACHINE = "dev.allocspec.properties.allocator.";
    static final String SAFETY_MACHINE = "dev.allocspec.properties.allocator.SafetyStateMachine";
    /** The name of the safety machine's finding in the safety profile, and of its extra run in the family one. */
    static final String SAFETY_MACHINE_CHECK = "state machine: keeps the safety invariants";
    private static final String NEGATIVE_CONTROL = "negative-control";
    /** Chunks of eight blocks: the long runs cross chunk boundaries often, as the properties' policy makes them. */
    private static final ChunkPolicy DIFFERENTIAL_POLICY = new ChunkPolicy(8);

    private final Depth depth;
    private final Integer tries;
    private final List<Target> targets;
    private final boolean projectAllocator;
    private final List<CasStrategy> strategies;
    private final boolean jcstress;
    private final String jcstressFilter;
    private final Path out;
    private final Progress progress;
    private final Journal journal;
    private final JvmConfiguration configuration;

    Verification(Depth depth, Integer tries, List<Target> targets, boolean projectAllocator,
                 List<CasStrategy> strategies, boolean jcstress, String jcstressFilter, Path out, Progress progress,
                 Journal journal, JvmConfiguration configuration) {
        this.depth = depth;
        this.tries = tries;
        this.targets = targets;
        this.projectAllocator = projectAllocator;
        this.strategies = strategies;
        this.jcstress = jcstress;
        this.jcstressFilter = jcstressFilter;
        this.out = out;
        this.progress = progress;
        this.journal = journal;
        this.configuration = configuration;
    }

    /** How many stages {@link #run()} will report. */
    static int stageCount(int targets, boolean projectAllocator, boolean jcstress, boolean asStarted) {
        return 3 * targets + (projectAllocator ? 1 : 0) + (asStarted ? 1 : 0)
                + (jcstress && projectAllocator && asStarted ? 1 : 0);
    }

    /**
     * Runs every stage of this JVM configuration: under the one the verifier was started with all of them, under the
     * others the ones that run the allocator (not the negative controls, which check the suite, nor jcstress, which
     * has JVM configurations of its own at deep depth). What the checks print (property summaries, shrunk
     * counterexamples of the negative controls) goes to {@code verification.log} in the output folder (with the
     * configuration's name in it when not as started), not to the terminal.
     */
    void run() throws IOException, InterruptedException {
        Files.createDirectories(out);
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try (PrintStream log = new PrintStream(Files.newOutputStream(out.resolve(
                "verification" + configuration.fileSuffix() + ".log")), true,
                StandardCharsets.UTF_8)) {
            System.setOut(log);
            System.setErr(log);
            runStages();
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private void runStages() throws IOException, InterruptedException {
        for (Target target : targets) {
            contract(target);
            properties(target);
            longRuns(target);
        }
        if (projectAllocator) {
            abaReplay();
        }
        if (configuration.asStarted()) {
            negativeControls();
            if (jcstress && projectAllocator) {
                jcstress();
            }
        }
    }

    /**
     * The contract tests of the target's profile: the family's (which include the safety tests it does not replace
     * with stronger ones), or the safety profile's alone. Each finding names the class that declares its test.
     */
    private void contract(Target target) {
        String stage = "contract tests (" + target.profile().label() + " profile): " + target.label();
        beginStage(stage);
        Class<?> contract;
        if (target.profile() == Profile.FAMILY) {
            VerifierContract.factory = target.family();
            contract = VerifierContract.class;
        } else {
            VerifierSafetyContract.factory = target.safety();
            contract = VerifierSafetyContract.class;
        }
        // Each test is journaled as it starts and ends: if the allocator kills the JVM, the report keeps the tests
        // that finished and names the one that was running.
        JUnitStage.run(new JUnitStage.Listener() {
            @Override
            public void started(String method) {
                journal.stage(stage + ", test " + method);
            }

            @Override
            public void finished(JUnitStage.TestResult result) {
                String declaredBy = declaresTest(CONTRACT, result.method()) && target.profile() == Profile.FAMILY
                        ? CONTRACT : SAFETY_CONTRACT;
                String check = declaredBy.substring(declaredBy.lastIndexOf('.') + 1) + "#" + result.method();
                record(new Finding("contract", check, declaredBy + "#" + result.method(), target.label(), 1,
                        result.passed(), result.passed() ? null : Finding.invariantNamedIn(String.valueOf(
                                result.failure())), result.detail()));
            }
        }, selectClass(contract));
    }

    /** Whether the contract class {@code className} itself declares the test {@code method}. */
    private static boolean declaresTest(String className, String method) {
        try {
            return Arrays.stream(Class.forName(className).getDeclaredMethods())
                    .anyMatch(m -> m.getName().equals(method));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the contract class " + className + " is missing from the jar", e);
        }
    }

    private void properties(Target target) {
        beginStage("state-machine properties (" + target.profile().label() + " profile): " + target.label());
        VerifierProperties.profile = target.profile();
        VerifierProperties.factory = target.family();
        VerifierProperties.safetyFactory = target.safety();
        VerifierProperties.label = target.label();
        VerifierProperties.sequentialPaths = target.sequentialPaths();
        VerifierProperties.concurrentPaths = target.concurrentPaths();
        VerifierProperties.settings = depth.settings(tries);
        VerifierProperties.concurrentTries = tries == null ? depth.concurrentTries : Math.max(1, tries / 10);
        JUnitStage.run(selectClass(VerifierProperties.class));

        boolean family = target.profile() == Profile.FAMILY;
        String claim = family ? "refines the reference" : "keeps the safety invariants";
        String covers = family ? FAMILY_MACHINE : SAFETY_MACHINE;
        sequentialFinding("state machine: " + claim, VerifierProperties.sequentialReport, target, covers);
        sequentialFinding("state machine on a virtual thread: " + claim, VerifierProperties.virtualSequentialReport,
                target, covers);
        if (family) {
            sequentialFinding(SAFETY_MACHINE_CHECK, VerifierProperties.safetyReport, target, SAFETY_MACHINE);
        }
        concurrentFinding("concurrent scenarios", VerifierProperties.concurrentFailure, target);
        concurrentFinding("concurrent scenarios on virtual threads", VerifierProperties.virtualConcurrentFailure,
                target);
    }

    /** The finding of one state-machine property run; {@code sequential} is null if it did not run to a report. */
    private void sequentialFinding(String check, PropertyReport sequential, Target target, String covers) {
        if (sequential == null) {
            record(new Finding("properties", check, covers, target.label(), 0,
                    false, null, "the property did not run to a report"));
            return;
        }
        Optional<Failure> failure = sequential.failure();
        record(new Finding("properties", check, covers, target.label(),
                sequential.steps(), failure.isEmpty(),
                failure.map(f -> Finding.invariantNamedIn(String.valueOf(f.cause().getMessage()))).orElse(null),
                failure.map(Failure::report).orElse("")));
        progress.note(check + ": " + sequential.tries() + " tries, " + sequential.steps() + " steps, "
                + (failure.isEmpty() ? "held" : "FAILED"));
    }

    /** The finding of one concurrent-scenario property run; {@code concurrent} is null if it did not run. */
    private void concurrentFinding(String check, Optional<Failure> concurrent, Target target) {
        record(new Finding("properties", check, "dev.allocspec.properties.concurrent.",
                target.label(), 10L * VerifierProperties.concurrentTries,
                concurrent != null && concurrent.isEmpty(),
                concurrent == null ? null : concurrent.map(f -> Finding.invariantNamedIn(
                        String.valueOf(f.cause().getMessage()))).orElse(null),
                concurrent == null ? "the property did not run" : concurrent.map(Failure::report).orElse("")));
    }

    /**
     * The long runs, scaled by depth: a differential run against the reference (the project's allocator in the family
     * profile only: it compares positions, which are this family's policy) and a bounded soak with generations of
     * threads.
     */
    private void longRuns(Target target) {
        beginStage("long runs: " + target.label());
        if (projectAllocator && target.profile() == Profile.FAMILY) {
            record(longRun("differential run: " + depth.differentialSteps + " steps against the reference",
                    "dev.allocspec.properties.allocator.DifferentialRunTest#", target, depth.differentialSteps, () -> {
                        try (BlockAllocator reference = new ReferenceAllocator(DIFFERENTIAL_POLICY, OsMemory.system());
                             BlockAllocator system = target.family().create(DIFFERENTIAL_POLICY, OsMemory.system())) {
                            DifferentialRun.run(reference, system, depth.differentialSteps, 20261122L);
                        }
                    }));
        }
        if (target.profile() == Profile.FAMILY) {
            String[] measured = new String[1];
            Finding residency = longRun("residency: a freed 32 MiB peak after purge()", ResidencyCheck.COVERS, target,
                    1, () -> measured[0] = ResidencyCheck.run(target.family()));
            record(residency.passed() ? new Finding(residency.stage(), residency.check(), residency.covers(),
                    residency.target(), residency.samples(), true, null, measured[0]) : residency);
        }
        Soak soak = new Soak(4, depth.soakOperations, 4, ScenarioRunner.ThreadKind.PLATFORM, 1000);
        record(longRun("soak: " + soak.operations() + " operations, " + soak.generations() + " generations of "
                        + soak.threads() + " threads", "dev.allocspec.properties.concurrent.SoakTest#", target,
                soak.operations(), () -> {
                    try (OffHeapAllocator allocator = target.family() != null
                            ? target.family().create(DIFFERENTIAL_POLICY, OsMemory.system())
                            : target.safety().create()) {
                        soak.run(allocator);
                    }
                }));
    }

    /** Runs one long run and says how it went: passed, or the invariant it broke and why. */
    private static Finding longRun(String check, String covers, Target target, long samples, LongRun run) {
        try {
            run.run();
            return new Finding("long-runs", check, covers, target.label(), samples, true, null, "");
        } catch (AssertionError | RuntimeException | InterruptedException e) {
            return new Finding("long-runs", check, covers, target.label(), samples, false,
                    Finding.invariantNamedIn(String.valueOf(e.getMessage())), String.valueOf(e));
        }
    }

    /** A long run's body. */
    @FunctionalInterface
    private interface LongRun {
        void run() throws InterruptedException;
    }

    private void abaReplay() {
        beginStage(configuration.label("deterministic ABA replay (every strategy)"));
        for (JUnitStage.TestResult result : JUnitStage.run(selectClass("dev.allocspec.impl.AbaReplayTest"))) {
            if (!result.skipped()) {
                record(new Finding("aba-replay", "AbaReplayTest#" + result.method(),
                        "dev.allocspec.impl.AbaReplayTest#" + result.method(),
                        configuration.label(result.displayName()), 1,
                        result.passed(), null, result.detail()));
            }
        }
    }

    private void negativeControls() {
        beginStage("negative controls: does the suite still bite here?");
        System.setProperty("allocspec.reportDir", out.toString());
        List<JUnitStage.TestResult> results = new ArrayList<>(JUnitStage.run(
                selectClass("dev.allocspec.properties.controls.NegativeControlsProperties"),
                selectMethod("dev.allocspec.properties.concurrent.ConcurrentScenarioProperties",
                        "lostPushNegativeControlIsCaught"),
                selectMethod("dev.allocspec.properties.concurrent.ConcurrentScenarioProperties",
                        "aReclaimThatLosesABlockIsCaught"),
                selectMethod("dev.allocspec.properties.concurrent.ConcurrentScenarioProperties",
                        "controlsThatKeepOwnershipButBreakLinearizabilityAreCaughtByTheHistoryCheck",
                        "dev.allocspec.properties.controls.NegativeControl")));
        for (JUnitStage.TestResult result : results) {
            if (result.skipped()) {
                continue; // a control only a concurrent schedule exposes: the ABA replay and the scenarios run it
            }
            record(new Finding("negative-controls", result.displayName().replaceFirst("^\\[\\d+\\] ", ""),
                    NEGATIVE_CONTROL, result.method(), 1, result.passed(), null, result.detail()));
        }
    }

    /** Begins a stage: on the terminal, and in the journal that names it if this JVM dies in it. */
    private void beginStage(String name) {
        progress.stage(name);
        journal.stage(name);
    }

    /** Records a finding in the journal, from which the verifier's JVM writes the report. */
    private void record(Finding finding) {
        journal.finding(finding);
    }

    private void jcstress() throws IOException, InterruptedException {
        beginStage("jcstress (" + depth.jcstressMode + " mode, forked JVMs)");
        JcstressLauncher launcher = new JcstressLauncher(absoluteClassPath(), Math.max(30, depth.estimateSeconds / 30));
        String filter = jcstressFilter != null ? jcstressFilter
                : JcstressLauncher.realTests(strategies.contains(CasStrategy.NATIVE_CAS128));
        if (!strategies.contains(CasStrategy.LOCKED) && jcstressFilter == null) {
            filter = filter + "(?!.*Locked)";
        }
        JcstressRun real = launcher.run(out.resolve("jcstress").resolve("real"), depth.jcstressMode, filter,
                depth.jcstressSingleConfiguration);
        for (Map.Entry<String, String> verdict : real.verdicts().entrySet()) {
            String test = verdict.getKey();
            boolean ok = verdict.getValue().equals("OK");
            record(new Finding("jcstress", test.substring(JcstressLauncher.PACKAGE.length()),
                    test.substring(0, test.lastIndexOf('.')), // the test class: catalogue checks name its scenario
                    test.substring(test.lastIndexOf('.') + 1), real.samples(test), ok, null,
                    ok ? "" : sectionOf(real.runResults(), test)));
        }
        if (real.verdicts().isEmpty()) {
            record(new Finding("jcstress", "jcstress run", JcstressLauncher.PACKAGE, "all", 0, false, null,
                    "no jcstress test ran (filter " + filter + "):\n" + real.runResults()));
        }
        progress.note(real.verdicts().size() + " jcstress tests in " + real.seconds() + " s");
        warnIfJcstressDied(real);

        JcstressRun controls = launcher.run(out.resolve("jcstress").resolve("negative-controls"),
                depth.jcstressMode, JcstressLauncher.NEGATIVE_CONTROLS, depth.jcstressSingleConfiguration);
        warnIfJcstressDied(controls);
        for (String control : JcstressLauncher.NEGATIVE_CONTROL_TESTS) {
            String test = JcstressLauncher.PACKAGE + control;
            boolean caught = controls.forbiddenObserved(test);
            record(new Finding("negative-controls", "jcstress " + control, NEGATIVE_CONTROL, control,
                    controls.samples(test), caught, null, caught ? sectionOf(controls.runResults(), test)
                    : "the negative control showed no FORBIDDEN outcome:\n" + sectionOf(controls.runResults(), test)));
        }
    }

    /**
     * Says so when jcstress's own VM died, e.g. writing its HTML report on a runtime without java.desktop (a small
     * jlink image). Verdicts are read from the per-test tables it prints as it goes, so they stand if it got that far.
     */
    private void warnIfJcstressDied(JcstressRun run) {
        run.hostFailure().ifPresent(failure -> progress.warn("jcstress itself ended with " + failure
                + (run.output().contains("java.awt.") ? " (this Java runtime lacks the java.desktop module, which "
                        + "jcstress needs for its HTML report only)" : "")
                + (run.verdicts().isEmpty() ? "" : "; the " + run.verdicts().size() + " test results it printed "
                        + "before that are used")));
    }

    /**
     * This JVM's class path with every entry made absolute: jcstress runs in a working folder of its own, where a
     * relative {@code java -jar verifier/target/allocspec-verify.jar} would no longer resolve.
     */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** One test's part of jcstress's run results. */
    private static String sectionOf(String runResults, String test) {
        int at = runResults.indexOf("] " + test);
        if (at < 0) {
            return runResults;
        }
        int next = runResults.indexOf("\n......", at + 1);
        return next < 0 ? runResults.substring(at) : runResults.substring(at, next);
    }
}
