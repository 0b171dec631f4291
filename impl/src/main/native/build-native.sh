#!/bin/sh
# Builds libcas128.so for every Linux architecture with a routine (x86-64, AArch64) that a compiler here can target,
# into $1/native/linux-<arch>/, proves by disassembly that each holds the hardware instructions, and lists what the jar
# carries in $1/native/libraries.txt (Cas128Native reads it for the reports).
#   host architecture:   $CC, cc, gcc or clang
#   the other one:       <triple>-gcc (Debian: gcc-aarch64-linux-gnu, gcc-x86-64-linux-gnu),
#                        else clang --target=<triple>
# An architecture nothing here can build is skipped with the reason (that jar falls back to LOCKED there, and says so),
# unless ALLOCSPEC_NATIVE_REQUIRE_ALL=1 (.ci/run sets it): then a missing compiler or proof fails the build.
set -eu
out_root="$1"
src="$(dirname "$0")/cas128.c"
require_all="${ALLOCSPEC_NATIVE_REQUIRE_ALL:-0}"

skip() { # $1: why an architecture is not built
  if [ "$require_all" = 1 ]; then
    echo "[cas128] ERROR: $1 (ALLOCSPEC_NATIVE_REQUIRE_ALL=1)" >&2
    exit 1
  fi
  echo "[cas128] $1"
}

case "$(uname -s)" in
  Linux) ;;
  *) echo "[cas128] the native CAS is built on Linux only (this is $(uname -s)): LOCKED fallback only"; exit 0 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) host=x86_64 ;;
  aarch64|arm64) host=aarch64 ;;
  *) host=$(uname -m) ;;
esac

mkdir -p "$out_root/native"
manifest="$out_root/native/libraries.txt"
: > "$manifest"

# Prints a compiler command line for $1 (x86_64 or aarch64), or nothing.
compiler_for() {
  triple="$1-linux-gnu"
  if [ "$1" = "$host" ]; then
    for c in "${CC:-}" cc gcc clang; do
      if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then echo "$c"; return; fi
    done
  fi
  if command -v "$triple-gcc" >/dev/null 2>&1; then echo "$triple-gcc"; return; fi
  if command -v clang >/dev/null 2>&1 \
      && echo 'int x;' | clang --target="$triple" -x c -c -o /dev/null - 2>/dev/null; then
    echo "clang --target=$triple"
  fi
}

# Prints a disassembler for $1, or nothing.
objdump_for() {
  if [ "$1" = "$host" ] && command -v objdump >/dev/null 2>&1; then echo objdump; return; fi
  for d in "$1-linux-gnu-objdump" llvm-objdump; do
    if command -v "$d" >/dev/null 2>&1; then echo "$d"; return; fi
  done
}

build() { # $1: architecture, $2: flags, $3...: instructions the disassembly must show
  arch="$1"; flags="$2"; shift 2
  cc=$(compiler_for "$arch")
  if [ -z "$cc" ]; then
    skip "no C compiler for linux-$arch (host $host): NATIVE_CAS128 not in this jar for $arch"
    return 0
  fi
  dir="$out_root/native/linux-$arch"
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # $cc and $flags are word lists on purpose
  $cc -O2 -fPIC -shared $flags -Wall -Wextra -Werror -o "$dir/libcas128.so" "$src"

  # Proof that the real instructions are in the library (not a libatomic call, which is not lock-free for 16 bytes):
  # the entry point and the routines it dispatches to.
  dis=$(objdump_for "$arch")
  if [ -z "$dis" ]; then
    echo "no disassembler for $arch: instructions not proven at build time" > "$dir/disassembly.txt"
    skip "built $dir/libcas128.so with $cc, but no objdump for $arch proves its instructions"
    echo "linux-$arch built with $cc; not proven (no disassembler for $arch)" >> "$manifest"
    return 0
  fi
  $dis -d "$dir/libcas128.so" | sed -n '/<allocspec_cas128>:/,/^$/p; /<cas128_[a-z_]*>:/,/^$/p' > "$dir/disassembly.txt"
  shown=""
  proven=""
  for instruction in "$@"; do
    line=$(grep -m1 "[[:space:]]$instruction[[:space:]]" "$dir/disassembly.txt" || true)
    if [ -z "$line" ]; then
      echo "[cas128] ERROR: $instruction not found in the disassembly of allocspec_cas128 for $arch" >&2
      rm -f "$dir/libcas128.so"
      exit 1
    fi
    shown="$shown; $(echo "$line" | sed 's/^[^:]*:[[:space:]]*[0-9a-f ]*[[:space:]]*//')"
    proven="$proven, $instruction"
  done
  echo "[cas128] built linux-$arch/libcas128.so with $cc; $dis shows: ${shown#; }"
  echo "linux-$arch built with $cc; proven by disassembly: ${proven#, }" >> "$manifest"
}

build x86_64 "-mcx16" 'lock cmpxchg16b'
build aarch64 "-march=armv8-a" ldaxp stlxp caspal
echo "[cas128] this jar carries: $(cut -d' ' -f1 "$manifest" | paste -sd' ' -)"
