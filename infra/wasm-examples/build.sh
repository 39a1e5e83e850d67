#!/usr/bin/env bash
# Builds the example WASM modules (WASI preview 1 commands) from src/ into this directory.
# Needs Debian's clang lld wasi-libc libclang-rt-14-dev-wasm32 (and wabt for .wat sources).
set -euo pipefail
cd "$(dirname "$0")"
for c in src/*.c; do
  name=$(basename "$c" .c)
  clang --target=wasm32-wasi --sysroot=/usr -O2 -s -o "$name.wasm" "$c"
  echo "built $name.wasm ($(stat -c %s "$name.wasm") bytes)"
done
shopt -s nullglob
for w in src/*.wat; do
  name=$(basename "$w" .wat)
  wat2wasm -o "$name.wasm" "$w"
  echo "built $name.wasm ($(stat -c %s "$name.wasm") bytes)"
done
