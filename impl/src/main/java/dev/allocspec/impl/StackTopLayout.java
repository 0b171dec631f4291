package dev.allocspec.impl;

/**
 * The off-heap layout of a free stack's top: a 16-byte aligned double word {stamp, node}, replaced as a whole by one
 * 128-bit CAS (jalib's {@code struct alignas(16) StackHead { uintptr_t counter; FreeItem* node; }}, counter first).
 *
 * <pre>
 *  byte   0               8               16                                              128
 *         +---------------+---------------+-----------------------------------------------+
 *         | stamp (u64)   | node (u64)    | padding: keeps each top on cache lines of its own |
 *         +---------------+---------------+-----------------------------------------------+
 *          low word        high word         (two lines, against adjacent-line prefetch)
 *
 *  stamp: bits 63..0  a counter incremented by every successful push and pop
 *  node:  bits 63..0  address of the top free block, 0 when the stack is empty
 * </pre>
 *
 * <b>Stamp wrap.</b> The stamp protects against ABA only if it cannot come back to a value a stalled thread read
 * while that thread sleeps between its read and its CAS. A 64-bit stamp wraps after 2<sup>64</sup> updates: at one
 * update per nanosecond that is 584 years. (A 16-bit stamp would wrap after 65,536 updates, a few microseconds of
 * contention: not enough.) Arithmetic is plain {@code long} addition; the wrap from {@code -1} to {@code 0} is
 * harmless because only equality is ever compared.
 */
public final class StackTopLayout {

    /** Offset of the stamp, the low word. */
    public static final long STAMP_OFFSET = 0;
    /** Offset of the node address, the high word. */
    public static final long NODE_OFFSET = 8;
    /** The double word's size and required alignment: cmpxchg16b faults on a misaligned operand. */
    public static final long ALIGNMENT = 16;
    /** Bytes reserved per top: two 64-byte cache lines, so tops of different classes never share a line. */
    public static final long PADDED_SIZE = 128;
    /** The node value of an empty stack. */
    public static final long EMPTY = 0;

    private StackTopLayout() {
    }

    /** The stamp a successful update writes after reading {@code stamp}. */
    public static long nextStamp(long stamp) {
        return stamp + 1;
    }
}
