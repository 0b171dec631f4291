#!/usr/bin/env bash
# Thread scaling of random-slot churn (256 B) on a machine with many cores: 1, 2, 4, ... up to the core count, for the
# lock-free allocator with and without thread caches (each strategy), the reference and glibc. JMH JSON goes to the
# folder given (default: results/scaling), with machine.txt saying where it ran.
# Usage: benchmarks/run-scaling.sh [output folder] [extra JMH options]
# Needs benchmarks/target/benchmarks.jar (./mvnw package -DskipTests -pl benchmarks -am) and a JDK >= 22
# (JAVA_HOME, or java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "${1:-results/scaling}" && cd "${1:-results/scaling}" && pwd)"
shift || true
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$PWD/benchmarks/target/benchmarks.jar"
cores=$(nproc)
work=$(mktemp -d)   # JMH writes scratch files into the working folder
trap 'rm -rf "$work"' EXIT
jmh() { (cd "$work" && "$JAVA" -jar "$jar" "$@"); }
{ echo "cores: $cores"; uname -srm; grep -m1 'model name' /proc/cpuinfo || true; "$JAVA" -version 2>&1; } > "$out/machine.txt"
peers=LOCKFREE_NATIVE_CAS128,LOCKFREE_LOCKED,LOCKFREE_NATIVE_CAS128_NO_CACHE,LOCKFREE_LOCKED_NO_CACHE,REFERENCE,GLIBC_MALLOC
threads=1
while [ "$threads" -le "$cores" ]; do
  jmh 'ChurnBenchmark.churn1$' -t "$threads" -p size=256 -p peer=$peers -rf json -rff "$out/jmh-scaling-t$threads.json" "$@"
  threads=$((threads * 2))
done
