package dev.allocspec.spec;

import dev.allocspec.os.MemorySource;
import dev.allocspec.reference.ReferenceAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A correct allocator with one {@link PlantedFault} planted around it. Only the behaviour the fault names differs;
 * everything else is delegated.
 */
public final class FaultyAllocator implements BlockAllocator {

    private static final long LINK_MARK = 0x5EED_5EED_5EED_5EEDL;

    private final PlantedFault fault;
    private final BlockAllocator delegate;
    private final Map<Long, MemorySegment> handedOut = new ConcurrentHashMap<>();
    private final Map<Long, Thread> allocatedBy = new ConcurrentHashMap<>();
    private MemorySegment previous;
    /** OVERLAPS_NEIGHBOUR: the double-size block whose halves overlap, and which slice's free gives it back. */
    private MemorySegment overlapped;
    private final Map<Long, MemorySegment> overlappingOwners = new ConcurrentHashMap<>();
    private MemorySegment delayed;
    private int allocations;
    private AllocatorStats statsAtClose;
    private volatile boolean closed;
    private volatile boolean poisoned;

    /**
     * The reference allocator with {@code fault} planted: the faults of a policy (chunk size, cap, bound, decay) in
     * the policies the reference is given, every other one around it.
     */
    public static FaultyAllocator around(PlantedFault fault, ChunkPolicy policy, MemorySource memory,
                                         PurgePolicy purgePolicy) {
        ChunkPolicy chunks = fault == PlantedFault.WRONG_CHUNK_SIZE
                ? new ChunkPolicy(policy.blocksPerChunk() * 2) : policy;
        PurgePolicy purges = switch (fault) {
            case CACHES_NO_LARGE_MAPPING -> purgePolicy.withRetainedCap(0);
            case IGNORES_RETAINED_CAP -> purgePolicy.withRetainedCap(Long.MAX_VALUE);
            case IGNORES_DIRTY_BOUND -> purgePolicy.withDirtyBound(Long.MAX_VALUE, 62);
            case IGNORES_DECAY -> purgePolicy.withDecayDelay(purgePolicy.decayDelay().multipliedBy(1000));
            case IGNORES_POOLED_PURGE -> purgePolicy.withPooledPurge(false);
            default -> purgePolicy;
        };
        return new FaultyAllocator(fault, new ReferenceAllocator(chunks, memory, purges));
    }

    /** {@code delegate} with {@code fault} planted around it. */
    public FaultyAllocator(PlantedFault fault, BlockAllocator delegate) {
        this.fault = fault;
        this.delegate = delegate;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        requireOpen();
        if (poisoned) {
            throw new OutOfMemoryError("poisoned by an earlier refusal");
        }
        MemorySegment block;
        try {
            block = faultyAllocate(byteSize, byteAlignment);
        } catch (OutOfMemoryError refused) {
            poisoned = fault == PlantedFault.POISONED_BY_REFUSAL;
            throw refused;
        }
        handedOut.put(block.address(), block);
        allocatedBy.put(block.address(), Thread.currentThread());
        previous = block;
        return block;
    }

    private MemorySegment faultyAllocate(long byteSize, long byteAlignment) {
        boolean classBoundary = byteSize > 0 && byteSize <= SizeClass.LARGEST_BLOCK && Long.bitCount(byteSize) == 1
                && SizeClass.forSize(byteSize).blockSize() == byteSize;
        return switch (fault) {
            case CLASS_OFF_BY_ONE -> classBoundary
                    ? delegate.allocate(byteSize + 1, byteAlignment).asSlice(0, byteSize)
                    : delegate.allocate(byteSize, byteAlignment);
            case REJECTS_ZERO_SIZE -> {
                if (byteSize == 0) {
                    throw new IllegalArgumentException("zero size");
                }
                yield delegate.allocate(byteSize, byteAlignment);
            }
            case IGNORES_ALIGNMENT -> delegate.allocate(byteSize, 1);
            // A slice keeps the previous block's scope: once the allocator closes (or the raw block is unmapped) a
            // use of the duplicate throws, where a segment made from the bare address would crash the JVM.
            case HANDS_OUT_BLOCK_TWICE -> ++allocations % 3 == 0 && previous != null && previous.scope().isAlive()
                    ? previous.asSlice(0, Math.min(byteSize, previous.byteSize()))
                    : delegate.allocate(byteSize, byteAlignment);
            case OVERLAPS_NEIGHBOUR -> byteSize > 0 && byteSize <= 8192 ? overlappingSlice(byteSize, byteAlignment)
                    : delegate.allocate(byteSize, byteAlignment);
            case ACCEPTS_NEGATIVE_SIZE -> delegate.allocate(Math.max(0, byteSize), byteAlignment);
            case ACCEPTS_HUGE_SIZE -> delegate.allocate(Math.min(byteSize, SizeClass.MAX_REQUEST), byteAlignment);
            case ROUNDS_BAD_ALIGNMENT -> delegate.allocate(byteSize,
                    byteAlignment > 0 && Long.bitCount(byteAlignment) != 1
                            ? Long.highestOneBit(byteAlignment) << 1 : byteAlignment);
            default -> delegate.allocate(byteSize, byteAlignment);
        };
    }

    /**
     * The first of a pair is the start of a block twice its size, the second starts halfway into it (rounded down to
     * the alignment): both lie inside memory the delegate handed out, so the overlap corrupts data but never reaches
     * unmapped memory. The first's free gives the double block back; the second's is dropped.
     */
    private MemorySegment overlappingSlice(long byteSize, long byteAlignment) {
        if (overlapped == null || overlapped.byteSize() != 2 * byteSize || !overlapped.scope().isAlive()) {
            overlapped = delegate.allocate(2 * byteSize, byteAlignment);
            MemorySegment first = overlapped.asSlice(0, byteSize);
            overlappingOwners.put(first.address(), overlapped);
            return first;
        }
        long offset = byteSize / 2 / byteAlignment * byteAlignment;
        if (offset == 0) {
            return delegate.allocate(byteSize, byteAlignment); // too small to start inside its neighbour
        }
        MemorySegment second = overlapped.asSlice(offset, byteSize);
        overlapped = null;
        overlappingOwners.put(second.address(), MemorySegment.NULL);
        return second;
    }

    @Override
    public void free(MemorySegment block) {
        requireOpen();
        if (fault == PlantedFault.OVERLAPS_NEIGHBOUR && block != null) {
            MemorySegment owner = overlappingOwners.remove(block.address());
            if (owner != null) {
                if (owner != MemorySegment.NULL) {
                    delegate.free(owner);
                }
                return;
            }
        }
        if (block == null && fault == PlantedFault.IGNORES_NULL) {
            return;
        }
        switch (fault) {
            case DROPS_CROSS_THREAD_FREE -> {
                if (block != null && allocatedBy.get(block.address()) != Thread.currentThread()) {
                    return;
                }
            }
            case LEAKS_FREED_BLOCK -> {
                if (block != null && block.byteSize() <= SizeClass.LARGEST_BLOCK) {
                    return;
                }
            }
            case KEEPS_RAW_MAPPING -> {
                if (block != null && block.byteSize() > SizeClass.LARGEST_BLOCK) {
                    return;
                }
            }
            case DELAYS_FREE -> {
                MemorySegment now = delayed;
                delayed = block;
                if (now == null) {
                    return;
                }
                block = now;
            }
            case TRUSTS_FREE_SIZE -> block = block == null ? null : handedOut.getOrDefault(block.address(), block);
            default -> {
            }
        }
        try {
            delegate.free(block);
        } catch (IllegalArgumentException e) {
            if (fault == PlantedFault.IGNORES_FOREIGN_FREE && e.getMessage().startsWith("not a block")) {
                return;
            }
            if (fault == PlantedFault.FREES_INTERIOR_ADDRESS && e.getMessage().startsWith("interior")) {
                freeBlockContaining(block.address());
                return;
            }
            throw e;
        } catch (IllegalStateException e) {
            if (fault == PlantedFault.IGNORES_DOUBLE_FREE) {
                return;
            }
            throw e;
        }
        if (fault == PlantedFault.LINKS_INTO_NEIGHBOUR && block.byteSize() <= SizeClass.LARGEST_BLOCK) {
            writeLinkIntoNextBlock(block);
        }
    }

    private void freeBlockContaining(long address) {
        for (MemorySegment candidate : new ArrayList<>(handedOut.values())) {
            if (candidate.address() <= address && address < candidate.address() + Math.max(1, candidate.byteSize())) {
                delegate.free(candidate);
                return;
            }
        }
    }

    private void writeLinkIntoNextBlock(MemorySegment block) {
        long next = block.address() + SizeClass.forSize(block.byteSize()).blockSize();
        for (MemorySegment arena : delegate.arenas()) {
            if (arena.address() <= block.address() && next + 8 <= arena.address() + arena.byteSize()) {
                arena.set(ValueLayout.JAVA_LONG_UNALIGNED, next - arena.address(), LINK_MARK);
            }
        }
    }

    @Override
    public void purge() {
        requireOpen();
        if (fault != PlantedFault.PURGE_DOES_NOTHING) {
            delegate.purge();
        }
    }

    @Override
    public List<MemorySegment> arenas() {
        requireOpen();
        List<MemorySegment> arenas = delegate.arenas();
        return fault == PlantedFault.FORGETS_ARENAS ? List.of() : arenas;
    }

    @Override
    public AllocatorStats stats() {
        if (closed && fault == PlantedFault.STATS_AFTER_CLOSE) {
            return statsAtClose;
        }
        requireOpen();
        AllocatorStats stats = delegate.stats();
        if (fault != PlantedFault.STATS_OFF_BY_ONE) {
            return stats;
        }
        List<ClassStats> pools = new ArrayList<>(stats.pools());
        ClassStats b64 = pools.getFirst();
        pools.set(0, new ClassStats(b64.sizeClass(), b64.carved(), b64.live() + 1, b64.free()));
        return new AllocatorStats(pools, stats.rawBlocksLive(), stats.rawBytesLive(), stats.chunksObtained(),
                stats.retainedBytes(), stats.dirtyBytes(), stats.purgedBytes());
    }

    @Override
    public void close() {
        if (closed && fault == PlantedFault.CLOSE_TWICE_QUIET) {
            return;
        }
        requireOpen();
        if (fault == PlantedFault.STATS_AFTER_CLOSE) {
            statsAtClose = delegate.stats();
        }
        closed = true;
        if (fault != PlantedFault.CLOSE_KEEPS_MEMORY) {
            delegate.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw Rejections.closed();
        }
    }
}
