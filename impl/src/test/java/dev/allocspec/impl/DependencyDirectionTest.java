package dev.allocspec.impl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The lock-free allocator depends on the contract only, never on the reference allocator it is checked against. */
class DependencyDirectionTest {

    @Test
    void mainSourcesNeverImportTheReferenceAllocator() throws IOException {
        Path sources = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            List<Path> offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).contains("dev.allocspec.reference");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            assertThat(offenders).as("impl main sources naming dev.allocspec.reference").isEmpty();
        }
    }
}
