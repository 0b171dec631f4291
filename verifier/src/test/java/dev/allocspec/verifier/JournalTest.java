package dev.allocspec.verifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/** The journal gives back what the checking JVM wrote before it died, a last line cut short by the crash included. */
class JournalTest {

    @Test
    void readsBackTheStagesAndFindingsAndSkipsALineCutShort(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        Finding held = new Finding("contract", "BlockAllocatorContract#reusesLifo", "dev.allocspec.spec.", "impl", 1,
                true, null, "");
        Finding failed = new Finding("properties", "state machine", "dev.allocspec.properties.", "impl", 50, false,
                "INV-CONTENT", "shrunk to 3 steps\nwith a second line");
        try (Journal journal = Journal.appendingTo(file)) {
            journal.stage("contract tests: impl");
            journal.finding(held);
            journal.stage("state-machine properties: impl");
            journal.finding(failed);
        }
        Files.writeString(file, "{\"stage\":null,\"finding\":{\"stage\":\"prop", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND); // the crash struck mid-line

        Journal.Contents contents = Journal.read(file);

        assertThat(contents.lastStage()).isEqualTo("state-machine properties: impl");
        assertThat(contents.findings()).containsExactly(held, failed);
        assertThat(contents.finished()).as("it died before the end").isFalse();
    }

    @Test
    void saysWhenEveryStageHasRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal");
        try (Journal journal = Journal.appendingTo(file)) {
            journal.stage("contract tests: impl");
            journal.finished();
        }
        assertThat(Journal.read(file).finished()).isTrue();
        assertThat(Journal.read(file).lastStage()).isEqualTo("contract tests: impl");
    }

    @Test
    void anEmptyJournalNamesNoStage(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("journal"));
        assertThat(Journal.read(file).lastStage()).isNull();
        assertThat(Journal.read(file).findings()).isEmpty();
        assertThat(Journal.read(file).finished()).isFalse();
    }
}
