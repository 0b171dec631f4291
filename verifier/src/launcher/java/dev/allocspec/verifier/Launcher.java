package dev.allocspec.verifier;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The jar's entry point, compiled for Java 8 so that any JVM reads it. On a JVM older than 22 it looks for a JDK 22 or
 * newer in the standard places (JAVA_HOME, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, macOS's JavaVirtualMachines),
 * says which one it takes, and runs the verifier there with the same class path, JVM options and arguments; when there
 * is none it says where it looked and exits with 2. On 22 or newer it hands over to {@code VerifyCommand}.
 */
public final class Launcher {

    private static final int REQUIRED = 22;
    /** Set in the relaunched JVM's environment, so that a runtime that misreports its version cannot loop. */
    private static final String RELAUNCHED = "ALLOCSPEC_VERIFY_RELAUNCHED";

    private Launcher() {
    }

    /**
     * Checks the JVM, then runs the verifier, here or on a newer JDK found on this machine.
     *
     * @param args the verifier's arguments
     * @throws Exception if the verifier cannot be started
     */
    public static void main(String[] args) throws Exception {
        int feature = featureVersion(System.getProperty("java.specification.version", "0"));
        if (feature < REQUIRED) {
            System.exit(relaunch(args));
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

    /** Runs the verifier on the newest JDK >= 22 found here and returns its exit code, or 2 when there is none. */
    private static int relaunch(String[] args) throws IOException, InterruptedException {
        String here = System.getProperty("java.version") + " at " + System.getProperty("java.home");
        File jdk = System.getenv(RELAUNCHED) == null ? newestJdk() : null;
        if (jdk == null) {
            System.err.println("allocspec-verify needs a Java runtime " + REQUIRED + " or newer (java.lang.foreign);"
                    + " this is " + here + ", and none was found in JAVA_HOME, " + String.join(", ", folders())
                    + ". Install one, or run the jar with a JDK " + REQUIRED + "+ java.");
            return 2;
        }
        System.err.println("allocspec-verify: this java is " + here + "; running on the JDK "
                + releaseVersion(jdk) + " at " + jdk + " (run the jar with another JDK " + REQUIRED
                + "+ java to choose)");
        List<String> command = new ArrayList<>();
        command.add(new File(new File(jdk, "bin"), "java").getPath());
        command.addAll(jvmOptions());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Launcher.class.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(RELAUNCHED, "1");
        return builder.start().waitFor();
    }

    /** This JVM's options, to start the other one alike; none where the runtime lacks java.management. */
    private static List<String> jvmOptions() {
        try {
            return ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError noManagementModule) {
            return new ArrayList<>();
        }
    }

    /** The folders searched for JDKs besides JAVA_HOME. */
    private static List<String> folders() {
        return Arrays.asList("/usr/lib/jvm", "/usr/java", "/opt/java", "/opt",
                System.getProperty("user.home") + "/.sdkman/candidates/java", "/Library/Java/JavaVirtualMachines");
    }

    /** The JDK >= 22 with the highest feature version among JAVA_HOME and the standard folders, or null. */
    private static File newestJdk() {
        List<File> candidates = new ArrayList<>();
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isEmpty()) {
            candidates.add(new File(javaHome));
        }
        for (String folder : folders()) {
            File[] children = new File(folder).listFiles();
            if (children == null) {
                continue;
            }
            Arrays.sort(children);
            for (File child : children) {
                File macHome = new File(new File(child, "Contents"), "Home");
                candidates.add(macHome.isDirectory() ? macHome : child);
            }
        }
        File best = null;
        int bestFeature = REQUIRED - 1;
        for (File candidate : candidates) {
            int feature = featureVersion(releaseVersion(candidate));
            if (feature > bestFeature && new File(new File(candidate, "bin"), "java").canExecute()) {
                best = candidate;
                bestFeature = feature;
            }
        }
        return best;
    }

    /** JAVA_VERSION from a JDK's {@code release} file, e.g. {@code 25.0.3}; "0" when it has none. */
    private static String releaseVersion(File jdk) {
        File release = new File(jdk, "release");
        if (!release.isFile()) {
            return "0";
        }
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(release)) {
            properties.load(in);
        } catch (IOException e) {
            return "0";
        }
        return properties.getProperty("JAVA_VERSION", "0").replace("\"", "");
    }

    private static int featureVersion(String specification) {
        String major = specification.startsWith("1.") ? specification.substring(2) : specification;
        int end = 0;
        while (end < major.length() && Character.isDigit(major.charAt(end))) {
            end++;
        }
        try {
            return Integer.parseInt(major.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
