#!/usr/bin/env bash
# Checks the artefacts of `make dist` the way a user would meet them: the
# .deb installs and its rapport reports the git version; the Windows files
# are a GUI PE32+ program and a Nullsoft installer. Prints TAP-like lines and
# a closing "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
check() { # description, command...
  local d=$1; shift
  if "$@" >/tmp/dist-check.out 2>&1; then pass=$((pass+1)); echo "ok - $d"
  else fail=$((fail+1)); echo "not ok - $d"; sed 's/^/    /' /tmp/dist-check.out; fi
}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
VERSION=$(bash scripts/version.sh)
DEB=$(ls -1 build/bin/rapport_*_amd64.deb 2>/dev/null | head -1)

check "the .deb exists" test -n "$DEB"
check "the .deb installs" $SUDO dpkg -i "$DEB"
check "installed rapport --version is the git version ($VERSION)" bash -c "[ \"\$(/usr/bin/rapport --version)\" = \"rapport $VERSION\" ]"
check "the .desktop file and icon are installed" test -f /usr/share/applications/rapport.desktop -a -f /usr/share/icons/hicolor/256x256/apps/rapport.png
check "the .deb removes cleanly" bash -c "$SUDO dpkg -r rapport && ! test -e /usr/bin/rapport"
check "rapport.exe is a 64-bit Windows GUI program" bash -c "file build/bin/rapport.exe | grep -q 'PE32+ executable (GUI) x86-64'"
check "the NSIS installer is produced" bash -c "file build/bin/Rapport-amd64-installer.exe | grep -q 'Nullsoft Installer'"
check "the build's own --version is the git version" bash -c "[ \"\$(build/bin/rapport --version)\" = \"rapport $VERSION\" ]"
echo "dist: $pass passed, $fail failed"
[ $fail -eq 0 ]
