package dev.allocspec.impl;

import org.junit.jupiter.params.provider.Arguments;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The allocator configurations every check runs against: each CAS strategy, with and without thread caches. */
public final class Configurations {

    private Configurations() {
    }

    /** (strategy, thread cache on?) for every strategy, available or not (tests skip the unavailable ones). */
    public static Stream<Arguments> strategiesWithAndWithoutCache() {
        return Arrays.stream(CasStrategy.values()).flatMap(s -> Stream.of(Arguments.of(s, true),
                Arguments.of(s, false)));
    }

    /** Skips the calling test (or class, from a {@code @BeforeAll}) where {@code strategy} cannot run, saying why. */
    public static void assumeRunsHere(CasStrategy strategy) {
        assumeTrue(strategy.isAvailable(), () -> strategy + " unavailable: " + strategy.unavailableReason());
    }
}
