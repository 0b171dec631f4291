package dev.allocspec.verifier;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The verifier's JUnit stage tells a pass, a failure and a test aborted by an assumption apart. */
class JUnitStageTest {

    @Test
    void anAbortedTestIsSkippedNotFailed() {
        Map<String, JUnitStage.TestResult> results = JUnitStage.run(selectClass(Sample.class)).stream()
                .collect(Collectors.toMap(JUnitStage.TestResult::method, Function.identity()));
        assertThat(results.get("passes").passed()).isTrue();
        assertThat(results.get("passes").skipped()).isFalse();
        assertThat(results.get("fails").passed()).isFalse();
        assertThat(results.get("fails").skipped()).isFalse();
        // e.g. the ABA replay of a strategy this machine cannot run: before, it counted as a failed check
        assertThat(results.get("aborts").skipped()).as("aborted by an assumption").isTrue();
        assertThat(results.get("aborts").passed()).isFalse();
        assertThat(List.copyOf(results.keySet())).hasSize(3);
    }

    /** Run only through {@link JUnitStage} by the test above (surefire skips nested classes). */
    static class Sample {

        @Test
        void passes() {
        }

        @Test
        void fails() {
            throw new AssertionError("planted");
        }

        @Test
        void aborts() {
            abort("this machine cannot run it");
        }
    }
}
