package dev.allocspec.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders the {@link Invariant} catalogue as {@code INVARIANTS.md}. Run {@code main} with the output path to write
 * the file; a test fails whenever the committed file and the enum disagree.
 */
public final class InvariantCatalogue {

    private InvariantCatalogue() {
    }

    /** The Markdown text of {@code INVARIANTS.md}. */
    public static String render() {
        StringBuilder md = new StringBuilder();
        md.append("# Allocator invariants\n\n")
                .append("The specification of the allocator family, generated from `dev.allocspec.spec.Invariant` ")
                .append("(do not edit by hand: run\n`./mvnw -q -pl reference test -Dtest=InvariantCatalogueTest ")
                .append("-Dallocspec.writeInvariants=true` after changing the enum).\n")
                .append("Each invariant has a stable ID used by reports, checks and regression tests. ")
                .append("`ReferenceAllocator.checkInvariants()` walks the whole state of the reference and names ")
                .append("the ID it finds broken.\n\n")
                .append("| ID | invariant |\n|---|---|\n");
        for (Invariant inv : Invariant.values()) {
            md.append("| [").append(inv.id()).append("](#").append(inv.id().toLowerCase()).append(") | ")
                    .append(inv.statement()).append(" |\n");
        }
        for (Invariant inv : Invariant.values()) {
            md.append("\n## ").append(inv.id()).append("\n\n")
                    .append(inv.statement()).append("\n\n")
                    .append("*Why:* ").append(inv.rationale()).append("\n\n")
                    .append("*Enforced by:*\n");
            for (String check : inv.enforcedBy()) {
                md.append("- `").append(check).append("`\n");
            }
        }
        return md.toString();
    }

    /**
     * The checks the catalogue names that do not exist on this class path: a method missing from a class that is
     * there, or, when {@code requireClasses} is set, a class that is not there either.
     *
     * @param packagePrefixes only checks in classes under these packages are looked at
     */
    public static List<String> missingChecks(boolean requireClasses, String... packagePrefixes) {
        List<String> missing = new ArrayList<>();
        for (Invariant inv : Invariant.values()) {
            for (String check : inv.enforcedBy()) {
                String className = check.substring(0, check.indexOf('#'));
                String method = check.substring(check.indexOf('#') + 1);
                if (Arrays.stream(packagePrefixes).noneMatch(className::startsWith)) {
                    continue;
                }
                try {
                    Class<?> owner = Class.forName(className, false, InvariantCatalogue.class.getClassLoader());
                    if (Arrays.stream(owner.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method))) {
                        missing.add(inv.id() + ": " + check + " (no such method)");
                    }
                } catch (ClassNotFoundException e) {
                    if (requireClasses) {
                        missing.add(inv.id() + ": " + check + " (no such class)");
                    }
                }
            }
        }
        return missing;
    }

    /**
     * Writes the catalogue.
     *
     * @param args the output path, {@code INVARIANTS.md} if none is given
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "INVARIANTS.md");
        Files.writeString(out, render());
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
