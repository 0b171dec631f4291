package dev.allocspec.spec;

import java.util.List;

/**
 * The size classes of the allocator family: five pools of fixed-size blocks and the raw class above them.
 *
 * <p>A request of {@code n} bytes with alignment {@code a} is served from the smallest pooled class whose block size
 * is at least {@code max(n, a)}; above {@value #LARGEST_BLOCK} bytes it is served {@link #RAW raw}: a page-rounded,
 * page-aligned mapping of its own, straight from the operating system and given back to it on free.
 *
 * <p>Why {@code max(n, a)}: every pooled chunk starts on a page boundary and block sizes are powers of two, so a block
 * of size {@code s} is aligned to {@code min(s, pageSize)}. A block at least as large as the alignment is therefore
 * aligned to it, with no padding and no second policy.
 */
public enum SizeClass {
    /** 64-byte blocks. */
    B64(64),
    /** 256-byte blocks. */
    B256(256),
    /** 1 KiB blocks. */
    B1K(1024),
    /** 4 KiB blocks. */
    B4K(4096),
    /** 16 KiB blocks, the largest pooled class. */
    B16K(16384),
    /** Requests above {@value #LARGEST_BLOCK} bytes: a page-rounded mapping of their own. */
    RAW(0);

    /** The block size of the largest pooled class; larger requests are raw. */
    public static final long LARGEST_BLOCK = 16384;

    /**
     * The largest size accepted at all. Anything larger is rejected as bad input; anything up to it is passed to the
     * operating system, which may refuse it ({@link OutOfMemoryError}). 2<sup>62</sup> leaves room for page rounding
     * without overflow and is beyond every address space in use.
     */
    public static final long MAX_REQUEST = 1L << 62;

    /** How many pooled classes there are; also the {@link #ordinal()} of {@link #RAW}. */
    public static final int POOLED_CLASSES = 5;

    private static final List<SizeClass> POOLED = List.of(B64, B256, B1K, B4K, B16K);

    private final int blockSize;

    SizeClass(int blockSize) {
        this.blockSize = blockSize;
    }

    /** The pooled classes, smallest first. */
    public static List<SizeClass> pooled() {
        return POOLED;
    }

    /**
     * The block size of a pooled class.
     *
     * @throws UnsupportedOperationException for {@link #RAW}, whose blocks have no fixed size
     */
    public int blockSize() {
        if (this == RAW) {
            throw new UnsupportedOperationException("RAW blocks have no fixed size: they are page-rounded per request");
        }
        return blockSize;
    }

    /** Whether this is the raw class. */
    public boolean isRaw() {
        return this == RAW;
    }

    /**
     * The class that serves a request of {@code byteSize} bytes with no alignment beyond 1.
     *
     * @throws IllegalArgumentException if the size is negative or above {@link #MAX_REQUEST}
     */
    public static SizeClass forSize(long byteSize) {
        checkSize(byteSize);
        return BY_INDEX[indexOf(byteSize)];
    }

    /**
     * The class that serves a request: the smallest pooled class with block size {@code >= max(byteSize,
     * byteAlignment)}, else {@link #RAW}.
     *
     * @param pageSize the system page size; alignments above it cannot be honoured
     * @throws IllegalArgumentException naming the problem, if the size is negative or above {@link #MAX_REQUEST}, or
     *                                  the alignment is not a power of two or is above the page size
     */
    public static SizeClass forRequest(long byteSize, long byteAlignment, long pageSize) {
        return BY_INDEX[indexForRequest(byteSize, byteAlignment, pageSize)];
    }

    /**
     * {@link #forRequest} as the class's {@link #ordinal()}: {@link #POOLED_CLASSES} for {@link #RAW}. For an
     * allocator's hot path, which indexes its pools by ordinal: no enum constant is loaded.
     *
     * @throws IllegalArgumentException as {@link #forRequest} does
     */
    public static int indexForRequest(long byteSize, long byteAlignment, long pageSize) {
        checkSize(byteSize);
        checkAlignment(byteAlignment, pageSize);
        return indexOf(Math.max(byteSize, byteAlignment));
    }

    /**
     * The ordinal of the pooled class that serves a valid request, or -1 for anything else: a large block, or a
     * request {@link #indexForRequest} rejects. For an allocator's fast path, which sends -1 to its general path
     * (that one throws, naming the problem); it throws nothing itself.
     *
     * @param pageSize the system page size; alignments above it cannot be honoured
     */
    public static int pooledIndexOrMinusOne(long byteSize, long byteAlignment, long pageSize) {
        if (byteSize < 0 || byteSize > LARGEST_BLOCK || byteAlignment <= 0 || byteAlignment > pageSize
                || (byteAlignment & (byteAlignment - 1)) != 0) {
            return -1;
        }
        long bytes = Math.max(byteSize, byteAlignment);
        return bytes > LARGEST_BLOCK ? -1 : indexOf(bytes);
    }

    private static final SizeClass[] BY_INDEX = values();

    private static int indexOf(long bytes) {
        if (bytes <= 64) {
            return 0; // B64
        }
        if (bytes > LARGEST_BLOCK) {
            return POOLED_CLASSES;
        }
        // Block sizes are 2^6, 2^8, ..., 2^14: the class is fixed by ceil(log2(bytes)), two bits per class. This is
        // on every allocation's path, so arithmetic rather than a search (SizeClassTest checks every boundary).
        int ceilLog2 = 64 - Long.numberOfLeadingZeros(bytes - 1);
        return (ceilLog2 - 5) / 2;
    }

    /**
     * Rejects a size that no class can serve.
     *
     * @throws IllegalArgumentException if the size is negative or above {@link #MAX_REQUEST}
     */
    public static void checkSize(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("size must not be negative: " + byteSize);
        }
        if (byteSize > MAX_REQUEST) {
            throw new IllegalArgumentException(
                    "size too large: " + byteSize + " bytes (the most this allocator accepts is 2^62 bytes)");
        }
    }

    /**
     * Rejects an alignment that cannot be honoured.
     *
     * @throws IllegalArgumentException if the alignment is not a power of two or is above the page size
     */
    public static void checkAlignment(long byteAlignment, long pageSize) {
        if (byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + byteAlignment);
        }
        if (byteAlignment > pageSize) {
            throw new IllegalArgumentException("alignment " + byteAlignment
                    + " is above the page size " + pageSize + ": blocks are at most page-aligned");
        }
    }

    /** The bytes a raw request of {@code byteSize} maps: the size rounded up to whole pages (at least one page). */
    public static long rawMappingSize(long byteSize, long pageSize) {
        long pages = Math.max(1, (byteSize + pageSize - 1) / pageSize);
        return pages * pageSize;
    }

    /**
     * Whether a cached free mapping of {@code mappingBytes} may serve a large request of {@code byteSize} bytes: it
     * holds the request's page-rounded size and wastes at most a quarter of it (jemalloc's large size classes, four
     * per doubling, waste as much). Among the mappings that fit, an allocation takes the smallest, and among equals
     * the one freed last (INV-LARGE-REUSE): LIFO, as the pooled classes, so the mapping most likely still resident
     * and in the TLB goes first; and an order two allocators can agree on, where the addresses the system picks
     * differ.
     */
    public static boolean largeMappingFits(long mappingBytes, long byteSize, long pageSize) {
        long needed = rawMappingSize(byteSize, pageSize);
        return mappingBytes >= needed && mappingBytes - needed <= needed / 4;
    }

    @Override
    public String toString() {
        return this == RAW ? "raw" : Integer.toString(blockSize);
    }
}
