#!/usr/bin/env bash
# Time the rendering of a 100-entry assessment report (HTML and PDF, Japanese and English) with a release build
# of the render100 example; the issue asks for under 1 s. Needs a Japanese font (apt-get install
# fonts-ipafont-gothic) or CPSF_REPORT_FONT. With a directory argument the reports are written there too.
# Usage: bench/report.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p cpsf-report --example render100
target="${CARGO_TARGET_DIR:-target}"
for run in 1 2 3; do
  echo "run $run"
  "$target/release/examples/render100" "$@"
done
