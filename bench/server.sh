#!/usr/bin/env bash
# Team-server benchmarks on loopback (the figures in BENCHMARKS.md), on SQLite and on PostgreSQL:
#   1. ingesting a generated 10,000-component CycloneDX SBOM (store + match against all of the shared advisories),
#      median of RUNS uploads of the same document to new versions, timed by curl;
#   2. a portfolio of PORTFOLIO SBOMs of 1,000 components each (about a million component rows), uploaded 4 at a
#      time; then portfolio component search by name and version: p50/p95/p99 of SEARCHES queries (keep-alive);
#   3. read-API throughput and latency with wrk (2 threads, 16 connections, 10 s) on the products list and on search.
# Needs: curl, wrk, python3, jq; PostgreSQL via scripts/postgres.sh (installed and started if missing).
# Environment: RUNS (default 5), PORTFOLIO (default 1000), SEARCHES (default 300), BACKENDS ("sqlite postgres").
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
data="${CPSF_TEST_DATA:-$(cd .. && pwd)/shared/data}"
runs="${RUNS:-5}"
portfolio="${PORTFOLIO:-1000}"
searches="${SEARCHES:-300}"
backends="${BACKENDS:-sqlite postgres}"
for tool in curl wrk python3 jq; do command -v "$tool" >/dev/null || { echo "bench/server.sh needs $tool" >&2; exit 2; }; done

cargo build --release --locked -p cpsf >&2
cpsf="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/release/cpsf"
work="$(mktemp -d)"
server_pid=
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# One advisory database for every run, and the 10k SBOM drawn from it (so matching has real work).
"$cpsf" --quiet db import "$data/advisories" --db "$work/advisories.db" >&2
python3 bench/gen-sbom.py "$work/advisories.db" 10000 > "$work/sbom-10k.json"
# Portfolio SBOMs: 1,000 components each, names shared across SBOMs as in a real portfolio (a pool of 20,000
# packages, versions drawn from 50), so a name search hits many releases.
python3 - "$work" "$portfolio" <<'EOF'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for i in range(n):
    comps = []
    for j in rng.sample(range(20000), 1000):
        name = f"lib{j}"; version = f"1.{rng.randrange(50)}.0"
        purl = f"pkg:npm/{name}@{version}"
        comps.append({"type": "library", "name": name, "version": version, "purl": purl, "bom-ref": purl})
    json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps},
              open(f"{work}/p{i}.json", "w"))
EOF

start_server() { # data_dir [--database URL]
  local dir="$1"; shift
  "$cpsf" serve --listen 127.0.0.1:0 --data-dir "$dir" --db "$work/advisories.db" --rematch-interval 3600 "$@" \
    > "$work/serve.out" 2> "$work/serve.err" &
  server_pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  url="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.out")"
  [[ -n "$url" ]] || { cat "$work/serve.err" >&2; exit 1; }
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); $("$cpsf" --version)"
echo
echo "| backend | ingest 10,000 components (median s) | portfolio | upload of the portfolio (s) | search p50 / p95 / p99 (ms) | wrk products list (req/s, p99 ms) | wrk search (req/s, p99 ms) |"
echo "|---|---:|---|---:|---:|---:|---:|"
for backend in $backends; do
  dir="$work/data-$backend"; mkdir -p "$dir"
  extra=()
  if [[ "$backend" == postgres ]]; then
    # shellcheck source=../scripts/postgres.sh
    source scripts/postgres.sh
    url_pg="${CPSF_TEST_POSTGRES_URL:?}"
    db="cpsf_bench_$$"
    psql "$url_pg" -qc "CREATE DATABASE $db" >/dev/null
    extra=(--database "${url_pg%/*}/$db")
  fi
  echo "a long enough password" | "$cpsf" --quiet user add bench --role admin --password-stdin --data-dir "$dir" "${extra[@]}"
  token="$("$cpsf" --quiet token create --user bench --role editor --data-dir "$dir" "${extra[@]}")"
  start_server "$dir" "${extra[@]}"

  times=()
  for i in $(seq "$runs"); do
    t="$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "X-Api-Key: $token" -H 'content-type: application/json' \
      --data-binary @"$work/sbom-10k.json" "$url/api/v1/products/bench/versions/10k-$i/sboms")"
    times+=("$t")
  done
  ingest="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"

  t0=$(date +%s.%N)
  seq 0 $((portfolio - 1)) | xargs -P 4 -I{} curl -s -o /dev/null -X POST -H "X-Api-Key: $token" \
    -H 'content-type: application/json' --data-binary @"$work/p{}.json" "$url/api/v1/products/portfolio-{}/versions/1.0/sboms"
  upload_all=$(echo "$(date +%s.%N) - $t0" | bc)
  rows=$(curl -s -H "X-Api-Key: $token" "$url/api/v1/products" | jq '[.[].versions[].components] | add')

  latencies="$(python3 - "$url" "$token" "$searches" <<'EOF'
import http.client, random, sys, time, urllib.parse
url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port)
rng = random.Random(11)
samples = []
for _ in range(n):
    q = f"/api/v1/components?name=lib{rng.randrange(20000)}&version=1.{rng.randrange(50)}.0"
    t = time.perf_counter()
    conn.request("GET", q, headers={"X-Api-Key": token})
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
    samples.append((time.perf_counter() - t) * 1000)
samples.sort()
pick = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{pick(0.5):.1f} / {pick(0.95):.1f} / {pick(0.99):.1f}")
EOF
)"
  wrk_run() { # path
    wrk -t2 -c16 -d10s --latency -H "X-Api-Key: $token" "$url$1" |
      awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {
        v=p; if (p ~ /ms$/) {sub(/ms$/,"",v)} else if (p ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (p ~ /s$/) {sub(/s$/,"",v); v=v*1000}
        printf "%.0f, %.1f", r, v }'
  }
  wrk_list="$(wrk_run /api/v1/products)"
  wrk_search="$(wrk_run '/api/v1/components?name=lib123&version=1.7.0')"
  echo "| $backend | $ingest | $portfolio SBOMs, $rows component rows | $upload_all | $latencies | $wrk_list | $wrk_search |"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
done
