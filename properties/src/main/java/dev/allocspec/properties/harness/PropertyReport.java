package dev.allocspec.properties.harness;

import java.util.Optional;

/**
 * The result of checking one property.
 *
 * @param property the property's name
 * @param tries    tries run (up to and including a failing one)
 * @param steps    actions run over all tries (shrinking not counted)
 * @param coverage what the tries exercised
 * @param failure  the shrunk failure, if any
 */
public record PropertyReport(String property, int tries, long steps, Coverage coverage, Optional<Failure> failure) {

    /** Whether the property held on every try. */
    public boolean passed() {
        return failure.isEmpty();
    }

    /** A one-paragraph summary with the coverage statistics. */
    public String summary() {
        return "Property '" + property + "': " + (passed() ? "held" : "FAILED") + " over " + tries + " tries, "
                + steps + " steps\n  " + coverage;
    }
}
