package dev.allocspec.properties.allocator;

import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.properties.allocator.AllocatorActions.Allocate;
import dev.allocspec.properties.allocator.AllocatorActions.DoubleFree;
import dev.allocspec.properties.allocator.AllocatorActions.Free;
import dev.allocspec.properties.allocator.AllocatorActions.Write;
import dev.allocspec.properties.harness.Action;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.properties.harness.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Every counterexample the properties ever found, kept as a plain regression test. */
class RegressionExamplesTest {

    private final ModelBasedRunner<AllocatorTwin> runner = new ModelBasedRunner<>(new AllocatorStateMachine(
            "lock-free", (policy, purges) -> LockFreeBlockAllocator.builder().policy(policy).purgePolicy(purges)
                    .decayThread(false).build()),
            Settings.forDepth("quick"));

    /**
     * Found 2026-11-22 (seed 0x70d29b6c7d22528d): a "double free" of a stale handle whose address had been handed
     * out again freed the new owner's block on both sides alike. Not an allocator bug: the machine now generates a
     * double free only while the block is still free (see {@code DoubleFree}), and the contract says so.
     */
    @Test
    void staleHandleOfAReusedBlockIsNotADoubleFree() {
        List<Action<AllocatorTwin>> sequence = List.of(new Allocate(4, 1024, 1), new Free(4), new Allocate(6, 1024, 1),
                new DoubleFree(4), new Write(6, 863), new Allocate(11, 257, 1));
        runner.assertSequenceHolds(sequence);
    }
}
