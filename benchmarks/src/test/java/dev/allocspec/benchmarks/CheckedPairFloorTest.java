package dev.allocspec.benchmarks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The floor is only a fair calibration if it does the checks it claims: each of them is made to fire here, on both
 * variants (with the state word's CAS and with the plain store).
 */
class CheckedPairFloorTest {

    private BlockSource floor;

    private MemorySegment open(Peer peer, int size) {
        floor = peer.open();
        return (MemorySegment) floor.allocate(size);
    }

    @AfterEach
    void close() {
        floor.close();
    }

    @ParameterizedTest
    @EnumSource(value = Peer.class, names = {"FLOOR_CHECKED_PAIR", "FLOOR_CHECKED_PAIR_NO_CAS"})
    void handsOutDistinctBlocksAndReusesASegmentOfTheSameSize(Peer peer) {
        MemorySegment first = open(peer, 100);
        Set<Long> addresses = new HashSet<>();
        addresses.add(first.address());
        for (int i = 1; i < 64; i++) {
            assertThat(addresses.add(((MemorySegment) floor.allocate(100)).address())).isTrue();
        }
        assertThatThrownBy(() -> floor.allocate(100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("all are live");
        floor.free(first);
        assertThat(floor.allocate(100)).isSameAs(first);
    }

    @ParameterizedTest
    @EnumSource(value = Peer.class, names = {"FLOOR_CHECKED_PAIR", "FLOOR_CHECKED_PAIR_NO_CAS"})
    void rejectsADoubleFreeAWrongSizeAndAnInteriorAddress(Peer peer) {
        MemorySegment block = open(peer, 64);
        assertThatThrownBy(() -> floor.free(block.asSlice(0, 32))).hasMessageContaining("wrong size");
        assertThatThrownBy(() -> floor.free(block.asSlice(8, 32))).hasMessageContaining("interior");
        floor.free(block);
        assertThatThrownBy(() -> floor.free(block)).hasMessageContaining("double free");
    }

    @ParameterizedTest
    @EnumSource(value = Peer.class, names = {"FLOOR_CHECKED_PAIR", "FLOOR_CHECKED_PAIR_NO_CAS"})
    void rejectsForeignHeapAndDeadSegments(Peer peer) {
        open(peer, 64);
        assertThatThrownBy(() -> floor.free(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> floor.free(MemorySegment.ofArray(new byte[64]))).hasMessageContaining("heap segment");
        MemorySegment dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = arena.allocate(64);
        }
        MemorySegment closed = dead;
        assertThatThrownBy(() -> floor.free(closed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arena that has been closed");
        assertThatThrownBy(() -> floor.free(Arena.ofAuto().allocate(64))).hasMessageContaining("not a block");
        assertThatThrownBy(() -> floor.allocate(16385)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Peer.class, names = {"FLOOR_CHECKED_PAIR", "FLOOR_CHECKED_PAIR_NO_CAS"})
    void refusesAnyThreadButTheOneThatOpenedIt(Peer peer) throws InterruptedException, ExecutionException {
        MemorySegment block = open(peer, 64);
        Throwable refused = CompletableFuture.supplyAsync(() -> {
            try {
                floor.free(block);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).get();
        assertThat(refused).hasMessageContaining("single-threaded");
        floor.free(block); // still live: the refused call changed nothing
    }
}
