package dev.allocspec.verifier;

import dev.allocspec.properties.harness.Settings;

/**
 * How deep a verification goes: property tries, concurrent scenarios, the long runs (a differential run against the
 * reference, a bounded soak with thread churn), and the jcstress mode and budget.
 */
enum Depth {
    /** A few minutes on two cores: quick properties, jcstress quick with one JVM configuration per test. */
    QUICK("quick", 10, 20_000, 400_000, "quick", true, false, 240),
    /**
     * The CI default: standard properties, also under the other JVM configurations; jcstress default mode with one
     * JVM configuration per test.
     */
    STANDARD("standard", 40, 100_000, 4_000_000, "default", true, true, 900),
    /**
     * Nightly or porting sign-off: deep properties, also under the other JVM configurations; jcstress tough mode with
     * every JVM configuration it knows.
     */
    DEEP("deep", 200, 1_000_000, 40_000_000, "tough", false, true, 4 * 3600);

    final String propertyDepth;
    final int concurrentTries;
    /** Steps of the differential run against the reference (the project's allocator only). */
    final long differentialSteps;
    /** Operations of the soak, over all its generations of threads. */
    final long soakOperations;
    final String jcstressMode;
    final boolean jcstressSingleConfiguration;
    /** Whether the checks also run under the other {@link JvmConfiguration}s. */
    final boolean jvmMatrix;
    final long estimateSeconds;

    Depth(String propertyDepth, int concurrentTries, long differentialSteps, long soakOperations, String jcstressMode,
          boolean jcstressSingleConfiguration, boolean jvmMatrix, long estimateSeconds) {
        this.propertyDepth = propertyDepth;
        this.concurrentTries = concurrentTries;
        this.differentialSteps = differentialSteps;
        this.soakOperations = soakOperations;
        this.jcstressMode = jcstressMode;
        this.jcstressSingleConfiguration = jcstressSingleConfiguration;
        this.jvmMatrix = jvmMatrix;
        this.estimateSeconds = estimateSeconds;
    }

    /**
     * The depth one step lighter (quick stays quick), for an interpreted JVM: some 30 times slower than one with its
     * JIT, it would turn a deep run's properties alone into many hours.
     */
    Depth lighter() {
        return this == DEEP ? STANDARD : QUICK;
    }

    Settings settings(Integer triesOverride) {
        Settings settings = Settings.forDepth(propertyDepth);
        return triesOverride == null ? settings : settings.withTries(triesOverride);
    }
}
