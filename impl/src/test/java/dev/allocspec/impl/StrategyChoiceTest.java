package dev.allocspec.impl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The strategy is chosen automatically, can be forced, and is always reported with its reason. */
class StrategyChoiceTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(CasStrategy.PROPERTY);
    }

    @Test
    void automaticChoicePrefersTheNativeCasWhereItRuns() {
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.create()) {
            CasStrategy expected = CasStrategy.NATIVE_CAS128.isAvailable() ? CasStrategy.NATIVE_CAS128
                    : CasStrategy.LOCKED;
            assertThat(allocator.strategy()).isEqualTo(expected);
            assertThat(allocator.strategyReport()).startsWith(expected.name()).contains("chosen automatically");
        }
    }

    @Test
    void systemPropertyForcesTheChoice() {
        System.setProperty(CasStrategy.PROPERTY, "locked");
        try (LockFreeBlockAllocator allocator = LockFreeBlockAllocator.create()) {
            assertThat(allocator.strategy()).isEqualTo(CasStrategy.LOCKED);
            assertThat(allocator.strategyReport()).contains("forced by -Dallocspec.casStrategy=locked");
        }
    }

    @Test
    void systemPropertyNamingNoStrategyIsRejected() {
        System.setProperty(CasStrategy.PROPERTY, "cas256");
        assertThatIllegalArgumentException().isThrownBy(LockFreeBlockAllocator::create)
                .withMessageContaining("cas256").withMessageContaining("NATIVE_CAS128, LOCKED or auto");
    }

    @Test
    void forcingAnUnavailableStrategySaysWhy() {
        assumeTrue(!CasStrategy.NATIVE_CAS128.isAvailable(), "NATIVE_CAS128 is available on this machine");
        assertThatThrownBy(() -> LockFreeBlockAllocator.create(CasStrategy.NATIVE_CAS128))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(CasStrategy.NATIVE_CAS128.unavailableReason());
    }

    @Test
    void builderRejectsNullSettings() {
        assertThatThrownBy(() -> LockFreeBlockAllocator.builder().strategy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("strategy");
        assertThatThrownBy(() -> LockFreeBlockAllocator.builder().policy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("policy");
    }

    @ParameterizedTest
    @EnumSource(CasStrategy.class)
    void everyTopComparesBothWords(CasStrategy strategy) {
        Configurations.assumeRunsHere(strategy);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(StackTopLayout.PADDED_SIZE, StackTopLayout.ALIGNMENT);
            StampedTop top = StampedTop.over(word, strategy);
            assertThat(top.strategy()).isEqualTo(strategy);
            assertThat(top.casTop(0, 0, 1, 64)).isTrue();
            assertThat(top.casTop(0, 64, 1, 128)).isFalse();
            assertThat(top.casTop(1, 0, 2, 128)).isFalse();
            assertThat(top.laStamp()).isEqualTo(1);
            assertThat(top.laNode()).isEqualTo(64);
            assertThatIllegalArgumentException().isThrownBy(() -> StampedTop.over(word.asSlice(8), strategy))
                    .withMessageContaining("16-byte aligned");
        }
    }
}
