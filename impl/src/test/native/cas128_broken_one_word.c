/*
 * A deliberately broken routine, for the negative control of test-native.sh: the real cas128.c, but its entry point
 * compares the stamp only (the expected node is replaced by whatever node is in memory), so a pair with the right stamp
 * and another node is replaced: the ABA protection is gone. cas128_check must reject it, whichever routine runs.
 * Never packaged: built only into target/native-test.
 */
#include <stdint.h>

#define allocspec_cas128 allocspec_cas128_correct
#include "../../main/native/cas128.c"
#undef allocspec_cas128

int allocspec_cas128(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                     uint64_t new_stamp, uint64_t new_node) {
    (void) expect_node;
    volatile uint64_t *node_in_memory = &top[1];
    return allocspec_cas128_correct(top, expect_stamp, *node_in_memory, new_stamp, new_node);
}
