#!/usr/bin/env bash
# Build the Linux package: PyInstaller bundle -> /opt/hearth, a `hearth` command in /usr/bin,
# desktop entry and icon, the machine-wide policy folder /etc/xdg/Hearth.
#   installers/linux/build-deb.sh [OUTPUT_DIR]      (default: build/)
# Needs the dev environment (.venv with pyinstaller) and dpkg-deb. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/build}" && cd "${1:-$ROOT/build}" && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
VERSION="$("$PY" -c 'import sys; sys.path.insert(0, "'"$ROOT"'"); import app; print(app.__version__)')"
ARCH="$(dpkg --print-architecture)"
WORK="$OUT/deb-work"
rm -rf "$WORK"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$WORK/dist" --workpath "$WORK/pyi" "$ROOT/installers/hearth.spec"

PKG="$WORK/pkg"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
         "$PKG/usr/share/icons/hicolor/scalable/apps" "$PKG/usr/share/doc/hearth" "$PKG/etc/xdg/Hearth"
cp -a "$WORK/dist/hearth" "$PKG/opt/hearth"
ln -s /opt/hearth/hearth "$PKG/usr/bin/hearth"
install -m 0644 "$ROOT/resources/desktop/hearth.desktop" "$PKG/usr/share/applications/hearth.desktop"
install -m 0644 "$ROOT/resources/icons/hearth.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/hearth.svg"
install -m 0644 "$ROOT/installers/policy.example.toml" "$PKG/usr/share/doc/hearth/policy.example.toml"
install -m 0644 "$ROOT/installers/linux/etc-README" "$PKG/etc/xdg/Hearth/README"
SIZE_KB="$(du -sk "$PKG/opt" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: hearth
Version: $VERSION
Architecture: $ARCH
Maintainer: Hearth team <hearth@example.invalid>
Installed-Size: $SIZE_KB
Depends: libc6, libstdc++6, libgomp1, libglib2.0-0, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libegl1, libgl1, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-render-util0, libxcb-xkb1, libxcb-shape0, libxcb-randr0
Recommends: libxcb-cursor0, gnome-keyring | kwalletmanager
Section: utils
Priority: optional
Homepage: https://hearth.invalid
Description: Private, local chat with DeepSeek models
 Hearth runs quantized DeepSeek GGUF models in-process with llama.cpp on this
 computer. Nothing typed leaves the machine; conversations are encrypted at rest.
 Machine-wide policy: /etc/xdg/Hearth/policy.toml (see /usr/share/doc/hearth).
CONTROL
cat > "$PKG/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
POSTINST
chmod 0755 "$PKG/DEBIAN/postinst"
DEB="$OUT/hearth_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
