package dev.allocspec.properties.concurrent;

import dev.allocspec.impl.CachePath;
import dev.allocspec.impl.CasStrategy;
import dev.allocspec.impl.LockFreeBlockAllocator;
import dev.allocspec.os.OsMemory;
import dev.allocspec.properties.allocator.AllocatorStateMachine;
import dev.allocspec.properties.controls.DuplicatesAfterManyAllocations;
import dev.allocspec.properties.controls.NegativeControl;
import dev.allocspec.properties.harness.Failure;
import dev.allocspec.properties.harness.Settings;
import dev.allocspec.spec.ChunkPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Concurrency properties: generated scenarios of two to four threads (platform or virtual) on one allocator keep every
 * block with one owner, every cookie intact and every block accounted for (INV-SINGLE-OWNER, INV-CONTENT,
 * INV-NOTHING-LOST) and give histories a sequential run explains (INV-LINEARIZABLE). The lost-push negative control
 * must be caught, and so must the two that keep ownership but break linearizability.
 */
class ConcurrentScenarioProperties {

    private static final ChunkPolicy POLICY = new ChunkPolicy(4);
    /** What platform threads with small cache thresholds reach: every path, the reclaim of an ended one's cache too. */
    private static final Set<String> ALL_CACHE_PATHS = Arrays.stream(CachePath.values()).map(CachePath::label)
            .collect(Collectors.toSet());

    @ParameterizedTest(name = "{0}, thread cache {1}")
    @MethodSource("dev.allocspec.impl.Configurations#strategiesWithAndWithoutCache")
    @Timeout(300)
    void scenariosKeepSingleOwnershipAndLoseNothing(CasStrategy strategy, boolean threadCache) {
        assumeTrue(strategy.isAvailable(), () -> strategy.unavailableReason());
        String name = "concurrent " + strategy + (threadCache ? "" : " no cache");
        ConcurrentProperty property = new ConcurrentProperty(name, new ScenarioRunner(policy -> LockFreeBlockAllocator
                .builder().strategy(strategy).threadCache(threadCache)
                .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(policy).build(), POLICY), 10, 400);
        if (threadCache) {
            property = property.requiring(ALL_CACHE_PATHS);
        }
        Optional<Failure> failure = property.check(Settings.fromSystemProperties().withTries(
                Integer.getInteger("allocspec.pbt.concurrentTries", 40)));
        assertThat(failure).as(() -> failure.map(Failure::report).orElse("")).isEmpty();
    }

    @ParameterizedTest(name = "{0}, virtual threads")
    @EnumSource(CasStrategy.class)
    @Timeout(300)
    void virtualThreadScenariosKeepSingleOwnershipAndLoseNothing(CasStrategy strategy) {
        // Virtual threads share the stripe caches (thread caches on, the default).
        assumeTrue(strategy.isAvailable(), () -> strategy.unavailableReason());
        ConcurrentProperty property = new ConcurrentProperty("concurrent " + strategy + " virtual threads",
                new ScenarioRunner(policy -> LockFreeBlockAllocator.builder().strategy(strategy)
                        .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).policy(policy).build(),
                        POLICY, ScenarioRunner.ThreadKind.VIRTUAL), 10, 400);
        Optional<Failure> failure = property.check(Settings.fromSystemProperties().withTries(
                Integer.getInteger("allocspec.pbt.concurrentTries", 40)));
        assertThat(failure).as(() -> failure.map(Failure::report).orElse("")).isEmpty();
    }

    @Test
    @Timeout(300)
    void lostPushNegativeControlIsCaught() {
        assertThat(caught(NegativeControl.LOST_PUSH_ON_CAS_FAILURE, ScenarioRunner.ThreadKind.PLATFORM))
                .startsWith("INV-CONSERVATION");
    }

    @Test
    @Timeout(300)
    void aFaultThatNeedsFiftyAllocationsShrinksToOneThreadOfAboutFiftyOperations() {
        // Shares a block between two owners from the 51st allocation on, whichever threads make them.
        ConcurrentProperty property = new ConcurrentProperty("duplicates after 50 allocations", new ScenarioRunner(
                policy -> new DuplicatesAfterManyAllocations(50, LockFreeBlockAllocator.builder().policy(policy)
                        .threadCacheSettings(AllocatorStateMachine.CACHE_SETTINGS).build()), POLICY), 10, 400);
        Failure failure = property.check(Settings.forDepth("standard").withTries(50)).orElseThrow();
        System.out.println("[negative control: duplicates after 50 allocations]\n" + failure.report());
        assertThat(failure.originalLength()).as("the generated scenario").isGreaterThan(100);
        List<String> nonEmpty = failure.minimalLog().stream().filter(line -> !line.endsWith(": []")).toList();
        assertThat(nonEmpty).as("one list left: the prefix or one thread\n%s", failure.report()).hasSize(1);
        long operations = nonEmpty.getFirst().chars().filter(c -> c == ',').count() + 1;
        assertThat(operations).as("operations left\n%s", failure.report()).isBetween(51L, 70L);
        assertThat(failure.cause().getMessage()).as("an invariant, not a bare exception").startsWith("INV-");
    }

    @Test
    @Timeout(300)
    void aReclaimThatLosesABlockIsCaught() {
        assertThat(caught(NegativeControl.RECLAIM_LOSES_A_BLOCK, ScenarioRunner.ThreadKind.PLATFORM))
                .startsWith("INV-CONSERVATION");
    }

    @ParameterizedTest
    @EnumSource(value = NegativeControl.class, names = {"FREE_PUBLISHED_BEFORE_MARKED", "FREE_FAILS_AFTER_EFFECT"})
    @Timeout(300)
    void controlsThatKeepOwnershipButBreakLinearizabilityAreCaughtByTheHistoryCheck(NegativeControl control) {
        assertThat(caught(control, ScenarioRunner.ThreadKind.PLATFORM)).startsWith("INV-LINEARIZABLE")
                .contains("no sequential run of the live-blocks model explains");
    }

    @Test
    @Timeout(300)
    void lostPushNegativeControlIsCaughtOnVirtualThreads() {
        // The same checker on virtual threads: it must still bite when the scenario's threads are virtual.
        assertThat(caught(NegativeControl.LOST_PUSH_ON_CAS_FAILURE, ScenarioRunner.ThreadKind.VIRTUAL))
                .startsWith("INV-CONSERVATION");
    }

    /** Runs the scenarios on {@code control} until they catch it (they must), and returns what they caught. */
    private static String caught(NegativeControl control, ScenarioRunner.ThreadKind threads) {
        ConcurrentProperty property = new ConcurrentProperty(control + " on " + threads + " threads",
                new ScenarioRunner(policy -> control.create(policy, OsMemory.system()), POLICY, threads), 10, 400);
        Optional<Failure> failure = property.check(Settings.forDepth("standard").withTries(200));
        assertThat(failure).as("%s is caught on %s threads", control, threads).isPresent();
        System.out.println("[negative control " + control + ", " + threads + " threads]\n" + failure.get().report());
        return failure.get().cause().getMessage();
    }
}
