#!/usr/bin/env bash
# Large blocks and memory return (issue 21): the large-block pair and churn against glibc and Netty's adaptive
# allocator in one JMH run, and the residency of a freed 1 GiB burst over time (mincore; Linux). Writes JMH JSON, the
# burst CSVs and charts into docs/benchmarks/large-blocks/. About 8 minutes on 2 cores.
# Usage: benchmarks/run-large-blocks.sh [extra JMH options]. Needs a JDK >= 22 on PATH or in JAVA_HOME.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out=docs/benchmarks/large-blocks
mkdir -p "$out"
./mvnw -q -B package -DskipTests -pl benchmarks -am
jar="$PWD/benchmarks/target/benchmarks.jar"
work=$(mktemp -d)   # JMH writes scratch files into the working folder: keep them out of the tree
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$JAVA" -jar "$jar" 'PairBenchmark|ChurnBenchmark.churn1$' \
    -p peer=LOCKFREE_NATIVE_CAS128,GLIBC_MALLOC,NETTY_ADAPTIVE -p size=65536,262144,1048576,4194304 \
    -rf json -rff "$work/jmh-large.json" "$@")
cp "$work/jmh-large.json" "$out/"
for share in 0.5 0; do
  dir="$out/burst-pooled-${share/./}"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$jar" \
      dev.allocspec.benchmarks.report.BurstResidency "$dir" "$share"
done
