#!/usr/bin/env bash
# Record what `cargo audit` reports for each large Cargo.lock of the shared data, with the RustSec snapshot of the
# shared data, as the oracle that crates/cpsf-vuln/tests/it/cargo_audit.rs compares cpsf with.
# Needs cargo-audit (`cargo install --locked cargo-audit`). Rewrites crates/cpsf-vuln/tests/data/cargo-audit/*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${CPSF_TEST_DATA:-../shared/data}"
db="$(mktemp -d)/advisory-db"
# cargo-audit wants its database to be a git repository.
cp -r "$data/advisories/rustsec-advisory-db" "$db"
git -C "$db" init -q && git -C "$db" add -A && git -C "$db" -c user.name=cpsf -c user.email=cpsf@localhost commit -qm snapshot
out=crates/cpsf-vuln/tests/data/cargo-audit
mkdir -p "$out"
for lock in "$data"/large-lockfiles/cargo/*.Cargo.lock; do
  name="$(basename "$lock" .Cargo.lock)"
  cargo audit --no-fetch --stale --no-yanked --db "$db" -f "$lock" --json > "$out/$name.json.tmp" || true
  {
    echo "# cargo audit $(cargo audit --version | awk '{print $2}') --no-fetch --stale --no-yanked on $name.Cargo.lock"
    echo "# kind package version advisory"
    jq -r '(.vulnerabilities.list[] | "vulnerability \(.package.name) \(.package.version) \(.advisory.id)"),
           ((.warnings // {}) | to_entries[] | .key as $k | .value[] | "\($k) \(.package.name) \(.package.version) \(.advisory.id)")' \
      "$out/$name.json.tmp" | LC_ALL=C sort
  } > "$out/$name.txt"
  rm "$out/$name.json.tmp"
  echo "$name: $(grep -vc '^#' "$out/$name.txt") entries"
done
