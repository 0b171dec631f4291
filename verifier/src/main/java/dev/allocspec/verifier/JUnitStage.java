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

    private JUnitStage() {
    }

    static List<TestResult> run(DiscoverySelector... selectors) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false").build();
        List<TestResult> results = new ArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() && test.getSource().orElse(null) instanceof MethodSource method) {
                    results.add(new TestResult(method.getMethodName(), test.getDisplayName(),
                            result.getStatus() == TestExecutionResult.Status.SUCCESSFUL,
                            result.getStatus() == TestExecutionResult.Status.ABORTED,
                            result.getThrowable().orElse(null)));
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
