/*
 * allocspec native 128-bit compare-and-swap: the one instruction Java does not have.
 *
 * The double word is the free stack's top, laid out as two little-endian 64-bit words:
 *   offset 0: stamp (low word)    offset 8: node address (high word)
 * It must be 16-byte aligned (cmpxchg16b faults otherwise; CASP requires it).
 *
 * Called from Java through an FFM critical downcall. The routine is a full barrier on both architectures (x86 locked
 * instructions are; the AArch64 routines use acquire-release exclusives or CASPAL, and the "memory" clobber), and the
 * call is opaque to the JIT, so no Java access moves across it.
 *
 * Entry points, the same on every architecture (Cas128Native looks them up by name):
 *   allocspec_cas128              the CAS itself
 *   allocspec_cas128_supported    1 when the CPU can run it
 *   allocspec_cas128_instruction  which routine runs, e.g. "AArch64 LSE caspal"
 *   allocspec_cas128_cpu_features the CPU features behind that choice, e.g. "atomics (HWCAP_ATOMICS set)"
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

const char *allocspec_cas128_cpu_features(void) {
    return allocspec_cas128_supported() ? "cx16 (CPUID.1:ECX.CMPXCHG16B set)"
                                        : "no cx16 (CPUID.1:ECX.CMPXCHG16B clear)";
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
#include <sys/auxv.h>

#ifndef HWCAP_ATOMICS
#define HWCAP_ATOMICS (1UL << 8) /* Linux arm64 uapi hwcap.h: ARMv8.1 LSE atomics, CASP among them */
#endif

/*
 * Two routines behind the one entry point. ARMv8.1 LSE (Graviton 2+, Ampere, Neoverse, Apple M-series) has CASPAL:
 * one instruction, acquire and release, that cannot fail spuriously and does not starve under contention. Every
 * ARMv8-A core has the exclusive pair LDAXP/STLXP, retried until the store-exclusive succeeds. The choice is made once,
 * when the library is loaded, from the kernel's HWCAP (what the kernel says the CPU and it support), and never
 * changes.
 */
static int use_caspal;

__attribute__((constructor)) static void allocspec_cas128_choose(void) {
    use_caspal = (getauxval(AT_HWCAP) & HWCAP_ATOMICS) != 0;
}

int allocspec_cas128_supported(void) {
    return 1; /* LDAXP/STLXP exist on every ARMv8-A core */
}

const char *allocspec_cas128_instruction(void) {
    return use_caspal ? "AArch64 LSE caspal" : "AArch64 ldaxp/stlxp loop (LL/SC)";
}

const char *allocspec_cas128_cpu_features(void) {
    return use_caspal ? "atomics (HWCAP_ATOMICS set: ARMv8.1 LSE)"
                      : "no atomics (HWCAP_ATOMICS clear: ARMv8.0, no LSE)";
}

static int cas128_llsc(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                       uint64_t new_stamp, uint64_t new_node) {
    uint64_t seen_stamp, seen_node;
    uint32_t failed;
    do {
        __asm__ __volatile__("ldaxp %0, %1, [%2]" : "=&r"(seen_stamp), "=&r"(seen_node) : "r"(top) : "memory");
        if (seen_stamp != expect_stamp || seen_node != expect_node) {
            /* Clear the exclusive monitor by writing back what was read; the pair is unchanged. A successful
               write-back also proves the pair was read as one (LDAXP alone is not single-copy atomic). */
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

static int cas128_caspal(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                         uint64_t new_stamp, uint64_t new_node) {
    /* CASP takes even/odd register pairs; on little-endian the even register is the word at the lower address
       (the stamp). After it, the first pair holds what memory held: equal to the expectation iff it swapped. */
    register uint64_t x0 __asm__("x0") = expect_stamp;
    register uint64_t x1 __asm__("x1") = expect_node;
    register uint64_t x2 __asm__("x2") = new_stamp;
    register uint64_t x3 __asm__("x3") = new_node;
    __asm__ __volatile__(".arch_extension lse\n\tcaspal x0, x1, x2, x3, [%[top]]"
                         : "+r"(x0), "+r"(x1)
                         : "r"(x2), "r"(x3), [top] "r"(top)
                         : "memory");
    return x0 == expect_stamp && x1 == expect_node;
}

/* Returns 1 if {stamp, node} at top equalled {expect_stamp, expect_node} and was replaced, else 0. */
int allocspec_cas128(uint64_t *top, uint64_t expect_stamp, uint64_t expect_node,
                     uint64_t new_stamp, uint64_t new_node) {
    if (use_caspal) {
        return cas128_caspal(top, expect_stamp, expect_node, new_stamp, new_node);
    }
    return cas128_llsc(top, expect_stamp, expect_node, new_stamp, new_node);
}

#else
#error "allocspec cas128: no 128-bit CAS for this architecture; the LOCKED strategy serves instead"
#endif
