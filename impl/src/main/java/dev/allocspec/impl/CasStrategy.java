package dev.allocspec.impl;

import java.util.List;
import java.util.Locale;

/**
 * How a free stack's 16-byte top {stamp, node} is compared and replaced as one.
 *
 * <p>The automatic choice ({@link LockFreeBlockAllocator#create()}) is {@link #NATIVE_CAS128} where it can run, else
 * {@link #LOCKED}; the system property {@value #PROPERTY} ({@code NATIVE_CAS128}, {@code LOCKED} or {@code auto})
 * forces it. The choice and its reason are always reported ({@link LockFreeBlockAllocator#strategyReport()}).
 */
public enum CasStrategy {
    /**
     * The hardware's 128-bit CAS (x86-64 {@code lock cmpxchg16b}; AArch64 LSE {@code caspal} where the CPU has it,
     * else the exclusive pair {@code ldaxp}/{@code stlxp}), in a native routine called through an FFM critical
     * downcall. Lock-free.
     */
    NATIVE_CAS128,
    /**
     * The same read-compare-write of the 16 bytes under one lock per stack (jalib's futex + memcpy fallback).
     * Always available; blocking.
     */
    LOCKED;

    /** The system property that forces the automatic choice. */
    public static final String PROPERTY = "allocspec.casStrategy";

    /** Whether this strategy can run on this machine. */
    public boolean isAvailable() {
        return this == LOCKED || Cas128Native.get().available();
    }

    /** Why this strategy cannot run here, or null when it can. */
    public String unavailableReason() {
        return isAvailable() ? null : Cas128Native.get().unavailableReason();
    }

    /**
     * The instruction path and, for the native routine, the CPU features behind its choice, e.g. {@code "AArch64 LSE
     * caspal via FFM critical downcall (linux-aarch64; CPU: atomics (HWCAP_ATOMICS set: ARMv8.1 LSE))"}.
     */
    public String instructionPath() {
        return switch (this) {
            case NATIVE_CAS128 -> isAvailable() ? Cas128Native.get().instruction() + " via FFM critical downcall ("
                    + Cas128Native.get().platform() + "; CPU: " + Cas128Native.get().cpuFeatures() + ")"
                    : "unavailable: " + unavailableReason();
            case LOCKED -> "ReentrantLock per stack around a 16-byte compare and two 64-bit release stores";
        };
    }

    /**
     * The native libraries this jar carries, one line each: the {@code os-arch}, how it was built and the instructions
     * its disassembly showed at build time, e.g. {@code "linux-aarch64 built with aarch64-linux-gnu-gcc; proven by
     * disassembly: ldaxp, stlxp, caspal"}. Empty when the build made none.
     */
    public static List<String> nativeLibraries() {
        return Cas128Native.packagedLibraries();
    }

    /** The strategy the automatic choice picks, and why. */
    static Choice choose() {
        String forced = System.getProperty(PROPERTY, "auto").trim();
        if (!forced.equalsIgnoreCase("auto")) {
            CasStrategy strategy;
            try {
                strategy = valueOf(forced.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced
                        + " names no strategy: use NATIVE_CAS128, LOCKED or auto", e);
            }
            return new Choice(strategy, "forced by -D" + PROPERTY + "=" + forced);
        }
        if (NATIVE_CAS128.isAvailable()) {
            return new Choice(NATIVE_CAS128, "chosen automatically: the native 128-bit CAS loaded and passed its "
                    + "self-test");
        }
        return new Choice(LOCKED, "chosen automatically: native 128-bit CAS unavailable ("
                + NATIVE_CAS128.unavailableReason() + ")");
    }

    /** A strategy and the reason it was chosen. */
    record Choice(CasStrategy strategy, String reason) {
    }
}
