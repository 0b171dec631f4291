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

    /**
     * The fast-path index agrees with {@link SizeClass#indexForRequest} on every valid pooled request and is -1 for
     * everything else (a large block, or a request that one rejects), over sizes around every class boundary and
     * alignments from invalid to above the page size.
     */
    @Test
    void pooledIndexAgreesWithTheCheckedIndexAndIsMinusOneOtherwise() {
        long[] alignments = {-8, 0, 1, 2, 3, 8, 24, 64, 256, 1024, 4096, 8192, 16384, Long.MIN_VALUE, Long.MAX_VALUE};
        long[] pageSizes = {4096, 16384};
        for (long pageSize : pageSizes) {
            for (long alignment : alignments) {
                for (long size = -3; size <= SizeClass.LARGEST_BLOCK + 3; size++) {
                    int expected;
                    try {
                        int index = SizeClass.indexForRequest(size, alignment, pageSize);
                        expected = index == SizeClass.POOLED_CLASSES ? -1 : index;
                    } catch (IllegalArgumentException rejected) {
                        expected = -1;
                    }
                    assertThat(SizeClass.pooledIndexOrMinusOne(size, alignment, pageSize))
                            .as("size %d, alignment %d, page %d", size, alignment, pageSize).isEqualTo(expected);
                }
                assertThat(SizeClass.pooledIndexOrMinusOne(Long.MAX_VALUE, alignment, pageSize)).isEqualTo(-1);
                assertThat(SizeClass.pooledIndexOrMinusOne(Long.MIN_VALUE, alignment, pageSize)).isEqualTo(-1);
            }
        }
    }
}
