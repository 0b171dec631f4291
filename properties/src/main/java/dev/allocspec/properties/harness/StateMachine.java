package dev.allocspec.properties.harness;

import java.util.List;
import java.util.Map;
import java.util.Set;

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
     * The kinds of action of a long-lived try, which must keep one state alive for thousands of steps: by default all
     * of {@link #actions()}; a machine leaves out what ends the state's life (closing it, say).
     */
    default List<Weighted<S>> longLivedActions() {
        return actions();
    }

    /**
     * Checks every invariant of the state; called after every step.
     *
     * @throws AssertionError naming the broken invariant
     */
    void checkInvariants(S state);

    /**
     * The checks cheap enough for every step of a long-lived try, whose full walk ({@link #checkInvariants}) runs
     * only every few steps; by default the full walk.
     *
     * @throws AssertionError naming the broken invariant
     */
    default void checkCheapInvariants(S state) {
        checkInvariants(state);
    }

    /**
     * How often each internal path of the subject has run in this state's life (see
     * {@link dev.allocspec.spec.InternalPaths}); read at the end of every run for the coverage line. None by default.
     */
    default Map<String, Long> internalPathCounts(S state) {
        return Map.of();
    }

    /**
     * The internal paths the property's runs must reach: a property whose runs reached one of them zero times fails,
     * since a fault there would have gone unseen. None by default.
     */
    default Set<String> requiredPaths() {
        return Set.of();
    }

    /** Releases what the state holds (closes allocators); called after every run, failed or not. */
    void dispose(S state);
}
