"""Hearth's look: one style sheet for the whole application, in a light and a dark set of colours.

Why a style sheet and not a custom QStyle: the look is colours, radii and spacing on stock
widgets, which a sheet says in one place; every widget keeps its native behaviour (keyboard,
accessibility, right-to-left).  Widgets opt into a role with an object name (``primary`` for
the one main button of a row, ``muted`` for secondary text, ``sidebar`` for the conversation
list's column).  The colours live here, also those the code highlighter and the sidebar's
headings paint with; rich-text labels use only gray, which reads on both.

The font stack prefers the platform's UI font (Segoe UI, SF Pro, Cantarell, Noto Sans) and
falls back through common sans-serif families, so text looks native on every desktop.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

FONT_STACK = ["Inter", "Segoe UI", "SF Pro Text", ".AppleSystemUIFont", "Cantarell", "Noto Sans", "DejaVu Sans", "sans-serif"]
MAX_COLUMN = 820  # the conversation's width in pixels at most: ~90 characters a line, easy to read

LIGHT = {
    "bg": "#f7f7f8",
    "sidebar": "#eff0f3",
    "surface": "#ffffff",
    "text": "#1d1f23",
    "muted": "#6b7079",
    "border": "#dfe2e7",
    "hover": "#e4e6eb",
    "selected": "#dcdfe6",
    "accent": "#c8552a",
    "accent_hover": "#b24a23",
    "on_accent": "#ffffff",
    "bubble": "#ebeef3",
    "warning_bg": "#fff4d6",
    "warning_text": "#6b4b00",
    "error_bg": "#fde8e8",
    "error_text": "#8a1c1c",
    "code": "#f3f4f6",
    "code_header": "#e6e8ec",
}
DARK = {
    "bg": "#1c1d20",
    "sidebar": "#161719",
    "surface": "#25262a",
    "text": "#e6e7ea",
    "muted": "#9a9fa8",
    "border": "#33353b",
    "hover": "#2c2e33",
    "selected": "#34373d",
    "accent": "#ef8354",
    "accent_hover": "#f39a73",
    "on_accent": "#1c1d20",
    "bubble": "#2b2d33",
    "warning_bg": "#3d3320",
    "warning_text": "#f3d58a",
    "error_bg": "#3b2224",
    "error_text": "#f4b4b4",
    "code": "#17181b",
    "code_header": "#2a2c31",
}

SHEET = """
QMainWindow, QDialog {{ background: {bg}; }}
QWidget {{ color: {text}; }}
QToolTip {{ background: {surface}; color: {text}; border: 1px solid {border}; padding: 4px 6px; }}
QToolBar {{ background: {bg}; border: none; border-bottom: 1px solid {border}; spacing: 6px; padding: 6px 10px; }}
QStatusBar {{ background: {bg}; color: {muted}; border-top: 1px solid {border}; }}
QStatusBar QLabel {{ color: {muted}; }}
QSplitter::handle {{ background: {border}; width: 1px; }}
QWidget#sidebar {{ background: {sidebar}; }}
QWidget#sidebar QListWidget {{ background: transparent; border: none; outline: none; }}
QWidget#sidebar QListWidget::item {{ padding: 6px 8px; border-radius: 6px; }}
QWidget#sidebar QListWidget::item:hover {{ background: {hover}; }}
QWidget#sidebar QListWidget::item:selected {{ background: {selected}; color: {text}; }}
QLineEdit, QPlainTextEdit, QComboBox {{
    background: {surface}; border: 1px solid {border}; border-radius: 8px; padding: 5px 8px;
    selection-background-color: {accent}; selection-color: {on_accent};
}}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus {{ border-color: {accent}; }}
QComboBox::drop-down {{ border: none; width: 20px; }}
QComboBox QAbstractItemView {{
    background: {surface}; border: 1px solid {border}; selection-background-color: {selected}; selection-color: {text};
}}
QPushButton {{ background: {surface}; border: 1px solid {border}; border-radius: 8px; padding: 6px 14px; }}
QPushButton:hover {{ background: {hover}; }}
QPushButton:disabled {{ color: {muted}; }}
QPushButton#primary {{ background: {accent}; color: {on_accent}; border: none; font-weight: 600; }}
QPushButton#primary:hover {{ background: {accent_hover}; }}
QPushButton#primary:disabled {{ background: {border}; color: {muted}; }}
QToolButton {{ background: transparent; border: none; border-radius: 6px; padding: 4px; }}
QToolButton:hover {{ background: {hover}; }}
QToolButton:checked {{ background: transparent; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border: 1px solid {muted}; border-radius: 4px; background: {surface}; }}
QCheckBox::indicator:checked {{ background: {accent}; border-color: {accent}; }}
QCheckBox::indicator:disabled {{ border-color: {border}; background: {border}; }}
QLabel#muted {{ color: {muted}; }}
QToolButton#model-control {{ background: {surface}; border: 1px solid {border}; border-radius: 8px;
    padding: 4px 26px 4px 12px; }}
QToolButton#model-control:hover {{ background: {hover}; }}
QToolButton#model-control::menu-indicator {{ subcontrol-origin: padding; subcontrol-position: right center; right: 8px; }}
QLabel#badge {{ color: {muted}; background: {hover}; border-radius: 9px; padding: 2px 10px; }}
QLabel#error {{ background: {error_bg}; color: {error_text}; border-radius: 8px; padding: 8px 12px; }}
QLabel#notice {{ background: {warning_bg}; color: {warning_text}; border-radius: 6px; padding: 2px 8px; }}
QLabel#notice[empty="true"] {{ background: transparent; padding: 0; }}
QScrollArea#conversation, QScrollArea#conversation > QWidget > QWidget {{ background: {bg}; border: none; }}
QFrame#message-user {{ background: {bubble}; border: none; border-radius: 14px; margin-left: 96px; }}
QFrame#message-assistant, QFrame#message-system {{ background: transparent; border: none; }}
QToolButton#reasoning-toggle {{ color: {muted}; padding: 3px 6px; }}
QFrame#message-user QTextBrowser, QFrame#message-assistant QTextBrowser, QFrame#message-system QTextBrowser {{
    background: transparent; border: none;
}}
QFrame#message-assistant QTextBrowser#reasoning {{ color: {muted}; border-left: 2px solid {border}; padding-left: 10px; }}
QProgressBar#context {{ background: {border}; border: none; border-radius: 3px; max-height: 6px; }}
QProgressBar#context::chunk {{ background: {accent}; border-radius: 3px; }}
QProgressBar#loading {{ background: {border}; border: none; border-radius: 4px; color: {text}; text-align: center; }}
QProgressBar#loading::chunk {{ background: {accent}; border-radius: 4px; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {border}; border-radius: 3px; min-height: 32px; }}
QScrollBar::handle:vertical:hover {{ background: {muted}; }}
QScrollBar::add-line, QScrollBar::sub-line, QScrollBar::add-page, QScrollBar::sub-page {{ background: none; height: 0; }}
QMenu {{ background: {surface}; border: 1px solid {border}; padding: 4px; }}
QMenu::item {{ padding: 5px 22px 5px 14px; border-radius: 4px; }}
QMenu::item:selected {{ background: {hover}; color: {text}; }}
"""


def colours(dark: bool) -> dict[str, str]:
    return DARK if dark else LIGHT


def apply(app: QApplication, dark: bool) -> None:
    """Give the application Hearth's font and style sheet in light or dark colours."""
    font = QFont(app.font())
    font.setFamilies(FONT_STACK)
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(SHEET.format(**colours(dark)))
