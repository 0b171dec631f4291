#!/bin/sh
# Checks every libcas128.so the build made with cas128_check.c, outside the JVM (run by ./mvnw verify, test phase):
#   the host's library natively;
#   the AArch64 library under qemu-aarch64, once on a CPU model without LSE (cortex-a53: the LL/SC loop must run) and
#   once with it (neoverse-n1: CASPAL must run);
#   and, as the negative control, a deliberately broken entry point (cas128_broken_one_word.c) on both models, which
#   must fail.
# $1: the folder holding native/ (target/classes); $2: a scratch folder for the harness builds.
# A check that cannot run here (no cross compiler, no qemu-aarch64) is skipped with the reason, unless
# ALLOCSPEC_NATIVE_REQUIRE_ALL=1 (.ci/run sets it): then it fails the build.
set -eu
native="$1/native"
work="$2"
here="$(dirname "$0")"
require_all="${ALLOCSPEC_NATIVE_REQUIRE_ALL:-0}"
mkdir -p "$work"

say() { echo "[cas128-test] $*"; }
skip() {
  if [ "$require_all" = 1 ]; then
    echo "[cas128-test] ERROR: $1 (ALLOCSPEC_NATIVE_REQUIRE_ALL=1)" >&2
    exit 1
  fi
  say "SKIPPED: $1"
}
first_command() {
  for c in "$@"; do
    if command -v "$c" >/dev/null 2>&1; then echo "$c"; return; fi
  done
}

case "$(uname -m)" in
  x86_64|amd64) host=x86_64 ;;
  aarch64|arm64) host=aarch64 ;;
  *) host=$(uname -m) ;;
esac
[ -f "$native/libraries.txt" ] || { skip "no native libraries were built (see the [cas128] lines above)"; exit 0; }
say "the build made: $(cut -d' ' -f1 "$native/libraries.txt" | paste -sd' ' -)"

# Runs the harness; $1: expected exit code (0 pass, 1 caught), $2: label, then the command line.
check() {
  want="$1"; label="$2"; shift 2
  set +e
  "$@" > "$work/last.log" 2>&1
  got=$?
  set -e
  sed 's/^/    /' "$work/last.log"
  if [ "$got" != "$want" ]; then
    echo "[cas128-test] ERROR: $label: exit $got, expected $want" >&2
    exit 1
  fi
  say "ok: $label"
}

# The host's library, natively.
if [ -f "$native/linux-$host/libcas128.so" ]; then
  cc=$(first_command "${CC:-cc}" cc gcc clang)
  [ -n "$cc" ] || { skip "no C compiler for the harness"; exit 0; }
  "$cc" -O2 -Wall -Wextra -Werror -pthread -o "$work/cas128_check-$host" "$here/cas128_check.c" -ldl
  case "$host" in
    x86_64) expected=cmpxchg16b ;;
    aarch64) if grep -qw atomics /proc/cpuinfo; then expected=caspal; else expected=ldaxp; fi ;;
  esac
  check 0 "linux-$host library on this CPU runs $expected" "$work/cas128_check-$host" \
    "$native/linux-$host/libcas128.so" "$expected"
fi

# The AArch64 library under emulation, on both CPU models, and the broken routine.
if [ ! -f "$native/linux-aarch64/libcas128.so" ]; then
  skip "no linux-aarch64 library was built (see the [cas128] lines above): nothing to emulate"
else
  if [ "$host" = aarch64 ]; then
    acc=$(first_command "${CC:-cc}" cc gcc)
  else
    acc=$(first_command aarch64-linux-gnu-gcc)
  fi
  qemu=$(first_command qemu-aarch64-static qemu-aarch64)
  sysroot=/usr/aarch64-linux-gnu
  if [ -z "$acc" ]; then
    skip "no AArch64 C compiler for the harness (Debian: gcc-aarch64-linux-gnu)"
  elif [ -z "$qemu" ]; then
    skip "no qemu-aarch64 to emulate AArch64 CPU models (Debian: qemu-user-static)"
  else
    "$acc" -O2 -Wall -Wextra -Werror -pthread -o "$work/cas128_check-aarch64" "$here/cas128_check.c" -ldl
    "$acc" -O2 -fPIC -shared -march=armv8-a -Wall -Wextra -Werror -o "$work/libcas128-broken.so" \
      "$here/cas128_broken_one_word.c"
    emulate() { # $1: CPU model, then the harness's arguments
      cpu="$1"; shift
      if [ -d "$sysroot" ]; then
        "$qemu" -L "$sysroot" -cpu "$cpu" "$work/cas128_check-aarch64" "$@"
      else
        "$qemu" -cpu "$cpu" "$work/cas128_check-aarch64" "$@"
      fi
    }
    check 0 "linux-aarch64 library on qemu -cpu cortex-a53 (ARMv8.0, no LSE) runs the LL/SC loop" \
      emulate cortex-a53 "$native/linux-aarch64/libcas128.so" ldaxp
    check 0 "linux-aarch64 library on qemu -cpu neoverse-n1 (ARMv8.2, LSE) runs caspal" \
      emulate neoverse-n1 "$native/linux-aarch64/libcas128.so" caspal
    for model in "cortex-a53 ldaxp" "neoverse-n1 caspal"; do
      set -- $model
      check 1 "negative control: an entry point that compares the stamp only is caught on $1" \
        emulate "$1" "$work/libcas128-broken.so" "$2"
      grep -q "right stamp, wrong node" "$work/last.log" \
        || { echo "[cas128-test] ERROR: the broken routine failed, but not on the case it breaks" >&2; exit 1; }
    done
  fi
fi
