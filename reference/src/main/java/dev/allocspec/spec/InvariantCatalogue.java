package dev.allocspec.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
