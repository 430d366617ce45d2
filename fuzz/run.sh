#!/usr/bin/env bash
# Runs fuzz targets one after another: ./run.sh SECONDS [TARGET...]
# (all targets when none is named). Needs cargo-fuzz; on a stable toolchain
# RUSTC_BOOTSTRAP=1 unlocks the nightly flags it passes to rustc (sanitizers,
# coverage instrumentation). Builds into fuzz/target, apart from the main build.
# A crash, timeout (10 s for one input) or out-of-memory (2 GiB) stops the run
# with its input saved under fuzz/artifacts/TARGET/ and a non-zero status.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(template chart_archive overlay image_ref post_render yaml_fast stack_file cache_record post_render_overlay)
export RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR
./seed-corpus.sh >/dev/null
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${seconds}s" >&2
  cargo fuzz run --target-dir target "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1
done
