package dev.allocspec.properties.harness;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * How hard a property is checked: tries, the longest sequence, and either a base seed or one seed to replay.
 *
 * <p>From system properties: {@code allocspec.pbt.depth} ({@code quick}, {@code standard} (default), {@code deep}),
 * {@code allocspec.pbt.tries}, {@code allocspec.pbt.length}, {@code allocspec.pbt.seed} (base seed for a fresh run)
 * and {@code allocspec.pbt.replay} (the seed of one failing try, printed in its report: runs exactly that try).
 *
 * @param tries       sequences generated
 * @param maxLength   the longest sequence
 * @param baseSeed    the seed every try's seed derives from
 * @param replaySeed  when present, the one try to run
 */
public record Settings(int tries, int maxLength, long baseSeed, OptionalLong replaySeed) {

    /** The settings for a depth: quick (CI smoke), standard (CI default) or deep (nightly). */
    public static Settings forDepth(String depth) {
        return switch (depth.toLowerCase(Locale.ROOT)) {
            case "quick" -> new Settings(50, 40, 0x5EED, OptionalLong.empty());
            case "standard" -> new Settings(300, 80, 0x5EED, OptionalLong.empty());
            case "deep" -> new Settings(5_000, 200, System.nanoTime(), OptionalLong.empty());
            default -> throw new IllegalArgumentException("depth must be quick, standard or deep: " + depth);
        };
    }

    /** The settings the system properties ask for. */
    public static Settings fromSystemProperties() {
        Settings base = forDepth(System.getProperty("allocspec.pbt.depth", "standard"));
        int tries = Integer.getInteger("allocspec.pbt.tries", base.tries());
        int length = Integer.getInteger("allocspec.pbt.length", base.maxLength());
        String seed = System.getProperty("allocspec.pbt.seed");
        String replay = System.getProperty("allocspec.pbt.replay");
        return new Settings(tries, length, seed == null ? base.baseSeed() : Long.decode(seed),
                replay == null ? OptionalLong.empty() : OptionalLong.of(Long.parseUnsignedLong(
                        replay.replaceFirst("^0[xX]", ""), 16)));
    }

    /** The same settings with another try count. */
    public Settings withTries(int tries) {
        return new Settings(tries, maxLength, baseSeed, replaySeed);
    }

    /** @throws IllegalArgumentException on a non-positive count */
    public Settings {
        if (tries < 1 || maxLength < 1) {
            throw new IllegalArgumentException("tries and maxLength must be positive: " + tries + ", " + maxLength);
        }
    }
}
