"""The window's icons: bundled SVGs (``resources/icons/ui``) drawn in the palette's colours.

The SVGs are stroked with ``currentColor``.  Qt's SVG renderer has no notion of a current
colour, so each icon is drawn with the colour put into its text: the icon is the text's colour
in light and dark, and a disabled button's icon is the disabled text's colour.  Drawn once per
(name, colour); a change of appearance draws them again (:func:`forget`).
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.core import paths

SIZE = 16  # the size the window shows them at; QIcon scales for another (the SVG is drawn once per colour)
PROPERTY = "hearthIcon"  # the dynamic property naming a button's icon


def icon_dir() -> str:
    return str(paths.resources_dir() / "icons" / "ui")


@lru_cache(maxsize=64)
def _svg(name: str) -> str:
    with open(f"{icon_dir()}/{name}.svg", encoding="utf-8") as file:
        return file.read()


@lru_cache(maxsize=512)
def _pixmap(name: str, colour: str, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", colour).encode()))
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(name: str) -> QIcon:
    """The icon ``name`` (a file in ``resources/icons/ui``) in the palette's button-text colour."""
    palette = QGuiApplication.palette()
    normal = palette.color(QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0
    result = QIcon()
    result.addPixmap(_pixmap(name, normal.name(), SIZE, ratio), QIcon.Mode.Normal)
    result.addPixmap(_pixmap(name, disabled.name(), SIZE, ratio), QIcon.Mode.Disabled)
    return result


def set_icon(button: QAbstractButton, name: str) -> None:
    """Give ``button`` the icon ``name`` and remember which, so a change of appearance redraws it."""
    button.setProperty(PROPERTY, name)
    button.setIcon(icon(name))


def forget(app: QApplication | None = None) -> None:
    """The appearance changed: draw the icons again in the new colours, also those already shown."""
    _pixmap.cache_clear()
    for widget in app.allWidgets() if app is not None else ():
        name = widget.property(PROPERTY)
        if isinstance(widget, QAbstractButton) and isinstance(name, str):
            widget.setIcon(icon(name))
