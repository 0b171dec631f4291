package dev.allocspec.spec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The profiles: which invariants each checks, and their names on the command line. */
class ProfileTest {

    @Test
    void theFamilyChecksEveryInvariantAndSafetyOnlyTheSafetyOnes() {
        for (Invariant inv : Invariant.values()) {
            assertThat(Profile.FAMILY.checks(inv)).as("family checks %s", inv.id()).isTrue();
            assertThat(Profile.SAFETY.checks(inv)).as("safety checks %s", inv.id())
                    .isEqualTo(inv.profile() == Profile.SAFETY);
        }
        assertThat(Arrays.stream(Invariant.values()).map(Invariant::profile)).as("both profiles have invariants")
                .contains(Profile.SAFETY, Profile.FAMILY);
        assertThat(Invariant.LIFO.profile()).isEqualTo(Profile.FAMILY);
        assertThat(Invariant.DISJOINT.profile()).isEqualTo(Profile.SAFETY);
    }

    @Test
    void byLabelFindsEachProfileWhateverTheCaseAndNamesTheLabelsOtherwise() {
        for (Profile profile : Profile.values()) {
            assertThat(Profile.byLabel(profile.label())).isSameAs(profile);
            assertThat(Profile.byLabel(profile.label().toUpperCase(java.util.Locale.ROOT))).isSameAs(profile);
            assertThat(profile.binds()).isNotBlank();
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Profile.byLabel("strict"))
                .withMessageContaining("strict").withMessageContaining("safety or family");
    }
}
