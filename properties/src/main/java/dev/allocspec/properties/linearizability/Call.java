package dev.allocspec.properties.linearizability;

import java.util.Locale;

/**
 * One completed call on an allocator, as a concurrent history records it: who made it, what it asked, what came back,
 * and when it was invoked and answered on the history's logical clock ({@link History#tick()}).
 *
 * @param thread      the scenario's thread number from 0, or -1 for the main thread (the sequential prefix, and the
 *                    frees after the threads ended)
 * @param kind        allocate or free
 * @param size        the requested size (allocate) or the freed segment's size (free)
 * @param address     the block's address: returned (allocate) or given (free); 0 when an allocation failed
 * @param outcome     what the call answered
 * @param detail      the exception's message when the call threw, else null
 * @param invokedAt   the clock just before the call
 * @param respondedAt the clock just after it returned or threw
 */
public record Call(int thread, Kind kind, long size, long address, Outcome outcome, String detail, long invokedAt,
                   long respondedAt) {

    /** What was called. */
    public enum Kind {
        /** {@code allocate(size)}. */
        ALLOCATE,
        /** {@code free(segment)}. */
        FREE
    }

    /** What the call answered. */
    public enum Outcome {
        /** It returned normally (a block, or a completed free). */
        OK,
        /** It threw {@link IllegalStateException} (a double free, by the contract). */
        REJECTED_STATE,
        /** It threw {@link IllegalArgumentException} (not a block of this allocator, by the contract). */
        REJECTED_ARGUMENT,
        /** It threw anything else. */
        THREW;

        /** The outcome a call that threw {@code e} had. */
        public static Outcome of(Throwable e) {
            return e instanceof IllegalStateException ? REJECTED_STATE
                    : e instanceof IllegalArgumentException ? REJECTED_ARGUMENT : THREW;
        }
    }

    /** Whether this call's interval ends before {@code other}'s begins (real-time order). */
    public boolean precedes(Call other) {
        return respondedAt < other.invokedAt;
    }

    @Override
    public String toString() {
        String who = thread < 0 ? "main" : "thread " + (thread + 1);
        String what = kind == Kind.ALLOCATE ? "allocate(" + size + ")" : "free(0x" + Long.toHexString(address) + ", "
                + size + " B)";
        String answer = switch (outcome) {
            case OK -> kind == Kind.ALLOCATE ? "0x" + Long.toHexString(address) : "ok";
            default -> outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + detail + ")";
        };
        return String.format("[%d..%d] %s: %s -> %s", invokedAt, respondedAt, who, what, answer);
    }
}
