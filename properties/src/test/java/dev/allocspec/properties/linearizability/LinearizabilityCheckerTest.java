package dev.allocspec.properties.linearizability;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static dev.allocspec.properties.linearizability.Call.Kind.ALLOCATE;
import static dev.allocspec.properties.linearizability.Call.Kind.FREE;
import static dev.allocspec.properties.linearizability.Call.Outcome.OK;
import static dev.allocspec.properties.linearizability.Call.Outcome.REJECTED_ARGUMENT;
import static dev.allocspec.properties.linearizability.Call.Outcome.REJECTED_STATE;
import static dev.allocspec.properties.linearizability.Call.Outcome.THREW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker on hand-made histories, each small enough to decide by eye: the ones some sequential run explains pass,
 * and each way an allocator can keep single ownership yet be unexplainable is found, naming the block and the call.
 */
class LinearizabilityCheckerTest {

    private static final long A = 0x1000;
    private static final long B = 0x2000;

    @Test
    void aSequentialHistoryOfReuseIsLinearizable() {
        assertThat(check(alloc(0, A, 0, 1), free(0, A, OK, 2, 3), alloc(1, A, 4, 5), free(1, A, OK, 6, 7)))
                .isEmpty();
    }

    @Test
    void anAllocationOverlappingTheFreeThatMadeItsBlockFreeIsLinearizable() {
        // Thread 2 gets the block while thread 1's free is still running: the free took effect first.
        assertThat(check(alloc(0, A, 0, 1), free(0, A, OK, 2, 10), alloc(1, A, 5, 6))).isEmpty();
    }

    @Test
    void twoConcurrentFreesOfOneBlockMayEndOneAcceptedAndOneRejected() {
        assertThat(check(alloc(0, A, 0, 1), free(0, A, OK, 2, 6), free(1, A, REJECTED_STATE, 3, 5))).isEmpty();
        assertThat(check(alloc(0, A, 0, 1), free(0, A, REJECTED_STATE, 2, 6), free(1, A, OK, 3, 5))).isEmpty();
    }

    @Test
    void blocksAreJudgedApartSoManyAddressesStayCheap() {
        List<Call> history = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long address = 0x10_000 + 64L * i;
            history.add(alloc(i % 4, address, 4L * i, 4L * i + 5));
            history.add(free(i % 4, address, OK, 4L * i + 6, 4L * i + 9));
        }
        history.sort(Comparator.comparingLong(Call::invokedAt));
        assertThat(LinearizabilityChecker.violation(history)).isEmpty();
    }

    @Test
    void anAllocationOfABlockItsOwnerFreesOnlyLaterIsNot() {
        Optional<String> why = check(alloc(0, A, 0, 1), alloc(1, A, 2, 3), free(0, A, OK, 4, 5));
        assertThat(why).hasValueSatisfying(text -> assertThat(text).contains("block 0x1000")
                .contains("* [2..3] thread 2: allocate(64) -> 0x1000"));
    }

    @Test
    void aFreeOfALiveBlockRejectedAsADoubleFreeIsNot() {
        assertThat(check(alloc(0, A, 0, 1), free(0, A, REJECTED_STATE, 2, 3))).isPresent();
        assertThat(check(alloc(0, A, 0, 1), free(0, A, REJECTED_ARGUMENT, 2, 3))).isPresent();
    }

    @Test
    void theNextOwnersFreeRejectedBecauseTheLastFreeMarkedTheBlockLateIsNot() {
        // Thread 1's free published the block (thread 2 got it) and marked it free afterwards, while thread 2 owned it.
        Optional<String> why = check(alloc(0, A, 0, 1), free(0, A, OK, 2, 5), alloc(1, A, 3, 4),
                free(1, A, REJECTED_STATE, 6, 7), alloc(0, B, 8, 9));
        assertThat(why).hasValueSatisfying(text -> assertThat(text).contains("block 0x1000")
                .contains("the best order explains 3 of them")
                .contains("* [6..7] thread 2: free(0x1000, 64 B) -> rejected state (double free)"));
    }

    @Test
    void anAcceptedDoubleFreeIsNot() {
        assertThat(check(alloc(0, A, 0, 1), free(0, A, OK, 2, 3), free(1, A, OK, 4, 5))).isPresent();
    }

    @Test
    void aFreeThatThrowsSomethingElseAndAFailedAllocationAreNot() {
        assertThat(check(alloc(0, A, 0, 1), free(0, A, THREW, 2, 3))).isPresent();
        assertThat(check(new Call(0, ALLOCATE, 64, 0, THREW, "java.lang.OutOfMemoryError", 0, 1)))
                .hasValueSatisfying(text -> assertThat(text).contains("allocate(64)")
                        .contains("the model always has a free block"));
    }

    @Test
    void aLongHistoryIsReportedAroundWhereTheBestOrderStopped() {
        List<Call> history = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 40; i++) {
            history.add(alloc(i % 2, A, t, t + 1));
            history.add(free(i % 2, A, OK, t + 2, t + 3));
            t += 4;
        }
        history.add(free(0, A, OK, t, t + 1));
        Optional<String> why = check(history.toArray(Call[]::new));
        assertThat(why).hasValueSatisfying(text -> assertThat(text).contains("the best order explains 80 of them")
                .contains("74 earlier calls, all explained").contains("* [160..161]"));
    }

    private static Optional<String> check(Call... calls) {
        List<Call> history = new ArrayList<>(List.of(calls));
        history.sort(Comparator.comparingLong(Call::invokedAt));
        return LinearizabilityChecker.violation(history);
    }

    private static Call alloc(int thread, long address, long invoked, long responded) {
        return new Call(thread, ALLOCATE, 64, address, OK, null, invoked, responded);
    }

    private static Call free(int thread, long address, Call.Outcome outcome, long invoked, long responded) {
        return new Call(thread, FREE, 64, address, outcome, outcome == OK ? null : outcome == REJECTED_STATE
                ? "double free" : "not ours", invoked, responded);
    }
}
