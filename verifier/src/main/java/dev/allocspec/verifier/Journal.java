package dev.allocspec.verifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a checking JVM has done: one JSON line per stage begun, per finding, and a last one once every stage has run,
 * each flushed as it happens. The supervising JVM reads it back and writes the report from it; if the checking JVM
 * died (a crash of the allocator under test takes the whole JVM down) or never got going, the report still keeps
 * every check that finished and names the stage that was running.
 */
final class Journal implements AutoCloseable {

    /** The system property that carries the journal's path to the checking JVM; set only there. */
    static final String PROPERTY = "allocspec.verify.journal";

    /** One line: a stage begun, a finding, or the end of the stages. */
    record Entry(String stage, Finding finding, boolean finished) {
    }

    /**
     * What a journal held.
     *
     * @param lastStage the last stage begun, or null if none was
     * @param findings  the findings, in order
     * @param finished  whether the checking JVM ran every stage
     */
    record Contents(String lastStage, List<Finding> findings, boolean finished) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter writer;

    private Journal(BufferedWriter writer) {
        this.writer = writer;
    }

    /** Appends to the journal at {@code file}. */
    static Journal appendingTo(Path file) throws IOException {
        return new Journal(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    void stage(String name) {
        append(new Entry(name, null, false));
    }

    void finding(Finding finding) {
        append(new Entry(null, finding, false));
    }

    /** Every stage has run: the findings are complete. */
    void finished() {
        append(new Entry(null, null, true));
    }

    private void append(Entry entry) {
        try {
            writer.write(JSON.writeValueAsString(entry)); // one line: the mapper does not indent
            writer.newLine();
            writer.flush(); // in the kernel's hands now: it survives this JVM dying on the next line
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the verification journal", e);
        }
    }

    /**
     * Reads a journal back. A last line cut short by the crash is skipped; the rest were flushed whole.
     *
     * @throws IOException if the file cannot be read
     */
    static Contents read(Path file) throws IOException {
        String lastStage = null;
        List<Finding> findings = new ArrayList<>();
        boolean finished = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Entry entry;
            try {
                entry = JSON.readValue(line, Entry.class);
            } catch (JsonProcessingException cutShort) {
                continue;
            }
            if (entry.stage() != null) {
                lastStage = entry.stage();
            }
            if (entry.finding() != null) {
                findings.add(entry.finding());
            }
            finished |= entry.finished();
        }
        return new Contents(lastStage, findings, finished);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
