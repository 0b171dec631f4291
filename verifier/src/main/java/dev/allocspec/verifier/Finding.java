package dev.allocspec.verifier;

import dev.allocspec.spec.Invariant;

/**
 * The result of one check in one configuration.
 *
 * @param stage     the stage that ran it (contract, properties, aba-replay, negative-controls, jcstress)
 * @param check     the check's name, e.g. {@code BlockAllocatorContract#reusesLifo} or a jcstress test
 * @param covers    the prefix of the catalogue's check names this result stands for (see {@link Invariant#enforcedBy})
 * @param target    what it checked, e.g. {@code lock-free NATIVE_CAS128}
 * @param samples   tries, steps or samples behind the result
 * @param passed    whether it held
 * @param violated  the invariant ID a failure names, or null
 * @param detail    the failure, with its shrunk counterexample or outcome table; empty when it held
 */
public record Finding(String stage, String check, String covers, String target, long samples, boolean passed,
                      String violated, String detail) {

    private static final java.util.regex.Pattern INVARIANT_ID = java.util.regex.Pattern.compile("INV-[A-Z0-9-]+");

    /** Whether this result stands for the catalogue check {@code enforcedBy}. */
    public boolean covers(String enforcedBy) {
        return enforcedBy.startsWith(covers);
    }

    /** The first invariant ID a failure message names, or null. */
    static String invariantNamedIn(String message) {
        java.util.regex.Matcher m = INVARIANT_ID.matcher(String.valueOf(message));
        return m.find() ? m.group() : null;
    }
}

