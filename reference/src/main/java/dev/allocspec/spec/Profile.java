package dev.allocspec.spec;

/**
 * Which allocators an {@link Invariant} binds: every allocator, or this family only.
 */
public enum Profile {

    /**
     * What any allocator must do to be safe to use: blocks of the size asked for, aligned, disjoint, their bytes
     * kept, one owner at a time, nothing lost, every bad input rejected with the state unchanged, memory given back on
     * close, a refusal that leaves it usable, and every concurrent history linearizable. Checked through
     * {@link OffHeapAllocator} against allocators anyone wrote.
     */
    SAFETY("safety", "every allocator"),

    /**
     * jalib's policy on top of safety: the five size classes, LIFO reuse, growth only when a free stack is empty,
     * the carving order, raw mappings of their own, stats and arenas that agree with the reference, and refinement
     * of the reference block for block. Checked through {@link BlockAllocator} against this family only.
     */
    FAMILY("family", "the jalib family's policy");

    private final String label;
    private final String binds;

    Profile(String label, String binds) {
        this.label = label;
        this.binds = binds;
    }

    /** The name used on the command line and in reports: {@code safety} or {@code family}. */
    public String label() {
        return label;
    }

    /** Whom it binds, in a few words. */
    public String binds() {
        return binds;
    }

    /**
     * Whether a verification in this profile checks {@code invariant}: the family profile checks every invariant, the
     * safety profile the safety ones.
     */
    public boolean checks(Invariant invariant) {
        return this == FAMILY || invariant.profile() == SAFETY;
    }

    /**
     * The profile with this label.
     *
     * @throws IllegalArgumentException naming the labels there are
     */
    public static Profile byLabel(String label) {
        for (Profile p : values()) {
            if (p.label.equalsIgnoreCase(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no profile is called '" + label + "': safety or family");
    }
}
