#!/usr/bin/env bash
# The whole test suite: formatting, lints, dependency policy, unit/integration/conformance tests, and short fuzz runs.
# Installs what the tests need (cargo-deny, cargo-fuzz, ntia-conformance-checker, cdxgen, PostgreSQL, Chromium and
# playwright-core for the web UI test) when it is missing.
# Tests read the shared data through CPSF_TEST_DATA (default: ../shared/data beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
export CPSF_TEST_DATA="${CPSF_TEST_DATA:-$(cd .. && pwd)/shared/data}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# No incremental caches: a full run gains nothing from them and they take a gigabyte of disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Each step names the disk space left, so a run that fills the disk says so.
step() { printf '\n==> %s (%s free)\n' "$*" "$(df -h --output=avail . | tail -1 | tr -d ' ')"; }

step "tools"
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny
if [[ "${CPSF_SKIP_FUZZ:-}" != 1 ]]; then command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz; fi
command -v sbomcheck >/dev/null || python3 -m pip install --quiet ntia-conformance-checker
command -v cdx-validate >/dev/null || npm install -g --silent @cyclonedx/cdxgen >/dev/null
# The web UI test drives Debian's Chromium with playwright-core (no browser download).
if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" && "$(id -u)" -eq 0 ]]; then
  (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null) ||
    echo "could not install chromium: the web UI test will say SKIPPED" >&2
fi
# PDF reports: a Japanese font to embed, and poppler's pdftotext/pdftoppm to check the PDF's text and render a page.
if [[ "$(id -u)" -eq 0 ]] && { ! command -v pdftotext >/dev/null || ! fc-list :lang=ja 2>/dev/null | grep -q .; }; then
  (apt-get update -qq >/dev/null && apt-get install -y -qq fonts-ipafont-gothic poppler-utils >/dev/null) ||
    echo "could not install fonts-ipafont-gothic/poppler-utils: the PDF tests will say SKIPPED" >&2
fi
# Capture tests compare what `cpsf pcap discover` reads with tshark; ieee-data gives the MAC vendor registry.
if [[ "$(id -u)" -eq 0 ]] && { ! command -v tshark >/dev/null || [[ ! -f /usr/share/ieee-data/oui.csv ]]; }; then
  (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark ieee-data >/dev/null) ||
    echo "could not install tshark/ieee-data: the capture comparisons will say SKIPPED" >&2
fi
(cd crates/cpsf-server/e2e && npm ci --no-audit --no-fund --silent >/dev/null) ||
  echo "could not install playwright-core: the web UI test will say SKIPPED" >&2

step "format"
cargo fmt --all --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "dependency policy"
# CI reaches crates.io but not the advisory database's git host: cargo-deny reads RustSec's database from the
# shared test data instead (a snapshot, committed into a local git repository where cargo-deny looks for it).
advisory_db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-3157b0e258782691"
if [[ ! -d "$advisory_db/.git" && -d "$CPSF_TEST_DATA/advisories/rustsec-advisory-db" ]]; then
  mkdir -p "$advisory_db"
  cp -r "$CPSF_TEST_DATA/advisories/rustsec-advisory-db/." "$advisory_db/"
  git -C "$advisory_db" init -q
  git -C "$advisory_db" add -A
  git -C "$advisory_db" -c user.name=cpsf -c user.email=cpsf@localhost commit -q -m "RustSec advisory-db snapshot from the shared test data"
fi
cargo fetch --locked
cargo deny --offline --locked check

step "PostgreSQL for the store tests"
# Installs PostgreSQL when missing, starts a throwaway cluster on 127.0.0.1, exports CPSF_TEST_POSTGRES_URL and
# stops it when this script exits.
source scripts/postgres.sh

step "tests"
cargo test --workspace --locked --no-fail-fast 2>&1 | tee target/test-output.txt
# Restate the totals as one line for CI.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "\n%d passed, %d failed, %d skipped\n", p, f, i }' target/test-output.txt

if [[ "${CPSF_SKIP_FUZZ:-}" != 1 ]]; then
  step "fuzz (short runs)"
  bash fuzz/run.sh "${CPSF_FUZZ_SECONDS:-5}"
fi
