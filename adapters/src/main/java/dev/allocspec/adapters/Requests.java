package dev.allocspec.adapters;

/** The argument checks every adapter makes before it asks its allocator for anything. */
final class Requests {

    private Requests() {
    }

    /**
     * Rejects a negative size or an alignment that is not a power of two.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static void requireValid(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size: " + byteSize);
        }
        if (byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("alignment is not a power of two: " + byteAlignment);
        }
    }

    /** {@code address} rounded up to a multiple of {@code alignment} (a power of two). */
    static long alignUp(long address, long alignment) {
        return (address + alignment - 1) & -alignment;
    }
}
