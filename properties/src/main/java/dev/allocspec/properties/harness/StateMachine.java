package dev.allocspec.properties.harness;

import java.util.List;

/**
 * What a model-based property needs from its subject: fresh states, weighted action kinds, and the invariants to check
 * after every step.
 *
 * @param <S> the run's state
 */
public interface StateMachine<S> {

    /** A weighted kind of action. */
    record Weighted<S>(int weight, ActionSource<S> source) {
        /** @throws IllegalArgumentException if the weight is not positive */
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be positive: " + weight);
            }
        }
    }

    /** The property's name for reports. */
    String name();

    /** A fresh state for one run. */
    S newState();

    /** The kinds of action and their weights. */
    List<Weighted<S>> actions();

    /**
     * Checks every invariant of the state; called after every step.
     *
     * @throws AssertionError naming the broken invariant
     */
    void checkInvariants(S state);

    /** Releases what the state holds (closes allocators); called after every run, failed or not. */
    void dispose(S state);
}
