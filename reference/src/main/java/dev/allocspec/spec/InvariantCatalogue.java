package dev.allocspec.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                .append("Each invariant belongs to a profile. **safety** binds every allocator: the verifier's ")
                .append("`--profile safety` and `OffHeapAllocatorContract` check it through `OffHeapAllocator` ")
                .append("(allocate, free, close) against allocators anyone wrote, tracking live blocks, their sizes ")
                .append("and bytes, never positions. **family** is jalib's policy (size classes, LIFO reuse, carving ")
                .append("order, stats, arenas, refinement of the reference), checked through `BlockAllocator` on ")
                .append("this family only; `--profile family` checks both.\n\n")
                .append("| ID | profile | invariant |\n|---|---|---|\n");
        for (Invariant inv : Invariant.values()) {
            md.append("| [").append(inv.id()).append("](#").append(inv.id().toLowerCase()).append(") | ")
                    .append(inv.profile().label()).append(" | ").append(inv.statement()).append(" |\n");
        }
        for (Invariant inv : Invariant.values()) {
            md.append("\n## ").append(inv.id()).append("\n\n")
                    .append(inv.statement()).append("\n\n")
                    .append("*Profile:* ").append(inv.profile().label()).append(" (")
                    .append(inv.profile().binds()).append(")\n\n")
                    .append("*Why:* ").append(inv.rationale()).append("\n\n")
                    .append("*Enforced by:*\n");
            for (String check : inv.enforcedBy()) {
                md.append("- `").append(check).append("`\n");
            }
        }
        md.append("\n## With thread caches\n\n")
                .append("An implementation may keep free blocks in caches in front of its shared free stacks (the ")
                .append("lock-free allocator does by default: a cache per platform thread, and stripe caches that ")
                .append("virtual threads share one operation at a time). A thread's cache sits on top of the shared ")
                .append("stack as one logical LIFO stack, so the single-threaded invariants hold as written; these ")
                .append("restate the others for that configuration (generated from ")
                .append("`dev.allocspec.spec.ThreadCacheRestatement`). Invariants not listed hold as written.\n\n")
                .append("| ID | with thread caches | checked with caches on by |\n|---|---|---|\n");
        for (ThreadCacheRestatement r : ThreadCacheRestatement.values()) {
            md.append("| [").append(r.invariant().id()).append("](#").append(r.invariant().id().toLowerCase())
                    .append(") | ").append(r.restatement()).append(" | ");
            md.append(String.join("<br>", r.enforcedBy().stream().map(c -> "`" + c + "`").toList())).append(" |\n");
        }
        return md.toString();
    }

    /**
     * The checks the catalogue and its thread-cache restatements name that do not exist on this class path: a method
     * missing from a class that is there, or, when {@code requireClasses} is set, a class that is not there either.
     *
     * @param packagePrefixes only checks in classes under these packages are looked at
     */
    public static List<String> missingChecks(boolean requireClasses, String... packagePrefixes) {
        Map<String, List<String>> checksById = new LinkedHashMap<>();
        for (Invariant inv : Invariant.values()) {
            checksById.computeIfAbsent(inv.id(), id -> new ArrayList<>()).addAll(inv.enforcedBy());
        }
        for (ThreadCacheRestatement r : ThreadCacheRestatement.values()) {
            checksById.computeIfAbsent(r.invariant().id(), id -> new ArrayList<>()).addAll(r.enforcedBy());
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : checksById.entrySet()) {
            for (String check : entry.getValue()) {
                String className = check.substring(0, check.indexOf('#'));
                String method = check.substring(check.indexOf('#') + 1);
                if (Arrays.stream(packagePrefixes).noneMatch(className::startsWith)) {
                    continue;
                }
                try {
                    Class<?> owner = Class.forName(className, false, InvariantCatalogue.class.getClassLoader());
                    if (Arrays.stream(owner.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method))) {
                        missing.add(entry.getKey() + ": " + check + " (no such method)");
                    }
                } catch (ClassNotFoundException e) {
                    if (requireClasses) {
                        missing.add(entry.getKey() + ": " + check + " (no such class)");
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
