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
        exit 0
      fi
    fi
    sleep 0.5
  done
  echo "desktop-smoke: the window never showed the demo (last probe: ${colours:-none} colours)"
  cat "$DATA/out.log"
  exit 1
'
