#!/usr/bin/env bash
# Builds the installable artefacts into build/bin:
#   rapport (Linux desktop binary), rapport_<version>_amd64.deb,
#   rapport.exe and Rapport-amd64-installer.exe (Windows, cross-compiled
#   with mingw-w64 and packaged with NSIS).
# macOS cannot be built here; see README "Building on a Mac".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
VERSION=$(bash scripts/version.sh)
# Debian versions must start with a digit.
DEB_VERSION="0.1.0+${VERSION//-/.}"
[[ "$VERSION" =~ ^v[0-9] ]] && DEB_VERSION="${VERSION#v}" && DEB_VERSION="${DEB_VERSION//-/+}"
LDFLAGS="-s -w -X rapport/app.Version=$VERSION"

echo "dist: linux desktop binary ($VERSION)"
# Always relink so the stamped version is this tree's (cached builds are quick).
[ -f frontend/dist/index.html ] || make frontend >/dev/null
CGO_ENABLED=1 go build -tags desktop,production,webkit2_41,sqlite_fts5 -ldflags "$LDFLAGS" -o build/bin/rapport .

echo "dist: .deb"
STAGE=build/deb/rapport
rm -f build/bin/rapport_*.deb
rm -rf build/deb && mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/usr/share/applications"
install -m 0755 build/bin/rapport "$STAGE/usr/bin/rapport"
install -m 0644 build/linux/rapport.desktop "$STAGE/usr/share/applications/rapport.desktop"
for size in 64 128 256 512; do
  mkdir -p "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
  rsvg-convert -w $size -h $size assets/icon.svg -o "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/rapport.png"
done
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: rapport
Version: $DEB_VERSION
Section: utils
Priority: optional
Architecture: amd64
Depends: libgtk-3-0, libwebkit2gtk-4.1-0
Maintainer: Rapport <rapport@example.invalid>
Description: Microsoft 365 client activity for consultants, local-first
 Rapport mirrors read-only the metadata of your Outlook mail and calendar
 and your OneDrive/SharePoint file activity into a local store and shows
 per-client timelines, reply latency and meeting cadence. Offline-first;
 nothing is written back and no data leaves the laptop.
CONTROL
dpkg-deb --root-owner-group --build "$STAGE" "build/bin/rapport_${DEB_VERSION}_amd64.deb" >/dev/null
echo "dist: build/bin/rapport_${DEB_VERSION}_amd64.deb"

echo "dist: windows (mingw-w64 + NSIS)"
# The frontend is already built into frontend/dist; -s skips rebuilding it.
CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc wails build -platform windows/amd64 -tags sqlite_fts5 \
  -nsis -s -skipbindings -ldflags "$LDFLAGS" >/dev/null
ls -1 build/bin
