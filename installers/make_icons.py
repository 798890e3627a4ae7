"""Render the app icon (``resources/icons/hearth.svg``) into the formats installers need.

``python installers/make_icons.py OUT_DIR`` writes ``hearth.ico`` (Windows: the executable and the
Start-menu entry; 256 px, which Windows scales down), ``hearth.iconset/`` (macOS: the PNG sizes
Apple's ``iconutil -c icns`` turns into the bundle's ``hearth.icns``; ``build-pkg.sh`` does that on
the Mac, as Qt's own icns output is read back with a warning by Qt itself) and ``hearth-256.png``.
Qt renders the SVG and writes the images, so every build makes them from the one SVG instead of
keeping binary copies in the repository.  Prints the paths it wrote.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "hearth.svg"


def render(size: int) -> object:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def make(out: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    out.mkdir(parents=True, exist_ok=True)
    written = []
    targets = [(out / "hearth.ico", 256, "ICO"), (out / "hearth-256.png", 256, "PNG")]
    iconset = out / "hearth.iconset"
    iconset.mkdir(exist_ok=True)
    for points in (16, 32, 128, 256, 512):  # the names iconutil expects
        targets.append((iconset / f"icon_{points}x{points}.png", points, "PNG"))
        targets.append((iconset / f"icon_{points}x{points}@2x.png", points * 2, "PNG"))
    for path, size, fmt in targets:
        if not render(size).save(str(path), fmt):  # type: ignore[attr-defined]
            raise SystemExit(f"Qt could not write {path} ({fmt})")
        written.append(path)
    return written


if __name__ == "__main__":
    for written in make(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "icons")):
        print(written)
