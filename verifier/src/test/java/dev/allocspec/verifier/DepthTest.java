package dev.allocspec.verifier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What each depth runs, and the lighter depth an interpreted JVM's properties run at. */
class DepthTest {

    @Test
    void anInterpretedJvmRunsThePropertiesOneDepthLighter() {
        assertThat(Depth.DEEP.lighter()).isEqualTo(Depth.STANDARD);
        assertThat(Depth.STANDARD.lighter()).isEqualTo(Depth.QUICK);
        assertThat(Depth.QUICK.lighter()).isEqualTo(Depth.QUICK);
        assertThat(Depth.DEEP.lighter().settings(null).tries()).isLessThan(Depth.DEEP.settings(null).tries());
    }

    @Test
    void theJvmMatrixIsOnAtStandardAndDeepOnly() {
        assertThat(Depth.QUICK.jvmMatrix).isFalse();
        assertThat(Depth.STANDARD.jvmMatrix).isTrue();
        assertThat(Depth.DEEP.jvmMatrix).isTrue();
    }
}
