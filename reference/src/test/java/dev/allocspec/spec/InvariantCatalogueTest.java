package dev.allocspec.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * INVARIANTS.md, the {@link Invariant} enum and the {@link ThreadCacheRestatement}s say the same thing, and every check
 * they name exists.
 */
class InvariantCatalogueTest {

    private static final Path FILE = rootDir().resolve("INVARIANTS.md");

    @Test
    void invariantsFileMatchesTheCatalogue() throws IOException {
        if (Boolean.getBoolean("allocspec.writeInvariants")) {
            Files.writeString(FILE, InvariantCatalogue.render());
        }
        assertThat(FILE).as("INVARIANTS.md (regenerate with -Dallocspec.writeInvariants=true)").exists();
        assertThat(Files.readString(FILE))
                .as("INVARIANTS.md is out of date: run ./mvnw -q -pl reference test -Dtest=InvariantCatalogueTest "
                        + "-Dallocspec.writeInvariants=true")
                .isEqualTo(InvariantCatalogue.render());
    }

    @Test
    void everyIdInTheFileIsInTheCodeAndBackAgain() throws IOException {
        Matcher headings = Pattern.compile("(?m)^## (INV-[A-Z0-9-]+)$").matcher(Files.readString(FILE));
        List<String> inFile = headings.results().map(r -> r.group(1)).toList();
        List<String> inCode = Arrays.stream(Invariant.values()).map(Invariant::id).toList();
        assertThat(inFile).containsExactlyInAnyOrderElementsOf(inCode);
        assertThat(inCode).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void everyInvariantNamesChecksThatExistWhereTheyAreVisible() {
        for (Invariant inv : Invariant.values()) {
            assertThat(inv.id()).matches("INV-[A-Z0-9-]+");
            assertThat(inv.statement()).isNotBlank();
            assertThat(inv.rationale()).isNotBlank();
            assertThat(inv.enforcedBy()).as("checks enforcing %s", inv.id()).isNotEmpty();
            for (String check : inv.enforcedBy()) {
                assertThat(check).as("check named by %s", inv.id()).matches("[a-z][\\w.]*\\.[A-Z]\\w*(\\$\\w+)*#\\w+");
            }
        }
        assertThat(InvariantCatalogue.missingChecks(false, "dev.allocspec."))
                .as("checks named by the catalogue that this module can see but do not exist").isEmpty();
    }

    @Test
    void threadCacheRestatementsEachRestateOneInvariantAndNameTheirChecks() {
        List<Invariant> restated = Arrays.stream(ThreadCacheRestatement.values())
                .map(ThreadCacheRestatement::invariant).toList();
        assertThat(restated).as("at most one restatement per invariant").doesNotHaveDuplicates();
        for (ThreadCacheRestatement r : ThreadCacheRestatement.values()) {
            assertThat(r.name()).as("constant named after its invariant").isEqualTo(r.invariant().name());
            assertThat(r.restatement()).isNotBlank();
            assertThat(r.enforcedBy()).as("checks run with caches on for %s", r.invariant().id()).isNotEmpty()
                    .allMatch(check -> check.matches("[a-z][\\w.]*\\.[A-Z]\\w*(\\$\\w+)*#\\w+"));
        }
    }

    @Test
    void byIdFindsEveryInvariantAndRejectsUnknownIds() {
        for (Invariant inv : Invariant.values()) {
            assertThat(Invariant.byId(inv.id())).isSameAs(inv);
        }
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Invariant.byId("INV-NOPE")).withMessageContaining("INV-NOPE");
    }

    private static Path rootDir() {
        String root = System.getProperty("allocspec.rootDir");
        return root != null ? Path.of(root) : Path.of("..");
    }

    @Test
    void aCheckInAClassThatIsNotOnTheClassPathIsMissingOnlyWhenClassesAreRequired() {
        // impl's tests are not on this module's class path, and the catalogue names some of them.
        assertThat(InvariantCatalogue.missingChecks(true, "dev.allocspec.impl."))
                .isNotEmpty().allMatch(line -> line.endsWith("(no such class)"));
        assertThat(InvariantCatalogue.missingChecks(false, "dev.allocspec.impl.")).isEmpty();
        assertThat(InvariantCatalogue.missingChecks(true, "dev.allocspec.spec.", "dev.allocspec.reference."))
                .as("every check of this module exists").isEmpty();
    }

    @Test
    void mainWritesTheCatalogueWhereItIsTold(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("catalogue.md");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            InvariantCatalogue.main(new String[] {out.toString()});
        } finally {
            System.setOut(stdout);
        }
        assertThat(Files.readString(out)).isEqualTo(InvariantCatalogue.render());
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("wrote " + out);
    }
}
