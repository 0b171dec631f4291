#!/bin/sh
# Builds libcas128.so for this OS/architecture into $1/native/<os>-<arch>/ and proves the instruction is in it.
# No C compiler, or an architecture with no routine: prints why and exits 0, so the build goes on and the
# allocator falls back to the LOCKED strategy (it reports the reason at run time).
set -eu
out_root="$1"
src="$(dirname "$0")/cas128.c"

os=$(uname -s | tr 'A-Z' 'a-z')
case "$(uname -m)" in
  x86_64|amd64) arch=x86_64; flags="-mcx16"; proof='lock cmpxchg16b' ;;
  aarch64|arm64) arch=aarch64; flags="-march=armv8-a"; proof='ldaxp' ;;
  *) echo "[cas128] no native 128-bit CAS routine for $(uname -m): LOCKED fallback only"; exit 0 ;;
esac
[ "$os" = linux ] || { echo "[cas128] native CAS is built on Linux only (this is $os): LOCKED fallback only"; exit 0; }

cc=""
for c in "${CC:-}" cc gcc clang; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
done
[ -n "$cc" ] || { echo "[cas128] no C compiler found: NATIVE_CAS128 unavailable, LOCKED fallback only"; exit 0; }

dir="$out_root/native/$os-$arch"
mkdir -p "$dir"
"$cc" -O2 -fPIC -shared $flags -Wall -Wextra -Werror -o "$dir/libcas128.so" "$src"

# Proof that the real instruction is in the library (not a libatomic call, which is not lock-free for 16 bytes).
if command -v objdump >/dev/null 2>&1; then
  objdump -d "$dir/libcas128.so" | grep -A14 '<allocspec_cas128>:' > "$dir/disassembly.txt" || true
  if ! grep -q "$proof" "$dir/disassembly.txt"; then
    echo "[cas128] ERROR: $proof not found in the disassembly of allocspec_cas128" >&2
    rm -f "$dir/libcas128.so"
    exit 1
  fi
  echo "[cas128] built $dir/libcas128.so with $cc; disassembly shows: $(grep -m1 "$proof" "$dir/disassembly.txt" | sed 's/^[^:]*:[[:space:]]*//')"
else
  echo "objdump unavailable: instruction not proven at build time (the test suite checks it at run time)" > "$dir/disassembly.txt"
  echo "[cas128] built $dir/libcas128.so with $cc (no objdump to prove the instruction)"
fi
