"""Light and dark appearance.  Qt follows the OS colour scheme on Windows, macOS and
most Linux desktops by itself; where the platform gives no scheme (offscreen, bare X11),
Hearth uses the Fusion style with its own dark palette when asked for dark."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#2b2c30",
    QPalette.ColorRole.AlternateBase: "#303134",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#303134",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.Highlight: "#ef8354",
    QPalette.ColorRole.HighlightedText: "#202124",
    QPalette.ColorRole.ToolTipBase: "#303134",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Link: "#8ab4f8",
}


def apply(app: QApplication, scheme: Qt.ColorScheme) -> None:
    app.styleHints().setColorScheme(scheme)
    if scheme != Qt.ColorScheme.Dark or (
        app.styleHints().colorScheme() == Qt.ColorScheme.Dark
        and app.platformName()
        not in (
            "offscreen",
            "minimal",
        )
    ):
        app.setPalette(app.style().standardPalette())
        return
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
