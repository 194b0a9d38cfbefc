#!/usr/bin/env bash
# On demand (not in CI): the smallest this module can be while the decision runs in Rust.
#
# Builds the module from a scratch worktree of HEAD with scripts/size-floor.patch applied:
# every JSON read and write (request bodies, look-ups, stored states, the pool's settings,
# outcomes) is replaced by `core::hint::black_box`, so the optimiser must keep the decision,
# validation, messages, keys and exports whole but no JSON code is left. Same flags as
# `npm run build` (scripts/build.mjs). What it prints is a floor for this design: the same
# module with JSON read and written again is larger. README.md, "Size", gives the last
# result.
#
#   bash scripts/size-floor.sh        (needs what `npm run build` needs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
scratch=$(mktemp -d)
cleanup() {
    if ! git -C "$repo" worktree remove --force "$scratch" 2> /dev/null; then
        rm -rf "$scratch"
        git -C "$repo" worktree prune
    fi
}
trap cleanup EXIT

git -C "$repo" worktree add --detach --quiet "$scratch" HEAD
if ! git -C "$scratch" apply "$here/scripts/size-floor.patch"; then
    echo "size-floor: scripts/size-floor.patch no longer applies to HEAD; update it" >&2
    exit 1
fi

cd "$scratch/bindings/js"
export CARGO_TARGET_DIR="$here/target/size-floor"
# As scripts/build.mjs: paths remapped, sha2's compact SHA-256.
flags=("--remap-path-prefix=$scratch=confirmation-flow" "--remap-path-prefix=$HOME=~"
    '--cfg=sha2_backend_soft="compact"')
CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${flags[*]}")
export CARGO_ENCODED_RUSTFLAGS
cargo build --profile wasm --target wasm32-unknown-unknown --locked --quiet
out="$CARGO_TARGET_DIR/out"
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name floor \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/confirmation_flow_js.wasm"
"$here/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers \
    "$out/floor_bg.wasm" -o "$out/floor.wasm"
bytes=$(stat -c %s "$out/floor.wasm")
gzip=$(gzip -9c "$out/floor.wasm" | wc -c)
built=$(stat -c %s "$here/pkg/confirmation_flow_bg.wasm" 2> /dev/null || echo "?")
echo "size-floor: HEAD with no JSON code: $bytes bytes after wasm-opt -Oz (gzip -9: $gzip)"
echo "size-floor: pkg/ from the last npm run build: $built bytes; the issue's target: 100 KB"
