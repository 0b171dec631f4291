package dev.allocspec.impl;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * {@link StampedTop} updated by the hardware's 128-bit CAS through a critical downcall.
 *
 * <p><b>Memory ordering.</b> The Java memory model says nothing about native code, so the argument is by mechanism:
 * the JIT treats the downcall as an opaque call that may read and write any memory, so it keeps every Java access
 * before it before and every access after it after; the instruction itself is a full barrier ({@code lock}-prefixed
 * on x86-64, acquire-release exclusives on AArch64). A pusher's plain store of {@code next} therefore reaches memory
 * before the CAS that publishes the block, and a popper's acquire load of the node orders its later load of
 * {@code next}.
 */
public final class NativeCas128Top extends StampedTop {

    private final Cas128Native cas128 = Cas128Native.get();
    private final long address;

    NativeCas128Top(MemorySegment word) {
        super(word);
        if (!cas128.available()) {
            throw new UnsupportedOperationException("NATIVE_CAS128 unavailable: " + cas128.unavailableReason());
        }
        this.address = word.address();
    }

    @Override
    public boolean casTop(long expectStamp, long expectNode, long newStamp, long newNode) {
        boolean swapped = cas128.cas(address, expectStamp, expectNode, newStamp, newNode);
        // The word's memory is given back by the garbage collector once the segment is unreachable; the native call
        // reaches it by address only, so the segment must stay reachable until the call has returned.
        Reference.reachabilityFence(word);
        return swapped;
    }

    @Override
    public CasStrategy strategy() {
        return CasStrategy.NATIVE_CAS128;
    }
}
