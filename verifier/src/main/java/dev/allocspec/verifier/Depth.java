package dev.allocspec.verifier;

import dev.allocspec.properties.harness.Settings;

/**
 * How deep a verification goes: property tries, concurrent scenarios, and the jcstress mode and budget.
 */
enum Depth {
    /** A few minutes on two cores: quick properties, jcstress quick with one JVM configuration per test. */
    QUICK("quick", 10, "quick", true, false, 240),
    /**
     * The CI default: standard properties, also under the other JVM configurations; jcstress default mode with one
     * JVM configuration per test.
     */
    STANDARD("standard", 40, "default", true, true, 900),
    /**
     * Nightly or porting sign-off: deep properties, also under the other JVM configurations; jcstress tough mode with
     * every JVM configuration it knows.
     */
    DEEP("deep", 200, "tough", false, true, 4 * 3600);

    final String propertyDepth;
    final int concurrentTries;
    final String jcstressMode;
    final boolean jcstressSingleConfiguration;
    /** Whether the checks also run under the other {@link JvmConfiguration}s. */
    final boolean jvmMatrix;
    final long estimateSeconds;

    Depth(String propertyDepth, int concurrentTries, String jcstressMode, boolean jcstressSingleConfiguration,
          boolean jvmMatrix, long estimateSeconds) {
        this.propertyDepth = propertyDepth;
        this.concurrentTries = concurrentTries;
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
