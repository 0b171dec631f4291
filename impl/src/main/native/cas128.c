/*
 * allocspec native 128-bit compare-and-swap: the one instruction Java does not have.
 *
 * The double word is the free stack's top, laid out as two little-endian 64-bit words:
 *   offset 0: stamp (low word)    offset 8: node address (high word)
 * It must be 16-byte aligned (cmpxchg16b faults otherwise; CASP requires it).
 *
 * Called from Java through an FFM critical downcall. The routine is a full barrier on both architectures (x86 locked
 * instructions are; the AArch64 sequence uses acquire-release exclusives and the "memory" clobber), and the call is
 * opaque to the JIT, so no Java access moves across it.
 */
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>

int allocspec_cas128_supported(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
    return (ecx & bit_CMPXCHG16B) != 0;
}

const char *allocspec_cas128_instruction(void) {
    return "x86-64 lock cmpxchg16b";
}

/* Returns 1 if {stamp, node} at top equalled {expect_stamp, expect_node} and was replaced, else 0. */
int allocspec_cas128(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                     uint64_t new_stamp, uint64_t new_node) {
    unsigned char swapped;
    __asm__ __volatile__("lock cmpxchg16b %1\n\tsete %0"
                         : "=q"(swapped), "+m"(*top), "+a"(expect_stamp), "+d"(expect_node)
                         : "b"(new_stamp), "c"(new_node)
                         : "memory", "cc");
    return swapped;
}

#elif defined(__aarch64__)

int allocspec_cas128_supported(void) {
    return 1; /* LDAXP/STLXP exist on every ARMv8-A core */
}

const char *allocspec_cas128_instruction(void) {
    return "AArch64 ldaxp/stlxp loop";
}

int allocspec_cas128(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                     uint64_t new_stamp, uint64_t new_node) {
    uint64_t seen_stamp, seen_node;
    uint32_t failed;
    do {
        __asm__ __volatile__("ldaxp %0, %1, [%2]" : "=&r"(seen_stamp), "=&r"(seen_node) : "r"(top) : "memory");
        if (seen_stamp != expect_stamp || seen_node != expect_node) {
            /* Clear the exclusive monitor by writing back what was read; the pair is unchanged. */
            __asm__ __volatile__("stlxp %w0, %1, %2, [%3]"
                                 : "=&r"(failed) : "r"(seen_stamp), "r"(seen_node), "r"(top) : "memory");
            if (!failed) {
                return 0;
            }
            continue;
        }
        __asm__ __volatile__("stlxp %w0, %1, %2, [%3]"
                             : "=&r"(failed) : "r"(new_stamp), "r"(new_node), "r"(top) : "memory");
    } while (failed);
    return 1;
}

#else
#error "allocspec cas128: no 128-bit CAS for this architecture; the LOCKED strategy serves instead"
#endif
