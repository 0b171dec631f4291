package dev.allocspec.properties.harness;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How hard a property is checked: short tries (many, each on a fresh state), long-lived tries (a few, thousands of
 * steps on one state, so that what shows only late in a state's life is reached), and either a base seed or one seed
 * to replay.
 *
 * <p>From system properties: {@code allocspec.pbt.depth} ({@code quick}, {@code standard} (default), {@code deep}),
 * {@code allocspec.pbt.tries}, {@code allocspec.pbt.length}, {@code allocspec.pbt.longTries},
 * {@code allocspec.pbt.longLength}, {@code allocspec.pbt.seed} (base seed for a fresh run) and
 * {@code allocspec.pbt.replay} (the seed of one failing try, printed in its report, with
 * {@code allocspec.pbt.replayLong=true} when it was a long try: runs exactly that try).
 *
 * @param tries      short sequences generated
 * @param maxLength  the longest short sequence
 * @param baseSeed   the seed every try's seed derives from
 * @param replaySeed when present, the one try to run
 * @param longTries  the long-lived tries run after the short ones
 * @param replayLong whether the try to replay is a long one
 */
public record Settings(int tries, int maxLength, long baseSeed, OptionalLong replaySeed, LongTries longTries,
                       boolean replayLong) {

    /**
     * Long-lived tries: {@code count} sequences of {@code length} steps each on one state, with the cheap checks after
     * every step and the full invariant walk every {@code fullCheckEvery} steps and at the end.
     *
     * @param count          how many (0: none)
     * @param length         steps in each
     * @param fullCheckEvery steps between two full invariant walks
     */
    public record LongTries(int count, int length, int fullCheckEvery) {

        /** No long tries. */
        public static final LongTries NONE = new LongTries(0, 1, 1);

        /** @throws IllegalArgumentException on a negative count or a non-positive length or interval */
        public LongTries {
            if (count < 0 || length < 1 || fullCheckEvery < 1) {
                throw new IllegalArgumentException("long tries need count >= 0, length >= 1 and fullCheckEvery >= 1: "
                        + count + ", " + length + ", " + fullCheckEvery);
            }
        }
    }

    /** Settings with no long tries (and no long replay). */
    public Settings(int tries, int maxLength, long baseSeed, OptionalLong replaySeed) {
        this(tries, maxLength, baseSeed, replaySeed, LongTries.NONE, false);
    }

    /** The settings for a depth: quick (CI smoke), standard (CI default) or deep (nightly). */
    public static Settings forDepth(String depth) {
        return switch (depth.toLowerCase(Locale.ROOT)) {
            case "quick" -> new Settings(50, 40, 0x5EED, OptionalLong.empty(), new LongTries(2, 2_000, 50), false);
            case "standard" -> new Settings(300, 80, 0x5EED, OptionalLong.empty(), new LongTries(3, 4_000, 100),
                    false);
            case "deep" -> new Settings(5_000, 200, System.nanoTime(), OptionalLong.empty(),
                    new LongTries(10, 20_000, 200), false);
            default -> throw new IllegalArgumentException("depth must be quick, standard or deep: " + depth);
        };
    }

    /** The settings the system properties ask for. */
    public static Settings fromSystemProperties() {
        Settings base = forDepth(System.getProperty("allocspec.pbt.depth", "standard"));
        int tries = Integer.getInteger("allocspec.pbt.tries", base.tries());
        int length = Integer.getInteger("allocspec.pbt.length", base.maxLength());
        LongTries longTries = new LongTries(Integer.getInteger("allocspec.pbt.longTries", base.longTries().count()),
                Integer.getInteger("allocspec.pbt.longLength", base.longTries().length()),
                base.longTries().fullCheckEvery());
        String seed = System.getProperty("allocspec.pbt.seed");
        String replay = System.getProperty("allocspec.pbt.replay");
        return new Settings(tries, length, seed == null ? base.baseSeed() : Long.decode(seed),
                replay == null ? OptionalLong.empty() : OptionalLong.of(Long.parseUnsignedLong(
                        replay.replaceFirst("^0[xX]", ""), 16)), longTries,
                Boolean.getBoolean("allocspec.pbt.replayLong"));
    }

    /** The same settings with another try count. */
    public Settings withTries(int tries) {
        return new Settings(tries, maxLength, baseSeed, replaySeed, longTries, replayLong);
    }

    /** The same settings with other long tries. */
    public Settings withLongTries(LongTries longTries) {
        return new Settings(tries, maxLength, baseSeed, replaySeed, longTries, replayLong);
    }

    /** @throws IllegalArgumentException on a non-positive count */
    public Settings {
        if (tries < 1 || maxLength < 1) {
            throw new IllegalArgumentException("tries and maxLength must be positive: " + tries + ", " + maxLength);
        }
        Objects.requireNonNull(longTries, "longTries");
    }
}
