package dev.allocspec.spec;

/**
 * How a pooled class grows: when its free stack is empty it obtains one chunk of {@code blocksPerChunk} blocks from
 * the system and carves it into blocks.
 *
 * <p><b>Carving order</b> (part of the specification, so that two allocators agree block for block): the blocks of a
 * new chunk are linked lowest address first and the chain is pushed onto the free stack as a whole, so the next
 * allocations return offsets {@code 0, s, 2s, ...} of the chunk, in that order.
 *
 * <p><b>Why every class gets chunks of its own, of the same block count.</b> jalib refills the four small classes
 * 16 KiB at a time out of the 16384-byte class and that class 16 MiB at a time. Carving small classes out of a big
 * class mixes the stats of two classes and makes "which arena owns this block" a two-level question. A fixed block
 * count per chunk keeps every class's bookkeeping alike, amortises one system call and one chain push over the same
 * number of blocks in every class, and bounds the memory a class can strand to one chunk. The default of 256 blocks
 * gives chunks of 16 KiB (64-byte class, jalib's refill size) up to 4 MiB (16 KiB class): about 5.3 MiB once every
 * class is in use. Tests use a small count so that growth happens within a few steps.
 *
 * @param blocksPerChunk blocks carved from each chunk, 1 to {@value #MAX_BLOCKS_PER_CHUNK}
 */
public record ChunkPolicy(int blocksPerChunk) {

    /** The largest block count a chunk may have. */
    public static final int MAX_BLOCKS_PER_CHUNK = 1 << 16;

    /** 256 blocks per chunk in every class. */
    public static final ChunkPolicy DEFAULT = new ChunkPolicy(256);

    /**
     * @throws IllegalArgumentException if {@code blocksPerChunk} is outside 1 to {@value #MAX_BLOCKS_PER_CHUNK}
     */
    public ChunkPolicy {
        if (blocksPerChunk < 1 || blocksPerChunk > MAX_BLOCKS_PER_CHUNK) {
            throw new IllegalArgumentException("blocksPerChunk must be between 1 and " + MAX_BLOCKS_PER_CHUNK
                    + ": " + blocksPerChunk);
        }
    }

    /** The bytes of one chunk of a pooled class. */
    public long chunkBytes(SizeClass sizeClass) {
        return (long) sizeClass.blockSize() * blocksPerChunk;
    }
}
