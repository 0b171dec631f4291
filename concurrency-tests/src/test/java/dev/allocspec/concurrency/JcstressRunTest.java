package dev.allocspec.concurrency;

import dev.allocspec.concurrency.gate.JcstressLauncher;
import dev.allocspec.concurrency.gate.JcstressRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading jcstress's output. The fixture is a real run of the two negative controls on a jlink image without
 * java.desktop: every result was printed, then jcstress's VM died writing the HTML report, so the closing summary
 * ("Observed forbidden state") never came. Verdicts must not depend on that summary.
 */
class JcstressRunTest {

    private static final String ABA = JcstressLauncher.PACKAGE + "NegativeControlAbaTest.Unstamped";
    private static final String LOST_PUSH = JcstressLauncher.PACKAGE + "NegativeControlLostPushTest.LosesPush";

    @Test
    void forbiddenOutcomesAreReadFromTheResultTablesEvenWhenJcstressDiesAfterwards() throws IOException {
        JcstressRun run = new JcstressRun(1, fixture("negative-controls-host-died.txt"), 19);
        assertThat(run.forbiddenSamples(ABA)).isEqualTo(384);
        assertThat(run.forbiddenSamples(LOST_PUSH)).isEqualTo(16_030);
        assertThat(run.forbiddenObserved(ABA)).isTrue();
        assertThat(run.samples(ABA)).isEqualTo(384 + 288_656 + 16_875);
        assertThat(run.verdicts()).containsEntry(ABA, "FAILED").containsEntry(LOST_PUSH, "FAILED");
        assertThat(run.hostFailure()).hasValue("java.lang.NoClassDefFoundError: java/awt/Color");
    }

    @Test
    void aTestWhoseForbiddenRowsHaveNoSamplesShowedNothingForbidden() throws IOException {
        String quiet = fixture("negative-controls-host-died.txt").replace("  0, 1, 0      384    0.13%   Forbidden",
                "  0, 1, 0        0    0.00%   Forbidden");
        JcstressRun run = new JcstressRun(0, quiet, 19);
        assertThat(run.forbiddenObserved(ABA)).isFalse();
        assertThat(run.forbiddenObserved(JcstressLauncher.PACKAGE + "NoSuchTest")).isFalse();
        assertThat(new JcstressRun(0, "RUN RESULTS:\n", 1).hostFailure()).isEmpty();
        assertThat(new JcstressRun(1, "RUN RESULTS:\nException in thread \"main\" java.lang.AssertionError: TEST "
                + "FAILURES: 2 tests failed\n", 1).hostFailure()).as("jcstress's way of saying tests failed").isEmpty();
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = JcstressRunTest.class.getResourceAsStream("/jcstress/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
