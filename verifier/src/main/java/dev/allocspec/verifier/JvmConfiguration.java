package dev.allocspec.verifier;

import java.util.List;

/**
 * A JVM configuration the checks run under, in a {@link CheckingJvm} of its own: the one the verifier was started
 * with, and with {@code --jvm-matrix} (on at standard and deep depth) three more. A missing fence can stay hidden under
 * one compiler and show under another, and a garbage collector moves the Java objects that hold the allocator's
 * bookkeeping: so C1 alone, the interpreter, and a second collector.
 *
 * @param name    what the report calls it, e.g. {@code C1 only}
 * @param options the JVM options it adds to the ones the verifier was started with
 */
record JvmConfiguration(String name, List<String> options) {

    /** The JVM options the verifier was started with, and nothing else. */
    static final JvmConfiguration AS_STARTED = new JvmConfiguration("as started", List.of());

    /**
     * The configuration as started and the three others: C1 only, the interpreter, and Parallel GC, or G1 where the
     * verifier already runs with G1's opposite number.
     *
     * @param gcsInUse the garbage collectors' names in this JVM ({@link Fingerprint#gcs()})
     */
    static List<JvmConfiguration> matrix(List<String> gcsInUse) {
        boolean g1 = gcsInUse.stream().anyMatch(gc -> gc.startsWith("G1"));
        return List.of(AS_STARTED,
                new JvmConfiguration("C1 only", List.of("-XX:TieredStopAtLevel=1")),
                new JvmConfiguration("interpreter", List.of("-Xint")),
                g1 ? new JvmConfiguration("Parallel GC", List.of("-XX:+UseParallelGC"))
                        : new JvmConfiguration("G1 GC", List.of("-XX:+UseG1GC")));
    }

    /** The system property that tells a checking JVM its configuration's name. */
    static final String PROPERTY = "allocspec.verify.configuration";

    /** The configuration of this checking JVM, by the name its supervisor passed; only the name is known here. */
    static JvmConfiguration ofThisJvm() {
        String name = System.getProperty(PROPERTY, AS_STARTED.name);
        return name.equals(AS_STARTED.name) ? AS_STARTED : new JvmConfiguration(name, List.of());
    }

    /** Whether this is the configuration the verifier was started with. */
    boolean asStarted() {
        return name.equals(AS_STARTED.name);
    }

    /** Whether it picks a garbage collector, so that one the verifier was started with must not be passed on. */
    boolean picksGc() {
        return options.stream().anyMatch(JvmConfiguration::isGcChoice);
    }

    /** Whether a JVM option chooses the garbage collector. */
    static boolean isGcChoice(String option) {
        return option.matches("-XX:\\+Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC");
    }

    /** What files of its checking JVM add to their names: nothing as started, else e.g. {@code -c1-only}. */
    String fileSuffix() {
        return asStarted() ? "" : "-" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    /** What the report's list of what was verified says for a target checked under it: the options too. */
    String describe(String target) {
        return asStarted() ? target : target + " [" + name + ": " + String.join(" ", options) + "]";
    }

    /** What a target checked under it is called: its label, with this configuration's name unless as started. */
    String label(String target) {
        return asStarted() ? target : target + " [" + name + "]";
    }
}
