#!/usr/bin/env bash
# Builds the runner's test modules (WASI preview 1) next to their sources:
#   *.wat with wabt's wat2wasm; *.c with clang for wasm32-wasi (Debian: clang lld wasi-libc
#   libclang-rt-14-dev-wasm32), the same way as infra/wasm-examples/build.sh.
# The built .wasm files are checked in, so tests need neither tool; rerun this after editing a source.
set -euo pipefail
cd "$(dirname "$0")"
for w in *.wat; do
  wat2wasm -o "${w%.wat}.wasm" "$w"
  echo "built ${w%.wat}.wasm ($(stat -c %s "${w%.wat}.wasm") bytes)"
done
for c in *.c; do
  clang --target=wasm32-wasi --sysroot=/usr -O2 -s -I ../../../../../infra/wasm-examples/src -o "${c%.c}.wasm" "$c"
  echo "built ${c%.c}.wasm ($(stat -c %s "${c%.c}.wasm") bytes)"
done
