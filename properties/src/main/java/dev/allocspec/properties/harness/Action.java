package dev.allocspec.properties.harness;

import java.util.List;

/**
 * One step of a state-machine run: an immutable description of an operation (its arguments fixed when it was
 * generated) that can run against the state of any run.
 *
 * @param <S> the state a run carries (for a model-based test: the model and the system under test side by side)
 */
public interface Action<S> {

    /**
     * Whether the action can run in this state. Replays of a shrunk sequence skip actions whose precondition no
     * longer holds (a free of a block whose allocation was deleted, say).
     */
    boolean precondition(S state);

    /**
     * Runs the action on the state, checking its postconditions.
     *
     * @return the outcome for the log and the coverage statistics, e.g. {@code "#3 (class 256)"}
     * @throws AssertionError when a postcondition does not hold
     */
    String run(S state);

    /** The kind of action, for coverage statistics, e.g. {@code "alloc"}. */
    String kind();

    /** Simpler variants of this action (arguments moved toward edge values), tried while shrinking. */
    default List<Action<S>> simplifications() {
        return List.of();
    }

    /** The action as one log line without its outcome, e.g. {@code "alloc 100"}. */
    @Override
    String toString();
}
