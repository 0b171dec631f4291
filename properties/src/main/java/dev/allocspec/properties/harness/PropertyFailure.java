package dev.allocspec.properties.harness;

import java.io.Serial;

/** Thrown by {@link ModelBasedRunner#assertHolds()}: the message is the shrunk failure's report. */
public final class PropertyFailure extends AssertionError {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Failure failure;

    PropertyFailure(Failure failure) {
        super(failure.report(), failure.cause());
        this.failure = failure;
    }

    /** The shrunk failure. */
    public Failure failure() {
        return failure;
    }
}
