package dev.allocspec.properties.harness;

import java.util.SplittableRandom;

/**
 * Generates one kind of action for the current state, or none when the kind cannot apply (no live block to free).
 *
 * @param <S> the run's state
 */
@FunctionalInterface
public interface ActionSource<S> {

    /** An action for this state, or null if this kind has nothing to act on. */
    Action<S> generate(S state, SplittableRandom random);
}
