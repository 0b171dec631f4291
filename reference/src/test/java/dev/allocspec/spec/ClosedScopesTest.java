package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** Each of the three answers for a segment whose scope is closed, and what decides between them. */
class ClosedScopesTest {

    private final ClosedScopes closedScopes = new ClosedScopes();

    private static MemorySegment closedSegment(Arena arena) {
        MemorySegment segment = arena.allocate(64);
        arena.close();
        return segment;
    }

    @Test
    void aScopeGivenBackIsADoubleFree() {
        Arena ours = Arena.ofShared();
        MemorySegment freed = closedSegment(ours);
        closedScopes.addGivenBack(ours.scope());
        assertThat(closedScopes.rejectionFor(freed)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double free");
    }

    @Test
    void anyOtherClosedScopeIsNotABlockOfThisAllocator() {
        closedScopes.addGivenBack(closedSegment(Arena.ofShared()).scope());
        MemorySegment foreign = closedSegment(Arena.ofConfined());
        assertThat(closedScopes.rejectionFor(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a block of this allocator");
    }

    @Test
    void onceTheAllocatorIsClosedEveryClosedScopeSaysSo() {
        MemorySegment foreign = closedSegment(Arena.ofConfined());
        closedScopes.closeAll();
        assertThat(closedScopes.rejectionFor(foreign)).isInstanceOf(IllegalStateException.class)
                .hasMessage(Rejections.closed().getMessage());
    }
}
