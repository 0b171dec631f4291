package dev.allocspec.spec;

import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The scopes one allocator has closed, for telling apart the segments that reach {@code free} with a closed scope: a
 * raw block of this allocator freed again after its memory went back (a double free, {@link IllegalStateException}),
 * any segment of this allocator after {@code close()} ({@link IllegalStateException}), or a segment of somebody
 * else's arena that has been closed (not a block of this allocator, {@link IllegalArgumentException}). The address
 * cannot tell them apart, as the allocator no longer knows it; the scope object can.
 *
 * <p>Raw blocks' scopes are held weakly: one stays here exactly as long as somebody still holds a segment of it, that
 * is, as long as a second free of it can still be attempted. Thread-safe.
 */
public final class ClosedScopes {

    private final Set<MemorySegment.Scope> givenBack = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean allClosed;

    /**
     * Records the scope of a raw block whose memory is being given back; call it before closing the scope, so that a
     * concurrent second free that finds the scope closed also finds it here.
     */
    public void addGivenBack(MemorySegment.Scope scope) {
        givenBack.add(scope);
    }

    /** Marks every scope of the allocator closed; {@code close()} calls it before it closes any. */
    public void closeAll() {
        allClosed = true;
    }

    /** Whether {@code scope} is that of a raw block this allocator has given back. */
    private boolean isGivenBack(MemorySegment.Scope scope) {
        return givenBack.contains(scope);
    }

    /** Why a segment whose scope is closed is refused (see the class comment). */
    public RuntimeException rejectionFor(MemorySegment block) {
        if (allClosed) {
            return Rejections.closed();
        }
        return isGivenBack(block.scope()) ? Rejections.rawDoubleFree(block.address())
                : Rejections.closedForeign(block.address());
    }
}
