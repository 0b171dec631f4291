/*
 * Checks a built libcas128.so from outside the JVM, so that a library for another architecture can be checked under
 * emulation (qemu-aarch64 -cpu ...) on the build machine. Used by test-native.sh in ./mvnw verify.
 *
 *   cas128_check LIBRARY EXPECTED
 *
 * EXPECTED is a substring of the routine the library must report having chosen (allocspec_cas128_instruction), e.g.
 * "caspal" or "ldaxp": the emulated CPU model decides which one runs, and this proves the choice followed it.
 *
 * Sequential semantics: the pair is replaced only when both words match, and then both words change; a failed CAS
 * leaves both words as they were. Concurrent stress: THREADS threads each complete INCREMENTS successful CASes that
 * advance {stamp, node} from a (possibly torn) snapshot to {stamp + 1, mix(stamp + 1)}. A routine that is not atomic
 * loses updates (the final stamp is short), and one that moves one word without the other leaves a pair that
 * mix() does not explain. Exit 0 when everything holds, 1 with a message per violation, 2 on a usage or load error.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define INCREMENTS 20000

typedef int (*cas_fn)(uint64_t *, uint64_t, uint64_t, uint64_t, uint64_t);
typedef const char *(*text_fn)(void);

static cas_fn cas;
static int failures;
static _Alignas(16) uint64_t shared_top[2];

static void fail(const char *what, uint64_t stamp, uint64_t node) {
    fprintf(stderr, "cas128_check: FAIL %s (pair now {stamp=%#llx, node=%#llx})\n", what,
            (unsigned long long) stamp, (unsigned long long) node);
    failures++;
}

/* One CAS on a fresh pair {s0, n0}; checks the result and that the pair is exactly what it must be afterwards. */
static void expect(const char *what, uint64_t s0, uint64_t n0, uint64_t es, uint64_t en, uint64_t ns, uint64_t nn,
                   int swaps) {
    _Alignas(16) uint64_t top[2] = {s0, n0};
    int result = cas(top, es, en, ns, nn);
    uint64_t want_stamp = swaps ? ns : s0;
    uint64_t want_node = swaps ? nn : n0;
    if (result != swaps || top[0] != want_stamp || top[1] != want_node) {
        char message[160];
        snprintf(message, sizeof message, "%s: returned %d, expected %d", what, result, swaps);
        fail(message, top[0], top[1]);
    }
}

static void sequential(void) {
    const uint64_t high = 0xfedcba9876543210ULL;
    expect("both words match", 7, 0x1000, 7, 0x1000, 8, 0x2000, 1);
    expect("wrong stamp, right node (the ABA case)", 7, 0x1000, 6, 0x1000, 8, 0x2000, 0);
    expect("right stamp, wrong node", 7, 0x1000, 7, 0x1040, 8, 0x2000, 0);
    expect("both words wrong", 7, 0x1000, 9, 0x3000, 8, 0x2000, 0);
    expect("high bits in both words", high, ~high, high, ~high, ~high, high, 1);
    expect("words differing only in their top bit", 1ULL << 63, 1, 0, 1, 5, 5, 0);
    expect("node differing only in its top bit", 1, 1ULL << 63, 1, 0, 5, 5, 0);
    expect("swap to the same pair", 3, 4, 3, 4, 3, 4, 1);
}

static uint64_t mix(uint64_t stamp) {
    return (stamp * 0x9e3779b97f4a7c15ULL) ^ 0xa5a5a5a5a5a5a5a5ULL;
}

static void *increment(void *ignored) {
    (void) ignored;
    volatile uint64_t *words = shared_top;
    for (int done = 0; done < INCREMENTS;) {
        uint64_t stamp = words[0];
        uint64_t node = words[1]; /* may be torn from stamp: then the CAS must fail */
        if (cas(shared_top, stamp, node, stamp + 1, mix(stamp + 1))) {
            if (node != mix(stamp)) {
                fail("a CAS succeeded on a pair that was never in memory", stamp, node);
                return NULL;
            }
            done++;
        }
    }
    return NULL;
}

static void stress(void) {
    shared_top[0] = 0;
    shared_top[1] = mix(0);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&threads[i], NULL, increment, NULL);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    if (shared_top[0] != (uint64_t) THREADS * INCREMENTS) {
        fail("lost updates: the final stamp is not threads x increments", shared_top[0], shared_top[1]);
    }
    if (shared_top[1] != mix(shared_top[0])) {
        fail("the two words did not move together", shared_top[0], shared_top[1]);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: cas128_check LIBRARY EXPECTED_ROUTINE\n");
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW);
    if (library == NULL) {
        fprintf(stderr, "cas128_check: cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    cas = (cas_fn) dlsym(library, "allocspec_cas128");
    text_fn instruction = (text_fn) dlsym(library, "allocspec_cas128_instruction");
    text_fn features = (text_fn) dlsym(library, "allocspec_cas128_cpu_features");
    int (*supported)(void) = (int (*)(void)) dlsym(library, "allocspec_cas128_supported");
    if (cas == NULL || instruction == NULL || features == NULL || supported == NULL) {
        fprintf(stderr, "cas128_check: %s lacks an allocspec_cas128* entry point\n", argv[1]);
        return 2;
    }
    printf("cas128_check: routine \"%s\", CPU features \"%s\"\n", instruction(), features());
    if (!supported()) {
        fprintf(stderr, "cas128_check: the library says this CPU cannot run it\n");
        return 2;
    }
    if (strstr(instruction(), argv[2]) == NULL) {
        fprintf(stderr, "cas128_check: FAIL the routine is \"%s\", expected one with \"%s\"\n", instruction(), argv[2]);
        failures++;
    }
    sequential();
    stress();
    if (failures == 0) {
        printf("cas128_check: PASS (sequential cases, %d threads x %d increments)\n", THREADS, INCREMENTS);
    }
    return failures == 0 ? 0 : 1;
}
