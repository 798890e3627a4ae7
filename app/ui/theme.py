"""Light and dark appearance: follow the OS, or the user's choice in Settings.

Qt follows the OS colour scheme on Windows, macOS and most Linux desktops by itself, and
``QStyleHints.setColorScheme`` asks it for light or dark.  Where the platform cannot
give a dark palette (offscreen, bare X11 without a desktop theme), Hearth uses the
Fusion style with its own dark palette, so "dark" always means dark.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.ui import icons, style
from app.ui.i18n import QT_TRANSLATE_NOOP

APPEARANCES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
LABELS = {
    "system": QT_TRANSLATE_NOOP("", "Follow the system"),
    "light": QT_TRANSLATE_NOOP("", "Light"),
    "dark": QT_TRANSLATE_NOOP("", "Dark"),
}

D = style.DARK
DARK = {  # the dark palette, in the style sheet's colours (widgets without a sheet match those with one)
    QPalette.ColorRole.Window: D["bg"],
    QPalette.ColorRole.WindowText: D["text"],
    QPalette.ColorRole.Base: D["surface"],
    QPalette.ColorRole.AlternateBase: D["bubble"],
    QPalette.ColorRole.Text: D["text"],
    QPalette.ColorRole.Button: D["surface"],
    QPalette.ColorRole.ButtonText: D["text"],
    QPalette.ColorRole.Highlight: D["accent"],
    QPalette.ColorRole.HighlightedText: D["on_accent"],
    QPalette.ColorRole.ToolTipBase: D["surface"],
    QPalette.ColorRole.ToolTipText: D["text"],
    QPalette.ColorRole.PlaceholderText: D["muted"],
    QPalette.ColorRole.Mid: D["border"],
    QPalette.ColorRole.Link: "#8ab4f8",
}
DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#7f8388",
    QPalette.ColorRole.Text: "#7f8388",
    QPalette.ColorRole.ButtonText: "#6b6f74",
    QPalette.ColorRole.Button: "#26272a",
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def apply(app: QApplication, appearance: str) -> None:
    """Use ``appearance`` ("system", "light" or "dark"; anything else means "system")."""
    app.styleHints().setColorScheme(APPEARANCES.get(appearance, Qt.ColorScheme.Unknown))
    standard = app.style().standardPalette()
    if appearance != "dark" or is_dark(standard):
        app.setPalette(standard)
    else:
        app.setStyle("Fusion")
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        for role, colour in DARK_DISABLED.items():  # a disabled button must look disabled
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
        app.setPalette(palette)
    style.apply(app, is_dark(app.palette()))
    icons.forget(app)
    _restyle(app)


def _restyle(app: QApplication) -> None:
    """Widgets with a style sheet keep the palette they were polished with (the conversation's
    scrolled page stayed light in dark mode, light text on light): setting each sheet again makes
    them take the new one.  Only when the appearance changes, so the cost does not matter."""
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
