#!/usr/bin/env bash
# Vulnerability-management benchmarks, side by side in one run (the figures in BENCHMARKS.md):
#   1. `cpsf db import` of all of $CPSF_TEST_DATA/advisories into a fresh database;
#   2. `cpsf scan` of every lockfile in $CPSF_TEST_DATA/large-lockfiles (inventory plus matching), one run;
#   3. `cpsf scan` of a generated CycloneDX SBOM of 100,000 components (bench/gen-sbom.py);
#   4. each large Cargo.lock: cpsf scan vs `cargo audit` on the same RustSec snapshot, same findings checked.
# Times are means over RUNS runs (wall clock); peak RSS is the largest of the runs (GNU time).
# Needs: GNU time, jq, python3, cargo-audit (cargo install --locked cargo-audit).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${CPSF_TEST_DATA:-$(cd .. && pwd)/shared/data}"
runs="${RUNS:-10}"
cargo build --release --locked -q -p cpsf
cpsf="$PWD/target/release/cpsf"
command -v cargo-audit >/dev/null || { echo "cargo-audit not installed: cargo install --locked cargo-audit" >&2; exit 2; }

work="$(mktemp -d /tmp/cpsf-vuln-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# run CMD... RUNS times; prints "mean_seconds peak_rss_mb". The mean is perf stat's when perf is installed (no
# shell in the timed loop), else wall clock around each run.
bench() {
  if command -v perf >/dev/null && [[ -z "${BEFORE:-}" ]]; then
    local mean peak
    mean=$( (perf stat -r "$runs" "$@" 2>&1 >/dev/null || true) | awk '/seconds time elapsed/ {print $1}')
    /usr/bin/time -f "%M" -o "$work/rss.txt" "$@" >/dev/null 2>"$work/stderr.txt" || true
    peak=$(tail -1 "$work/rss.txt")
    awk -v t="$mean" -v m="$peak" 'BEGIN { printf "%.4f %.1f\n", t, m / 1024 }'
    return
  fi
  local total=0 peak=0 start end t m
  for _ in $(seq "$runs"); do
    [[ -n "${BEFORE:-}" ]] && eval "$BEFORE"
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/rss.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
      local rc=$?; [[ $rc -eq 1 ]] || { cat "$work/stderr.txt" >&2; return 1; }; }
    end=$(date +%s%N)
    total=$((total + end - start))
    m=$(tail -1 "$work/rss.txt"); ((m > peak)) && peak=$m
  done
  awk -v t="$total" -v n="$runs" -v m="$peak" 'BEGIN { printf "%.3f %.1f\n", t / n / 1e9, m / 1024 }'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); cpsf $($cpsf --version | cut -d' ' -f2), $(cargo audit --version)"
echo

# 1. Import everything.
db="$work/advisories.db"
records=$(find "$data/advisories" -name '*.json' -o -name '*.yaml' | wc -l)
read -r t m < <(BEFORE="rm -f $db $db-wal $db-shm" bench "$cpsf" --quiet db import --db "$db" "$data/advisories")
rm -f "$db" "$db-wal" "$db-shm"
"$cpsf" --quiet db import --db "$db" "$data/advisories"
stored=$("$cpsf" db stats --db "$db" --format json | jq .records)
echo "| job | input | cpsf mean wall (s) | cpsf peak RSS (MB) | target |"
echo "|---|---|---:|---:|---|"
echo "| db import, fresh database | all of advisories/ ($records files, $stored records stored, KEV catalog) | $t | $m | < 3 s |"

# 2. Every large lockfile, each under its real file name in a directory of its own.
all="$work/lockfiles"
while read -r rel; do
  b="$(basename "$rel")"; d="$all/$(dirname "$rel")-${b%%.*}"; mkdir -p "$d"; cp "$data/large-lockfiles/$rel" "$d/${b#*.}"
done < <(cd "$data/large-lockfiles" && find . -mindepth 2 -type f | sed 's|^\./||' | sort)
n_lock=$(find "$all" -type f | wc -l)
read -r t m < <(bench "$cpsf" --quiet scan "$all" --db "$db" --format json -o "$work/scan-all.json")
n_comp=$(jq .summary.components "$work/scan-all.json"); n_find=$(jq .summary.findings "$work/scan-all.json")
echo "| scan (inventory + matching) | every file of large-lockfiles/ ($n_lock lockfiles, $n_comp components, $n_find findings) | $t | $m | < 1 s in total |"

# 3. A generated SBOM of 100,000 components.
python3 bench/gen-sbom.py "$db" 100000 > "$work/sbom-100k.cdx.json"
read -r t m < <(bench "$cpsf" --quiet scan "$work/sbom-100k.cdx.json" --db "$db" --format json -o "$work/scan-100k.json")
n_find=$(jq .summary.findings "$work/scan-100k.json")
echo "| scan of an SBOM | generated CycloneDX 1.6, 100,000 components ($n_find findings) | $t | $m | < 2 s |"
echo

# 4. cpsf vs cargo-audit on each large Cargo.lock.
auditdb="$work/advisory-db"
cp -r "$data/advisories/rustsec-advisory-db" "$auditdb"
git -C "$auditdb" init -q && git -C "$auditdb" add -A && git -C "$auditdb" -c user.name=b -c user.email=b@localhost commit -qm snapshot
audit_bin="$(command -v cargo-audit)"
echo "| Cargo.lock | crates | cpsf mean wall (s) | cargo-audit binary mean wall (s) | speed-up | \`cargo audit\` mean wall (s) | speed-up | cpsf peak RSS (MB) | cargo-audit peak RSS (MB) | same findings |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for lock in "$data"/large-lockfiles/cargo/*.Cargo.lock; do
  name="$(basename "$lock" .Cargo.lock)"
  dir="$work/cargo-$name"; mkdir -p "$dir"; cp "$lock" "$dir/Cargo.lock"
  read -r ct cm < <(bench "$cpsf" --quiet scan "$dir/Cargo.lock" --db "$db" --format json -o "$work/cpsf-$name.json")
  read -r at am < <(bench "$audit_bin" audit --no-fetch --stale --no-yanked --db "$auditdb" -f "$dir/Cargo.lock" --json)
  read -r wt _ < <(bench cargo audit --no-fetch --stale --no-yanked --db "$auditdb" -f "$dir/Cargo.lock" --json)
  cargo audit --no-fetch --stale --no-yanked --db "$auditdb" -f "$dir/Cargo.lock" --json > "$work/audit-$name.json" || true
  jq -r '.findings[] | .component.name as $n | .component.version as $v | .advisories[] | "\($n) \($v) \(.id)"' "$work/cpsf-$name.json" | LC_ALL=C sort -u > "$work/cpsf-$name.txt"
  jq -r '(.vulnerabilities.list[], ((.warnings // {}) | .[] | .[])) | "\(.package.name) \(.package.version) \(.advisory.id)"' "$work/audit-$name.json" | LC_ALL=C sort -u > "$work/audit-$name.txt"
  if cmp -s "$work/cpsf-$name.txt" "$work/audit-$name.txt"; then same="yes ($(wc -l < "$work/cpsf-$name.txt"))"; else same="no: see diff"; diff "$work/cpsf-$name.txt" "$work/audit-$name.txt" >&2 || true; fi
  crates=$(grep -c '^\[\[package\]\]' "$lock")
  awk -v n="$name" -v c="$crates" -v a="$ct" -v b="$at" -v w="$wt" -v ma="$cm" -v mb="$am" -v s="$same" 'BEGIN {
    printf "| %s | %d | %.4f | %.4f | %.1f× | %.4f | %.1f× | %.1f | %.1f | %s |\n", n, c, a, b, b / a, w, w / a, ma, mb, s }'
done
