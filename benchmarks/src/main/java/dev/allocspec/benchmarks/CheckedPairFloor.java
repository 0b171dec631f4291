package dev.allocspec.benchmarks;

import dev.allocspec.spec.ClosedScopes;
import dev.allocspec.spec.Rejections;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A calibration peer, not an allocator: the least work an allocate+free pair does when it keeps the contract's checks,
 * so that the pair benchmark can say what is left above that floor on the machine it runs on. One thread, one LIFO
 * array of 64 slots of 16 KiB, no size classes, no shared stack, no growth: the thread check, the closed check, the
 * segment reused per block, the freed segment's checks (null, native, alive, in range, block start, size) and the
 * block's state word, which a free changes from "live with this size" to "free" with one compare-and-set.
 *
 * <p>That CAS is what makes two concurrent frees of one block end in exactly one success (INV-REJECT-DOUBLE-FREE);
 * {@link #withoutStateCas()} replaces it by a plain read and store, which loses that guarantee and exists only to
 * measure what the locked instruction costs.
 */
abstract class CheckedPairFloor implements BlockSource {

    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int SLOTS = 64;
    private static final int SHIFT = 14;
    private static final long LARGEST = 1L << SHIFT;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(SLOTS * LARGEST, 4096);
    private final long base = memory.address();
    private final long end = base + memory.byteSize();
    private final int[] state = new int[SLOTS];
    private final MemorySegment[] segments = new MemorySegment[SLOTS];
    private final Thread owner = Thread.currentThread();
    private final long[] free = new long[SLOTS];
    private int count;
    private volatile boolean closed;
    /** Never added to: the floor closes no scope a caller could hold but its own, at close. */
    private final ClosedScopes closedScopes = new ClosedScopes();

    CheckedPairFloor() {
        for (int i = SLOTS - 1; i >= 0; i--) {
            free[count++] = base + ((long) i << SHIFT);
        }
    }

    /** The floor with the state word's CAS on free, as the contract needs. */
    static CheckedPairFloor withStateCas() {
        return new CheckedPairFloor() {
            @Override
            boolean claimFree(int[] state, int index, int live) {
                return STATE.compareAndSet(state, index, live, 0);
            }
        };
    }

    /** The floor with a plain read and store instead of the CAS: unsafe under concurrent frees; measurement only. */
    static CheckedPairFloor withoutStateCas() {
        return new CheckedPairFloor() {
            @Override
            boolean claimFree(int[] state, int index, int live) {
                if ((int) STATE.get(state, index) != live) {
                    return false;
                }
                STATE.setRelease(state, index, 0);
                return true;
            }
        };
    }

    /** Turns block {@code index} from live with state {@code live} to free; false if it was not in that state. */
    abstract boolean claimFree(int[] state, int index, int live);

    @Override
    public Object allocate(int size) {
        checkCaller();
        if (size < 0 || size > LARGEST) {
            throw new IllegalArgumentException("the floor models pooled sizes only (0 to 16384 bytes): " + size);
        }
        if (count == 0) {
            throw new IllegalStateException("the floor holds " + SLOTS + " blocks; all are live");
        }
        long block = free[--count];
        int index = (int) ((block - base) >>> SHIFT);
        if ((int) STATE.get(state, index) != 0) {
            throw new IllegalStateException("block " + index + " is free and live at once");
        }
        MemorySegment last = segments[index];
        MemorySegment segment;
        if (last != null && last.byteSize() == size) {
            segment = last;
        } else {
            segment = memory.asSlice(block - base, size);
            segments[index] = segment;
        }
        STATE.setRelease(state, index, size + 1);
        return segment;
    }

    @Override
    public void free(Object block) {
        checkCaller();
        MemorySegment segment = (MemorySegment) block;
        long address = Rejections.requireLiveNativeSegment(segment, closedScopes); // the allocators' own first checks
        if (address < base || address >= end) {
            throw new IllegalArgumentException("not a block of the floor: 0x" + Long.toHexString(address));
        }
        int index = (int) ((address - base) >>> SHIFT);
        if (base + ((long) index << SHIFT) != address) {
            throw new IllegalArgumentException("interior address: 0x" + Long.toHexString(address));
        }
        long byteSize = segment.byteSize();
        if (byteSize > LARGEST || !claimFree(state, index, (int) byteSize + 1)) {
            throw new IllegalStateException("double free or wrong size: block " + index);
        }
        free[count++] = address;
    }

    private void checkCaller() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("the floor is single-threaded: only the thread that opened it may call");
        }
    }

    @Override
    public boolean crossThreadFree() {
        return false;
    }

    @Override
    public void close() {
        closed = true;
        arena.close();
    }
}
