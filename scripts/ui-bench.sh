#!/usr/bin/env bash
# UI figures for docs/PERFORMANCE.md (issue 7): `make bench-ui`. A benchmark:
# it prints figures and never judges a time.
#   1. Chromium: cold start of `rapport serve --demo` to the first painted
#      client row, and frame times while a 100,000-item timeline scrolls
#      (frontend/perf/ui-bench.mjs).
#   2. The desktop window under Xvfb: from launching `rapport --demo` to a
#      screenshot showing the client list (the desktop smoke test's check:
#      over 200 colours), probing every 50 ms; RUNS runs (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RAPPORT_BIN:-$PWD/build/bin/rapport}
[ -x "$BIN" ] || { echo "ui-bench: $BIN is missing; run make build" >&2; exit 1; }
(cd frontend && RAPPORT_BIN="$BIN" node perf/ui-bench.mjs)
export BIN RUNS=${RUNS:-3}
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  echo "desktop cold start (rapport --demo under Xvfb → a screenshot with the client list)"
  for run in $(seq 1 $RUNS); do
    DATA=$(mktemp -d)
    t0=$(date +%s%N)
    "$BIN" --demo --data-dir "$DATA" >"$DATA/out.log" 2>&1 &
    PID=$!
    ms=""
    for i in $(seq 1 1200); do
      if xdotool search --name "^Rapport$" >/dev/null 2>&1; then
        import -window root "$DATA/shot.png" 2>/dev/null || true
        colours=$(convert "$DATA/shot.png" -format "%k" info: 2>/dev/null || echo 0)
        if [ "${colours:-0}" -gt 200 ]; then ms=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
      fi
      sleep 0.05
    done
    kill $PID 2>/dev/null; wait $PID 2>/dev/null || true
    rm -rf "$DATA"
    echo "  run $run: ${ms:-never} ms"
  done
'
