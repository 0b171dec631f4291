package dev.allocspec.spec;

/**
 * An allocator that can walk its own state and check the invariants of the catalogue that are visible from inside.
 */
public interface SelfChecking {

    /**
     * Walks the whole state and checks every internal invariant. Call it only when no operation is in flight.
     *
     * @throws InvariantViolation naming the broken invariant's ID and what was found
     * @throws IllegalStateException if the allocator is closed
     */
    void checkInvariants();
}
