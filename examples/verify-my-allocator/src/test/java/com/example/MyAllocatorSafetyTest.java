package com.example;

import dev.allocspec.properties.allocator.SafetyStateMachine;
import dev.allocspec.properties.harness.ModelBasedRunner;
import dev.allocspec.spec.OffHeapAllocator;
import dev.allocspec.spec.OffHeapAllocatorContract;
import org.junit.jupiter.api.Test;

/** My allocator, held to allocspec's safety profile: the contract tests, and the state machine. */
class MyAllocatorSafetyTest extends OffHeapAllocatorContract<OffHeapAllocator> {

    @Override
    protected OffHeapAllocator newAllocator() {
        return new MyAllocator();
    }

    @Test
    void keepsTheSafetyInvariantsUnderRandomCalls() {
        ModelBasedRunner.of(new SafetyStateMachine("my allocator", MyAllocator::new)).assertHolds();
    }
}
