package dev.allocspec.concurrency;

import dev.allocspec.spec.InvariantCatalogue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every jcstress check the invariant catalogue names exists in this module. */
class CatalogueChecksExistTest {

    @Test
    void everyJcstressCheckNamedByTheCatalogueExists() {
        assertThat(InvariantCatalogue.missingChecks(true, "dev.allocspec.concurrency.")).isEmpty();
    }
}
