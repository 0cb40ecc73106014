#!/usr/bin/env bash
# Short fuzz runs of every target in targets.txt ($1 seconds each, default 5), each seeded with its format's test
# fixtures. Prints one line per target and a final line; exits non-zero when a target crashes (the crashing input
# is kept under fuzz/artifacts/<target>/ and its path and the target's last log lines are printed). Once fixed,
# copy the input to fuzz/regressions/<target>/ under a name saying what it broke.
# Environment: CPSF_TEST_DATA (shared data; seeds sbom_read and purl_parse with a sample of it, and pcap_discover
# with the ICS captures, when set),
# CPSF_FUZZ_TARGETS (space-separated subset of targets to run), CPSF_FUZZ_KEEP=1 (keep the target binaries
# after their runs), CPSF_FUZZ_SAMPLE (shared-data files per source
# for sbom_read, default 40), CPSF_FUZZ_SEEDS_ONLY (a directory: write each target's seeds there and stop, to
# look at them, or to start a long run of one target from them: `cargo fuzz run --sanitizer none --release
# <target> $CPSF_FUZZ_SEEDS_ONLY/<target>`; nothing is built).
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them here.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-5}"
sample="${CPSF_FUZZ_SAMPLE:-40}"
export RUSTC_BOOTSTRAP=1
# A target dir of its own (the instrumented build shares nothing with the workspace's), whatever the caller set.
export CARGO_TARGET_DIR="$PWD/target"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$CARGO_TARGET_DIR/$triple/release"
inventory_data=../crates/cpsf-inventory/tests/data
sbom_data=../crates/cpsf-sbom/tests/data
vex_data=../crates/cpsf-vuln/tests/data/vex
separator='--8<-- ' # keep in step with SEPARATOR in src/lib.rs
max_seed_bytes=262144

mapfile -t lines < <(grep -v '^[[:space:]]*\(#\|$\)' targets.txt)
targets=()
for line in "${lines[@]}"; do read -r name _ <<<"$line"; targets+=("$name"); done

# Every target of targets.txt is a [[bin]] of Cargo.toml and the other way round.
declared="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -vx 'cpsf-fuzz' | sort)"
listed="$(printf '%s\n' "${targets[@]}" | sort)"
if [[ "$declared" != "$listed" ]]; then
  echo "fuzz: targets.txt and the [[bin]] entries of fuzz/Cargo.toml differ:" >&2
  diff <(echo "$listed") <(echo "$declared") >&2 || true
  exit 2
fi

# Append one file to a seed: a separator line naming it relative to the lockfile's directory, then its bytes.
append_file() { # seed lockfile_dir file
  printf '\n%s%s\n' "$separator" "$(realpath --relative-to="$2" "$3")" >>"$1"
  cat "$3" >>"$1"
}

# Seeds of a lockfile target: each matching fixture alone, and followed by the other files of its scenario.
lockfile_seeds() { # corpus dir patterns...
  local corpus="$1" dir="$inventory_data/$2" n=0 file rel parent base pattern match scenario other
  shift 2
  [[ -d "$dir" ]] || return 0
  while IFS= read -r -d '' file; do
    rel="${file#"$dir"/}"
    base="${rel##*/}"
    parent="${rel%/*}"
    parent="${parent##*/}/$base"
    match=
    for pattern in "$@"; do
      # shellcheck disable=SC2053 # the patterns are globs
      if [[ "$base" == $pattern || "$parent" == $pattern ]]; then match=1; fi
    done
    [[ -n "$match" ]] || continue
    n=$((n + 1))
    cp "$file" "$corpus/seed-$n"
    [[ "$rel" == */* ]] || continue # a file directly in the format's directory has no scenario around it
    scenario="$dir/${rel%%/*}"
    local with="$corpus/seed-$n-tree" others=0
    cp "$file" "$with"
    while IFS= read -r -d '' other; do
      [[ "$other" == "$file" || "${other##*/}" == expected.txt ]] && continue
      append_file "$with" "$(dirname "$file")" "$other"
      others=$((others + 1))
    done < <(find "$scenario" -type f -size -200k -print0 | sort -z)
    if ((others == 0)) || (($(stat -c %s "$with") > max_seed_bytes)); then rm -f "$with"; fi
  done < <(find "$dir" -type f -size -200k -print0 | sort -z)
}

# Every k-th of the files listed on stdin (sorted), at most $3 of them, into the corpus.
sample_into() { # corpus prefix limit < list
  local corpus="$1" prefix="$2" limit="$3" files=() i step
  mapfile -t files < <(sort)
  ((${#files[@]} > 0)) || return 0
  step=$(((${#files[@]} + limit - 1) / limit))
  for ((i = 0; i < ${#files[@]}; i += step)); do cp "${files[$i]}" "$corpus/$prefix-$i"; done
}

sbom_seeds() { # corpus
  local corpus="$1"
  if [[ -d "$sbom_data" ]]; then
    find "$sbom_data" -type f -size -200k ! -name expected.txt | sample_into "$corpus" fixture 1000
  fi
  [[ -n "${CPSF_TEST_DATA:-}" ]] || return 0
  local cdx="$CPSF_TEST_DATA/cyclonedx-spec/test-resources" spdx="$CPSF_TEST_DATA/spdx"
  if [[ -d "$cdx" ]]; then
    find "$cdx" -type f -size -200k \( -name '*.json' -o -name '*.xml' \) | sample_into "$corpus" cyclonedx "$sample"
  fi
  if [[ -d "$spdx" ]]; then
    find "$spdx" -type f -size -200k \( -name '*.json' -o -name '*.spdx' -o -name '*.yaml' -o -name '*.xml' \) \
      ! -path '*/schema/*' ! -path '*/license-list/*' | sample_into "$corpus" spdx "$sample"
  fi
}

vex_seeds() { # corpus
  local corpus="$1"
  [[ -d "$vex_data" ]] || return 0
  find "$vex_data" -type f -size -200k | sample_into "$corpus" fixture 1000
}

purl_seeds() { # corpus
  local corpus="$1" n=0 purl
  printf 'pkg:npm/%%40babel/core@7.0.0' >"$corpus/builtin-1"
  printf 'pkg:maven/org.apache.commons/commons-lang3@3.14.0?type=jar&classifier=sources#sub/dir' >"$corpus/builtin-2"
  [[ -n "${CPSF_TEST_DATA:-}" && -d "$CPSF_TEST_DATA/purl-spec" ]] || return 0
  while IFS= read -r purl; do
    n=$((n + 1))
    printf '%s' "$purl" >"$corpus/spec-$n"
  done < <(grep -rhoE '"pkg:[^"\\]*"' "$CPSF_TEST_DATA/purl-spec" | tr -d '"' | sort -u)
}

# Seeds of version_compare: a byte choosing the scheme (its index in cpsf_version::ALL_SCHEMES), then two versions
# separated by a newline: built-in pairs, plus the first lines of the OSV version-ordering vectors.
version_seeds() { # corpus
  local corpus="$1" n=0 entry index file a op b
  printf '\x00%s\n%s' 1.2.3-rc.1 1.2.3 >"$corpus/builtin-1"
  printf '\x03%s\n%s' 1.0.0.Final 1.0-SNAPSHOT >"$corpus/builtin-2"
  [[ -n "${CPSF_TEST_DATA:-}" && -d "$CPSF_TEST_DATA/osv-version-ordering" ]] || return 0
  for entry in semver:0 pypi:2 maven:3 nuget:4 rubygems:5 packagist:6 pub:7 debian:9 alpine:10 redhat:11; do
    index="${entry#*:}"
    file="$CPSF_TEST_DATA/osv-version-ordering/${entry%%:*}-versions.txt"
    [[ -f "$file" ]] || continue
    while read -r a op b; do
      [[ "$op" == "<" || "$op" == ">" || "$op" == "=" ]] || continue
      n=$((n + 1))
      # shellcheck disable=SC2059 # the format carries the scheme byte
      printf "\\x$(printf %02x "$index")%s\n%s" "$a" "$b" >"$corpus/osv-$n"
    done < <(head -n 60 "$file")
  done
}

# Seeds of pcap_discover: the shared ICS captures (pcap and pcapng), each under its protocol folder's name.
pcap_seeds() { # corpus
  local corpus="$1" file
  [[ -n "${CPSF_TEST_DATA:-}" && -d "$CPSF_TEST_DATA/ics-pcap" ]] || return 0
  while IFS= read -r -d '' file; do
    cp "$file" "$corpus/$(basename "$(dirname "$file")")-$(basename "$file")"
  done < <(find "$CPSF_TEST_DATA/ics-pcap" -type f -name '*.pcap*' -size -2048k -print0 | sort -z)
}

if [[ -n "${CPSF_FUZZ_SEEDS_ONLY:-}" ]]; then
  work="$CPSF_FUZZ_SEEDS_ONLY"
  mkdir -p "$work"
else
  if ! cargo fetch --locked --quiet; then
    echo "fuzz: fuzz/Cargo.lock is missing or out of date (a crate's dependencies changed);" \
      "run \`cargo update --workspace\` in fuzz/ and commit fuzz/Cargo.lock" >&2
    exit 2
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

failed=()
ran=0
for line in "${lines[@]}"; do
  read -r target seeds patterns <<<"$line"
  if [[ -n "${CPSF_FUZZ_TARGETS:-}" && " $CPSF_FUZZ_TARGETS " != *" $target "* ]]; then continue; fi
  corpus="$work/$target"
  artifacts="$PWD/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  case "$seeds" in
    sbom) sbom_seeds "$corpus" ;;
    vex) vex_seeds "$corpus" ;;
    -) purl_seeds "$corpus" ;;
    versions) version_seeds "$corpus" ;;
    pcap) pcap_seeds "$corpus" ;;
    *) read -ra globs <<<"$patterns"; lockfile_seeds "$corpus" "$seeds" "${globs[@]}" ;;
  esac
  # Inputs that once failed (fuzz/regressions/<target>/) are always run first, so a fixed bug stays fixed.
  if [[ -d "regressions/$target" ]]; then
    for input in "regressions/$target"/*; do cp "$input" "$corpus/regression-${input##*/}"; done
  fi
  seed_count=$(find "$corpus" -type f | wc -l)
  if [[ -n "${CPSF_FUZZ_SEEDS_ONLY:-}" ]]; then echo "fuzz: $target $seed_count seeds in $corpus"; continue; fi
  [[ "$seed_count" -gt 0 ]] || printf 'x' >"$corpus/empty" # libFuzzer wants at least one input
  # Each target is built just before its run and its binary removed after it (CPSF_FUZZ_KEEP=1 keeps them):
  # every binary carries its own copy of the instrumented code and debug info (about 70 MB), and 32 of them at
  # once filled CI's disk. The dependencies are built once, by the first target.
  start=$SECONDS
  if ! CARGO_NET_OFFLINE=true cargo fuzz build --sanitizer none --release "$target"; then
    failed+=("$target")
    echo "fuzz: $target FAILED to build"
    continue
  fi
  ((SECONDS - start < 10)) || echo "fuzz: built $target in $((SECONDS - start))s"
  log="$work/$target.log"
  status=0
  # -timeout: one input running this long is a finding (a hang); `timeout` guards the whole run.
  # -seed: a fixed seed makes the test suite's short runs repeat the same mutations (CPSF_FUZZ_SEED=0: random).
  timeout --signal=KILL $((secs + 120)) "$bin_dir/$target" "$corpus" -max_total_time="$secs" -timeout=25 \
    -seed="${CPSF_FUZZ_SEED:-1}" \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  ran=$((ran + 1))
  if [[ "${CPSF_FUZZ_KEEP:-}" != 1 ]]; then
    # The binary is linked twice: release/<target> and release/deps/<target>-<hash>.
    rm -f "$bin_dir/$target"
    find "$bin_dir/deps" -maxdepth 1 -type f -name "${target}-*" ! -name '*.d' -delete
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  took="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  if ((status == 0)); then
    echo "fuzz: $target ${runs:-?} runs in ${took:-$secs}s, no crash ($seed_count seeds)"
    continue
  fi
  input="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
  failed+=("$target")
  echo "fuzz: $target FAILED (exit $status) after ${runs:-?} runs; input: ${input:-none written (killed?)}"
  grep -A4 -m1 'panicked at' "$log" | sed 's/^/    /' || true
  echo "    our frames of the backtrace:"
  grep -B1 -E '^ +at .*(/crates/cpsf-|\./src/lib\.rs)' "$log" | grep -v '^--$' | head -n 16 | sed 's/^/    /' || true
  echo "    last lines of the log:"
  tail -n 30 "$log" | sed 's/^/    /'
  echo "    reproduce: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none --release $target ${input:-})"
done

if [[ -n "${CPSF_FUZZ_SEEDS_ONLY:-}" ]]; then
  echo "fuzz: seeds written under $CPSF_FUZZ_SEEDS_ONLY, nothing built or run"
  exit 0
fi
if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} of $ran targets failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: all $ran targets ran ${secs}s each without a crash"
