package dev.allocspec.properties;

import dev.allocspec.spec.InvariantCatalogue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every check the invariant catalogue names in the contract, reference, impl and properties modules exists: this
 * module sees all of them (the jcstress checks are resolved by the concurrency-tests module).
 */
class CatalogueChecksExistTest {

    @Test
    void everyCheckNamedByTheCatalogueExists() {
        assertThat(InvariantCatalogue.missingChecks(true, "dev.allocspec.spec.", "dev.allocspec.reference.",
                "dev.allocspec.impl.", "dev.allocspec.properties.")).isEmpty();
    }
}
