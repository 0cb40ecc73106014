#!/usr/bin/env bash
# Side-by-side benchmark: cpsf vs cdxgen on every file in $CPSF_TEST_DATA/large-lockfiles.
# For each lockfile: wall time and peak RSS of each tool (median of N runs for cpsf, one run for cdxgen, which
# takes seconds), component counts, and the ratios; then the whole folder turned into one SBOM by cpsf.
# Prints a Markdown table (the one in BENCHMARKS.md). Needs: cdxgen (npm i -g @cyclonedx/cdxgen), GNU time, jq.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${CPSF_TEST_DATA:-$(cd .. && pwd)/shared/data}/large-lockfiles"
runs="${RUNS:-5}"
cargo build --release --locked -q -p cpsf
cpsf="$PWD/target/release/cpsf"
command -v cdxgen >/dev/null || { echo "cdxgen not installed: npm install -g @cyclonedx/cdxgen" >&2; exit 2; }

# cdxgen silently finds nothing under a directory named `bench`, and wants a manifest beside the lockfile:
# work in a neutral temporary directory with a minimal manifest per ecosystem.
work="$(mktemp -d /tmp/cpsf-lockfiles.XXXXXX)"
trap 'rm -rf "$work"' EXIT

measure() { # prints "seconds max_rss_kb"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; return 1; }
  cat "$work/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(cdxgen --version 2>/dev/null | head -1 | tr -d '\n') vs cpsf $($cpsf --version | cut -d' ' -f2)"
echo
echo "| lockfile | cpsf components | cdxgen components | cpsf wall (s) | cdxgen wall (s) | speed-up | cpsf peak RSS (MB) | cdxgen peak RSS (MB) | memory ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
while read -r rel; do
  eco="${rel%%/*}"
  file="${rel#*/}"
  lockname="${file#*.}"
  dir="$work/$eco-${file%%.*}"
  mkdir -p "$dir"
  cp "$data/$rel" "$dir/$lockname"
  case "$eco" in
    # cdxgen counts only what package.json leads to: give it the project's own root entry from the lockfile.
    npm) jq '.packages[""] // {"name":"bench-project","version":"0.0.0"} | {name: (.name // "bench-project"), version: (.version // "0.0.0"), dependencies, devDependencies, optionalDependencies, peerDependencies} | with_entries(select(.value != null))' "$dir/$lockname" > "$dir/package.json" ;;
    yarn|pnpm) echo '{"name":"bench-project","version":"0.0.0"}' > "$dir/package.json" ;;
    uv|poetry) printf '[project]\nname = "bench-project"\nversion = "0.0.0"\n' > "$dir/pyproject.toml" ;;
    cargo) printf '[package]\nname = "bench-project"\nversion = "0.0.0"\n' > "$dir/Cargo.toml" ;;
  esac
  times=(); rss=()
  for _ in $(seq "$runs"); do
    read -r t m < <(measure "$cpsf" --quiet sbom generate "$dir" -o "$work/cpsf.json")
    times+=("$t"); rss+=("$m")
  done
  cpsf_t=$(printf '%s\n' "${times[@]}" | median)
  cpsf_m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  read -r cdx_t cdx_m < <(cd "$dir" && FETCH_LICENSE=false measure cdxgen --no-install-deps --spec-version 1.6 -o "$work/cdxgen.json" "$dir")
  cpsf_n=$(jq '.components | length' "$work/cpsf.json")
  cdx_n=$(jq '.components | length' "$work/cdxgen.json")
  jq -r '.components[].purl' "$work/cpsf.json" | sed 's/?.*//' | sort -u > "$dir/cpsf.purls"
  jq -r '.components[].purl // empty' "$work/cdxgen.json" | sed 's/?.*//' | sort -u > "$dir/cdxgen.purls"
  awk -v a="$cpsf_t" -v b="$cdx_t" -v ma="$cpsf_m" -v mb="$cdx_m" -v r="$rel" -v na="$cpsf_n" -v nb="$cdx_n" 'BEGIN {
    sa = (a < 0.01 ? 0.01 : a);
    printf "| %s | %d | %d | %.2f | %.2f | %.0f× | %.1f | %.1f | 1/%.0f |\n", r, na, nb, a, b, b / sa, ma / 1024, mb / 1024, mb / ma }'
  if [[ -n "${DIFF_DIR:-}" ]]; then
    mkdir -p "$DIFF_DIR"
    comm -23 "$dir/cpsf.purls" "$dir/cdxgen.purls" > "$DIFF_DIR/${eco}-${file%%.*}.only-cpsf"
    comm -13 "$dir/cpsf.purls" "$dir/cdxgen.purls" > "$DIFF_DIR/${eco}-${file%%.*}.only-cdxgen"
  fi
done < <(cd "$data" && find . -mindepth 2 -type f ! -name '*.md' ! -name '*.tsv' | sed 's|^\./||' | sort)

# The whole folder into one SBOM.
whole="$work/whole"
mkdir -p "$whole"
cp -r "$data"/. "$whole/"
for f in "$whole"/*/*.*; do  # give every lockfile its real name, one directory each
  b="$(basename "$f")"; d="$whole/all/$(dirname "${f#$whole/}")-${b%%.*}"; mkdir -p "$d"; mv "$f" "$d/${b#*.}"
done
times=()
for _ in $(seq "$runs"); do
  read -r t m < <(measure "$cpsf" --quiet sbom generate "$whole/all" -o "$work/whole.json")
  times+=("$t")
done
echo
echo "whole folder ($(find "$whole/all" -type f | wc -l) lockfiles, $(jq '.components | length' "$work/whole.json") components, one CycloneDX 1.6 SBOM): median $(printf '%s\n' "${times[@]}" | median) s over $runs runs, peak RSS $((m / 1024)) MB"
