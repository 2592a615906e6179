#!/usr/bin/env bash
# Installs the system packages Rapport builds and tests with (Debian/Ubuntu).
# Uses sudo when not root; does nothing when everything is present.
set -euo pipefail
PKGS=(libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config xvfb xauth imagemagick x11-apps xdotool
      dbus dbus-x11 gnome-keyring libsecret-tools fonts-noto-color-emoji chromium
      gcc-mingw-w64-x86-64 nsis librsvg2-bin file jq)
if ! command -v dpkg-query >/dev/null; then
  echo "system-deps: not a Debian/Ubuntu system; install the equivalents of: ${PKGS[*]} (see README)" >&2
  exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
