package dev.allocspec.verifier;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The jar's entry point, compiled for Java 8: on a JVM older than 22 it says so and exits with 2, instead of the
 * JVM's UnsupportedClassVersionError; otherwise it hands over to {@code VerifyCommand}.
 */
public final class Launcher {

    private static final int REQUIRED = 22;

    private Launcher() {
    }

    /**
     * Checks the JVM, then runs the verifier.
     *
     * @param args the verifier's arguments
     * @throws Exception if the verifier cannot be started
     */
    public static void main(String[] args) throws Exception {
        int feature = featureVersion(System.getProperty("java.specification.version", "0"));
        if (feature < REQUIRED) {
            System.err.println("allocspec-verify needs a Java runtime " + REQUIRED + " or newer (java.lang.foreign);"
                    + " this is " + System.getProperty("java.version") + " at " + System.getProperty("java.home")
                    + ". Run it with a JDK " + REQUIRED + "+ java.");
            System.exit(2);
        }
        Method main = Class.forName("dev.allocspec.verifier.VerifyCommand").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }

    private static int featureVersion(String specification) {
        String major = specification.startsWith("1.") ? specification.substring(2) : specification;
        int dot = major.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? major : major.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
