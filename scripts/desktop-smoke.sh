#!/usr/bin/env bash
# Desktop smoke test: start the real Wails binary on the demo tenant under
# Xvfb inside a private D-Bus session, wait until the window shows the demo
# (not a blank page), save a screenshot, stop the app by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RAPPORT_BIN:-$PWD/build/bin/rapport}
OUT=${SCREENSHOT:-$PWD/assets/screenshots/desktop-demo.png}
mkdir -p "$(dirname "$OUT")"
[ -x "$BIN" ] || { echo "desktop-smoke: $BIN is missing; run make build" >&2; exit 1; }
export BIN OUT
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  DATA=$(mktemp -d)
  "$BIN" --demo --data-dir "$DATA" >"$DATA/out.log" 2>&1 &
  PID=$!
  trap "kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf $DATA" EXIT
  # Wait (bounded) for what a user would see: a Rapport window whose
  # content is no longer a blank page. Each probe is a real screenshot.
  for i in $(seq 1 120); do
    if ! kill -0 $PID 2>/dev/null; then echo "desktop-smoke: the app exited early:"; cat "$DATA/out.log"; exit 1; fi
    if xdotool search --name "^Rapport$" >/dev/null 2>&1; then
      import -window root "$OUT.tmp.png" 2>/dev/null || true
      # Distinct colours in the window: a blank page has a handful, the
      # rendered client list and timeline (text, badges) hundreds.
      colours=$(convert "$OUT.tmp.png" -format "%k" info: 2>/dev/null || echo 0)
      if [ "${colours:-0}" -gt 200 ]; then
        mv "$OUT.tmp.png" "$OUT"
        echo "desktop-smoke: window rendered ($colours colours); screenshot $OUT"
        # A second launch on the same data directory must hand over to the
        # first window and exit, never open a second writer.
        before=$(xdotool search --name "^Rapport$" 2>/dev/null | wc -l)
        "$BIN" --demo --data-dir "$DATA" >"$DATA/second.log" 2>&1 &
        SECOND=$!
        for j in $(seq 1 60); do kill -0 $SECOND 2>/dev/null || break; sleep 0.5; done
        if kill -0 $SECOND 2>/dev/null; then
          kill $SECOND; echo "desktop-smoke: a second instance kept running"; cat "$DATA/second.log"; exit 1
        fi
        after=$(xdotool search --name "^Rapport$" 2>/dev/null | wc -l)
        kill -0 $PID 2>/dev/null || { echo "desktop-smoke: the first window died when a second launch happened"; exit 1; }
        [ "$after" -eq "$before" ] || { echo "desktop-smoke: a second launch opened another window ($before -> $after)"; exit 1; }
        echo "desktop-smoke: second launch handed over to the first window and exited"
        exit 0
      fi
    fi
    sleep 0.5
  done
  echo "desktop-smoke: the window never showed the demo (last probe: ${colours:-none} colours)"
  cat "$DATA/out.log"
  exit 1
'
