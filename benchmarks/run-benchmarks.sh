#!/usr/bin/env bash
# The documented benchmark run: about 27 minutes on 2 cores. Writes JMH JSON to docs/benchmarks/ and regenerates
# BENCHMARKS.md and the charts from it. Usage: benchmarks/run-benchmarks.sh [extra JMH options]
# Needs a JDK >= 22 on PATH or in JAVA_HOME. jemalloc is included where libjemalloc.so.2 is installed: its forks run
# with LD_PRELOAD (Debian's jemalloc uses initial-exec TLS, which dlopen refuses), in a JMH run of their own so the
# other peers keep glibc as the JVM's malloc.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out=docs/benchmarks
mkdir -p "$out"
./mvnw -q -B package -DskipTests -pl benchmarks -am
jar="$PWD/benchmarks/target/benchmarks.jar"
work=$(mktemp -d)   # JMH and its forks write scratch files into the working folder: keep them out of the tree
trap 'rm -rf "$work"' EXIT
jmh() { (cd "$work" && "$JAVA" -jar "$jar" "$@"); }
peers=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED,REFERENCE,GLIBC_MALLOC,NETTY_POOLED,NETTY_ADAPTIVE,ARENA_CONFINED,BYTEBUFFER_DIRECT
rm -f "$out"/jmh-*.json

jmh 'PairBenchmark' -p peer=$peers -rf json -rff "$work/jmh-pair.json" "$@"
# the floor of a checked pair (a calibration, pooled sizes only): what no allocator keeping the contract goes below here
jmh 'PairBenchmark' -p peer=FLOOR_CHECKED_PAIR,FLOOR_CHECKED_PAIR_NO_CAS -p size=64,256,1024,4096,16384 \
    -rf json -rff "$work/jmh-pair-floor.json" "$@"
# the same pair after every kind of use (sizes, raw, virtual threads, cross-thread frees): the JIT's view in an application
jmh 'PairAfterMixedUseBenchmark' -p peer=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED,GLIBC_MALLOC,NETTY_ADAPTIVE \
    -p size=64,1024 -rf json -rff "$work/jmh-pair-mixed.json" "$@"
jmh 'ChurnBenchmark.churn1$' -p peer=$peers -rf json -rff "$work/jmh-churn.json" "$@"
jmh 'ChurnBenchmark.churn[24]$' -p peer=$peers -p size=256 -rf json -rff "$work/jmh-churn-threads.json" "$@"
# the shared stacks alone, every operation a CAS (or a lock): what the thread caches are measured against
jmh 'ChurnBenchmark.churn[124]$' -p peer=LOCKFREE_NATIVE_CAS128_NO_CACHE,LOCKFREE_LOCKED_NO_CACHE -p size=256 \
    -rf json -rff "$work/jmh-churn-no-cache.json" "$@"
# JMH's benchmark threads as virtual threads: the stripe caches they share, against glibc and Netty
jmh 'ChurnBenchmark.churn[12]$' -p size=256 -p peer=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED,GLIBC_MALLOC,NETTY_ADAPTIVE \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Xmx2g -Djmh.executor=VIRTUAL" \
    -rf json -rff "$work/jmh-churn-virtual.json" "$@"
jmh 'HandoffBenchmark' -p peer=${peers/,ARENA_CONFINED/} -p size=256 -rf json -rff "$work/jmh-handoff.json" "$@"
# one thread's churn among 0, 1,000 and 10,000 idle platform threads that each hold a cache
jmh 'ChurnBenchmark.churnInCrowd' -p peer=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED,GLIBC_MALLOC,NETTY_ADAPTIVE -p size=256 \
    -rf json -rff "$work/jmh-crowd.json" "$@"
jmh 'ChurnBenchmark.churn[12]$' -p size=256 -p peer=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Xmx2g -Dallocspec.countCas=true" \
    -rf json -rff "$work/jmh-cas-counts.json" "$@"
jemalloc=$(ldconfig -p 2>/dev/null | sed -n 's/.*libjemalloc\.so\.2 .*=> \(.*\)$/\1/p' | head -n1)
if [ -n "$jemalloc" ]; then
  (cd "$work" && LD_PRELOAD="$jemalloc" "$JAVA" -jar "$jar" 'PairBenchmark|ChurnBenchmark.churn1$' -p peer=JEMALLOC \
      -rf json -rff "$work/jmh-jemalloc.json" "$@")
else
  echo "libjemalloc.so.2 not installed: JEMALLOC skipped"
fi
cp "$work"/jmh-*.json "$out"/

"$JAVA" -Djava.awt.headless=true -cp "$jar" dev.allocspec.benchmarks.report.BenchmarkReport \
    BENCHMARKS.md "$out" "$out/header.md" "$out"/jmh-*.json
