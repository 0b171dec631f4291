package dev.allocspec.spec;

import java.io.Serial;
import java.util.Objects;

/** A broken invariant: the message starts with the invariant's stable ID. */
public final class InvariantViolation extends AssertionError {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Invariant invariant;

    /**
     * @param invariant the invariant that does not hold
     * @param detail    what was found, with the addresses or counts involved
     */
    public InvariantViolation(Invariant invariant, String detail) {
        super(Objects.requireNonNull(invariant, "invariant").id() + " violated: " + detail);
        this.invariant = invariant;
    }

    /** The invariant that does not hold. */
    public Invariant invariant() {
        return invariant;
    }
}
