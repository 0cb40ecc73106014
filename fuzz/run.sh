#!/usr/bin/env bash
# Short fuzz runs of every target (seconds per target as $1, default 5), seeded with the test fixtures.
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them here.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-5}"
export RUSTC_BOOTSTRAP=1
cargo fuzz build --sanitizer none --release
corpus_root="$(mktemp -d)"
trap 'rm -rf "$corpus_root"' EXIT
while read -r target; do
  [[ -z "$target" ]] && continue
  corpus="$corpus_root/$target"
  mkdir -p "$corpus"
  case "$target" in
    sbom_read) find ../crates/cpsf-sbom/tests/data -type f -size -200k -exec cp -t "$corpus" {} + 2>/dev/null || true ;;
    purl_parse) printf 'pkg:npm/%%40babel/core@7.0.0' > "$corpus/seed" ;;
    *) find ../crates/cpsf-inventory/tests/data -type f -size -200k -exec cp --backup=numbered -t "$corpus" {} + 2>/dev/null || true ;;
  esac
  echo "fuzz: $target (${secs}s)"
  cargo fuzz run --sanitizer none --release "$target" "$corpus" -- -max_total_time="$secs" -rss_limit_mb=2048 >"$corpus_root/$target.log" 2>&1 || {
    tail -40 "$corpus_root/$target.log"; echo "fuzz target $target failed"; exit 1; }
done < targets.txt
echo "fuzz: all targets ran without a crash"
