package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The size-to-class mapping at every size up to the largest block and beyond, against its one-line definition. */
class SizeClassTest {

    @Test
    void everySizeMapsToTheSmallestClassThatHoldsIt() {
        for (long size = 0; size <= SizeClass.LARGEST_BLOCK + 70_000; size++) {
            SizeClass expected = SizeClass.RAW;
            for (SizeClass c : SizeClass.pooled()) {
                if (size <= c.blockSize()) {
                    expected = c;
                    break;
                }
            }
            assertThat(SizeClass.forSize(size)).as("class of %d bytes", size).isSameAs(expected);
            assertThat(SizeClass.indexForRequest(size, 1, 4096)).as("class index of %d bytes", size)
                    .isEqualTo(expected.ordinal());
        }
    }

    @Test
    void theRawClassComesAfterThePooledOnes() {
        assertThat(SizeClass.POOLED_CLASSES).isEqualTo(SizeClass.pooled().size()).isEqualTo(SizeClass.RAW.ordinal());
        for (SizeClass c : SizeClass.pooled()) {
            assertThat(c.ordinal()).isEqualTo(SizeClass.pooled().indexOf(c));
        }
    }

    @Test
    void alignmentRaisesTheClassAndBadInputIsRefused() {
        assertThat(SizeClass.forRequest(10, 256, 4096)).isSameAs(SizeClass.B256);
        assertThat(SizeClass.forRequest(20_000, 4096, 4096)).isSameAs(SizeClass.RAW);
        assertThatIllegalArgumentException().isThrownBy(() -> SizeClass.forRequest(10, 3, 4096))
                .withMessageContaining("power of two");
        assertThatIllegalArgumentException().isThrownBy(() -> SizeClass.forRequest(10, 8192, 4096))
                .withMessageContaining("page size");
        assertThatIllegalArgumentException().isThrownBy(() -> SizeClass.forSize(-1)).withMessageContaining("negative");
        assertThatIllegalArgumentException().isThrownBy(() -> SizeClass.forSize(SizeClass.MAX_REQUEST + 1))
                .withMessageContaining("too large");
        assertThat(SizeClass.rawMappingSize(20_000, 4096)).isEqualTo(20_480);
    }
}
