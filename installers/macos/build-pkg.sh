#!/usr/bin/env bash
# Build the macOS installer: PyInstaller app bundle -> signed, notarised .pkg (pkgbuild + productbuild).
#   installers/macos/build-pkg.sh            unsigned (local testing)
#   DEVELOPER_ID_APP="Developer ID Application: ACME (TEAMID)" \
#   DEVELOPER_ID_INSTALLER="Developer ID Installer: ACME (TEAMID)" \
#   NOTARY_PROFILE=hearth-notary installers/macos/build-pkg.sh     signed and notarised
# NOTARY_PROFILE is a keychain profile made once with:
#   xcrun notarytool store-credentials hearth-notary --apple-id … --team-id … --password <app-specific password>
# Metal: llama-cpp-python is built with -DGGML_METAL=on on Apple Silicon (set METAL=1 to force a rebuild).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [[ "${METAL:-0}" == 1 ]]; then
  CMAKE_ARGS="-DGGML_METAL=on" "$PY" -m pip install --force-reinstall --no-cache-dir llama-cpp-python
fi
VERSION="$("$PY" -c 'import app; print(app.__version__)')"
# The bundle's icon: PNG sizes rendered from the SVG, then Apple's own icns tool.
"$PY" installers/make_icons.py build/icons >/dev/null
iconutil -c icns build/icons/hearth.iconset -o build/icons/hearth.icns
"$PY" -m PyInstaller --noconfirm --distpath build/dist --workpath build/pyi installers/hearth.spec

STAGE="build/macos-root"
rm -rf "$STAGE" && mkdir -p "$STAGE/Applications" "$STAGE/Library/Application Support/Hearth" "$STAGE/usr/local/bin"
cp -R build/dist/Hearth.app "$STAGE/Applications/Hearth.app"
cp installers/policy.example.toml "$STAGE/Library/Application Support/Hearth/policy.example.toml"
ln -s /Applications/Hearth.app/Contents/MacOS/hearth "$STAGE/usr/local/bin/hearth"

if [[ -n "${DEVELOPER_ID_APP:-}" ]]; then
  # Sign every binary inside out, with the hardened runtime (required for notarisation).
  find "$STAGE/Applications/Hearth.app" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -111 \) -print0 |
    xargs -0 codesign --force --options runtime --timestamp --sign "$DEVELOPER_ID_APP"
  codesign --force --options runtime --timestamp --entitlements installers/macos/entitlements.plist \
    --sign "$DEVELOPER_ID_APP" "$STAGE/Applications/Hearth.app"
fi

pkgbuild --root "$STAGE" --identifier org.hearth.app --version "$VERSION" --install-location / \
  --scripts installers/macos/scripts build/Hearth-component.pkg
SIGN_ARGS=()
[[ -n "${DEVELOPER_ID_INSTALLER:-}" ]] && SIGN_ARGS=(--sign "$DEVELOPER_ID_INSTALLER")
productbuild --distribution installers/macos/distribution.xml --package-path build --version "$VERSION" \
  "${SIGN_ARGS[@]}" "build/Hearth-$VERSION.pkg"
if [[ -n "${NOTARY_PROFILE:-}" ]]; then
  xcrun notarytool submit "build/Hearth-$VERSION.pkg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "build/Hearth-$VERSION.pkg"
fi
echo "build/Hearth-$VERSION.pkg"
