#!/usr/bin/env bash
# Runs Rapport's test suites and prints one summary. With an argument, runs
# only that suite: go | reliability | vitest | e2e | desktop | dist | bench.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
declare -A PASS FAIL STATUS
ORDER=()

record() { # suite passed failed exit-code
  ORDER+=("$1"); PASS[$1]=$2; FAIL[$1]=$3
  if [ "$4" -ne 0 ] && [ "$3" -eq 0 ]; then FAIL[$1]=1; fi
  STATUS[$1]=$4
}

suite_go() {
  echo "== go: vet + tests (real SQLite, real MSAL against graphsim, Secret Service under dbus)"
  go vet -tags sqlite_fts5 ./... || { record go 0 1 1; return; }
  # Tests that touch the keychain need a session bus and an unlocked keyring.
  export HOME_FOR_KEYRING=$(mktemp -d)
  dbus-run-session -- bash -c '
    export HOME="$HOME_FOR_KEYRING" XDG_DATA_HOME="$HOME_FOR_KEYRING/.local/share"
    echo -n rapport-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    go test -tags sqlite_fts5 -count=1 -v $(go list ./... | grep -v /backend/reliability) 2>&1' | tee "$LOG/go.txt" | grep -E '^(ok|FAIL|---|panic|\s+--- FAIL)|_test.go:[0-9]+' 
  local rc=${PIPESTATUS[0]}
  record go "$(grep -cE '^\s*--- PASS' "$LOG/go.txt")" "$(grep -cE '^\s*--- FAIL' "$LOG/go.txt")" "$rc"
}

suite_reliability() {
  # Issue 8 (docs/RELIABILITY.md): the short versions — 20 kills -9 of a
  # sync, kills during migrations and re-links, sync passes under 10% random
  # Graph faults, hostile input into the store and the CLI, no token in any
  # file or output, one writer per data directory — then every fuzz target
  # for a few seconds (the seeds already ran in the go suite). The suites
  # start their own Secret Service (keyringtest). Full runs: make crash,
  # faults, fuzz, hostile, secrets.
  echo "== reliability: crash, faults, hostile input, secrets, single writer (short) + fuzz ${FUZZ_CI_TIME:-10s} per target"
  RAPPORT_RELIABILITY=ci go test -tags sqlite_fts5 -count=1 -p 1 -v -timeout 20m ./backend/reliability/ 2>&1 | tee "$LOG/reliability.txt" | grep -E '^(ok|FAIL|--- |panic)|FIGURE|_test.go:[0-9]+'
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then # the filter above hides a failing step's own output: show it
    echo "-- reliability: the output before the first failure"
    grep -B60 -m1 -- '^--- FAIL' "$LOG/reliability.txt" | sed 's/^/   /'
  fi
  bash scripts/fuzz.sh "${FUZZ_CI_TIME:-10s}" 2>&1 | tee "$LOG/fuzz.txt" | grep -E '^(ok|not ok|#) |^    '
  local frc=${PIPESTATUS[0]}
  [ "$frc" -ne 0 ] && rc=$frc
  record reliability "$(( $(grep -cE '^--- PASS' "$LOG/reliability.txt") + $(grep -c '^ok - ' "$LOG/fuzz.txt") ))" \
    "$(( $(grep -cE '^--- FAIL' "$LOG/reliability.txt") + $(grep -c '^not ok - ' "$LOG/fuzz.txt") ))" "$rc"
}

suite_vitest() {
  echo "== vitest: frontend units and components"
  (cd frontend && NO_COLOR=1 FORCE_COLOR=0 npx vitest run 2>&1) | sed -E 's/\x1b\[[0-9;]*m//g' | tee "$LOG/vitest.txt" | tail -n 15
  local rc=${PIPESTATUS[0]}
  local line; line=$(grep -E '^\s*Tests\s' "$LOG/vitest.txt" | tail -1)
  local p f
  p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line"); f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  record vitest "${p:-0}" "${f:-0}" "$rc"
}

suite_e2e() {
  echo "== e2e: Playwright (Debian Chromium) against rapport serve --demo"
  (cd frontend && RAPPORT_BIN="$PWD/../build/bin/rapport" node --test e2e/ 2>&1) | tee "$LOG/e2e.txt" | grep -E '^(# |not ok|ok )'
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    # Each failed test's diagnostics (its TAP YAML block: the error, where,
    # how long), which would otherwise go with the log directory at exit.
    awk '/^not ok /{p=1} p{print} p && /^  \.\.\.$/{p=0}' "$LOG/e2e.txt"
  fi
  record e2e "$(sed -nE 's/^# pass ([0-9]+)/\1/p' "$LOG/e2e.txt" | tail -1)" "$(sed -nE 's/^# fail ([0-9]+)/\1/p' "$LOG/e2e.txt" | tail -1)" "$rc"
}

suite_desktop() {
  echo "== desktop: the real Wails window under Xvfb"
  bash scripts/desktop-smoke.sh 2>&1 | tee "$LOG/desktop.txt"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ]; then record desktop 1 0 0; else record desktop 0 1 "$rc"; fi
}

suite_dist() {
  echo "== dist: .deb install and Windows artefacts"
  { bash scripts/dist.sh && bash scripts/dist-check.sh; } 2>&1 | tee "$LOG/dist.txt" | grep -vE '^\s*$'
  local rc=${PIPESTATUS[0]}
  record dist "$(grep -c '^ok - ' "$LOG/dist.txt")" "$(grep -c '^not ok - ' "$LOG/dist.txt")" "$rc"
}

suite_bench() {
  echo "== bench: rapport bench --scenario small --json (a smoke test: it completes and reports every figure; times are not judged)"
  local out="$LOG/bench.json"
  ./build/bin/rapport bench --scenario small --json >"$out" 2>"$LOG/bench.err"
  local rc=$?
  grep -v '^bench: ' "$LOG/bench.err" | sed 's/^/  /'
  if [ "$rc" -eq 0 ] && jq -e '
      ["sync_wall_s","sync_lower_bound_s","sync_ratio","requests","requests_min","ingest_items_per_s","sqlite_raw_rows_per_s",
       "ingest_vs_raw","incremental_requests_per_stream","incremental_cpu_ms_per_stream","change_to_event_ms","timeline_p50_ms",
       "timeline_p99_ms","insights_ms","search_ms","heap_peak_mb","rss_peak_mb"] as $k
      | (keys | sort) == ($k | sort) and all(.[]; type == "number" and (isinfinite | not) and (isnan | not))
    ' "$out" >/dev/null; then
    jq -c . "$out"
    record bench 1 0 0
  else
    echo "bench: failed (exit $rc) or a figure is missing:"; cat "$out"
    record bench 0 1 1
  fi
}

if [ $# -gt 0 ]; then suites=("$@"); else suites=(go reliability vitest e2e desktop dist bench); fi
for s in "${suites[@]}"; do "suite_$s"; done

echo
echo "== summary"
total_p=0; total_f=0; rc=0
for s in "${ORDER[@]}"; do
  p=${PASS[$s]:-0}; f=${FAIL[$s]:-0}
  printf '  %-8s %4d passed, %d failed\n' "$s" "$p" "$f"
  total_p=$((total_p + p)); total_f=$((total_f + f))
  [ "${STATUS[$s]}" -ne 0 ] && rc=1
done
echo "total: $total_p passed, $total_f failed"
exit $rc
