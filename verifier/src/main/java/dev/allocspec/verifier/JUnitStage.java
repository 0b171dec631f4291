package dev.allocspec.verifier;

import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs JUnit tests in this JVM through the JUnit Platform Launcher and collects one result per test. */
final class JUnitStage {

    /**
     * One test's result. {@code skipped}: disabled, or aborted by an assumption (e.g. a strategy this machine cannot
     * run), so neither passed nor failed.
     */
    record TestResult(String method, String displayName, boolean passed, boolean skipped, Throwable failure) {
        String detail() {
            if (failure == null) {
                return "";
            }
            StringWriter text = new StringWriter();
            failure.printStackTrace(new PrintWriter(text));
            return text.toString().lines().limit(40).reduce("", (a, b) -> a + b + "\n");
        }
    }

    /** Hears of each test as it starts and as it ends, while the stage runs. */
    interface Listener {
        /** A listener that does nothing. */
        Listener NONE = new Listener() {
        };

        default void started(String method) {
        }

        default void finished(TestResult result) {
        }
    }

    private JUnitStage() {
    }

    static List<TestResult> run(DiscoverySelector... selectors) {
        return run(Listener.NONE, selectors);
    }

    /** Runs the tests, telling {@code listener} of each as it starts and ends; the results, in the order they ended. */
    static List<TestResult> run(Listener listener, DiscoverySelector... selectors) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false").build();
        List<TestResult> results = new ArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier test) {
                if (test.isTest() && test.getSource().orElse(null) instanceof MethodSource method) {
                    listener.started(method.getMethodName());
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() && test.getSource().orElse(null) instanceof MethodSource method) {
                    TestResult ended = new TestResult(method.getMethodName(), test.getDisplayName(),
                            result.getStatus() == TestExecutionResult.Status.SUCCESSFUL,
                            result.getStatus() == TestExecutionResult.Status.ABORTED,
                            result.getThrowable().orElse(null));
                    results.add(ended);
                    listener.finished(ended);
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                if (test.isTest() && test.getSource().orElse(null) instanceof MethodSource method) {
                    results.add(new TestResult(method.getMethodName(), test.getDisplayName(), true, true, null));
                }
            }
        });
        return results;
    }
}
