#!/usr/bin/env bash
# Runs the verifier's safety profile on every adapter in the jar, and on this project's allocator in both profiles,
# keeps each report.json under docs/adapters/reports/, and regenerates the table in docs/adapters/README.md from them.
# Usage: docs/adapters/run-adapters.sh [--depth quick|standard|deep]   (after ./mvnw -q package -DskipTests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar="$root/verifier/target/allocspec-verify.jar"
[ -f "$jar" ] || { echo "run ./mvnw -q package -DskipTests first: no $jar" >&2; exit 2; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$here/reports"

# jemalloc's Debian build uses initial-exec TLS: dlopen has room for it only when glibc keeps some static TLS spare.
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 2>/dev/null | head -1 || true)

run() { # name, then the verifier's arguments
  local name=$1; shift
  local status=0
  echo "== $name"
  (cd "$work" && "$java" -jar "$jar" "$@" --out "$work/$name") || status=$?
  if [ -f "$work/$name/report.json" ]; then
    cp "$work/$name/report.json" "$here/reports/$name.json"
  else
    printf '{"notRun": "exit %s: see the verifier output"}\n' "$status" > "$here/reports/$name.json"
  fi
}

for adapter in GLIBC GLIBC_UNCHECKED NETTY_POOLED NETTY_ADAPTIVE ARENA_PER_BLOCK; do
  run "$adapter" --impl "dev.allocspec.adapters.Adapters.$adapter" "$@"
done
if [ -n "$jemalloc" ]; then
  GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384 run JEMALLOC --impl dev.allocspec.adapters.Adapters.JEMALLOC "$@"
else
  printf '{"notRun": "libjemalloc.so.2 is not installed on the machine that made these reports"}\n' \
    > "$here/reports/JEMALLOC.json"
fi
run FIFO_SAFETY --impl dev.allocspec.spec.ExampleAllocators.FIFO_REUSE "$@"
run FIFO_FAMILY --impl dev.allocspec.spec.ExampleAllocators.FIFO_REUSE --profile family "$@"
run LOCKFREE_SAFETY --profile safety --no-jcstress "$@"
run LOCKFREE_FAMILY --no-jcstress "$@"
python3 "$here/make-table.py" "$here/reports" "$here/README.md"
