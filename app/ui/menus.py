"""The menu bar and keyboard shortcuts of the main window.

Every common action is a menu entry with its shortcut, so it can be found with the mouse,
the keyboard and a screen reader alike; the shortcut list (F1) is read off these menus,
so it cannot drift from what the keys really do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.ui.i18n import tr

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

Keys = QKeySequence | QKeySequence.StandardKey | str | None


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """Fill the window's menu bar; returns the actions by name (tests and the toolbar use them)."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}

    def add(menu: QMenu, name: str, text: str, slot: Callable[[], object], keys: Keys = None) -> None:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        actions[name] = action

    file = bar.addMenu(tr("&File"))
    add(file, "new", tr("&New chat"), window.controller.new_conversation, "Ctrl+N")
    add(file, "export", tr("&Export conversation…"), window.export_current, "Ctrl+E")
    add(file, "import", tr("&Import conversations…"), window.import_conversations, "Ctrl+I")
    file.addSeparator()
    add(file, "quit", tr("&Quit"), window.close, QKeySequence.StandardKey.Quit)

    chat = bar.addMenu(tr("&Conversation"))
    add(chat, "find_in", tr("&Find in conversation"), window.find_bar.open_bar, QKeySequence.StandardKey.Find)
    add(chat, "find", tr("&Search conversations"), window.focus_search, "Ctrl+Shift+F")
    add(chat, "compose", tr("Write a &message"), window.composer.setFocus, "Ctrl+L")
    add(chat, "stop", tr("&Stop answering"), window.controller.stop, "Esc")
    add(chat, "regenerate", tr("&Regenerate last answer"), window.regenerate_last, "Ctrl+R")
    add(chat, "copy_answer", tr("&Copy last answer"), window.copy_last_answer, "Ctrl+Shift+C")
    chat.addSeparator()
    add(chat, "conversation_settings", tr("Conversation se&ttings…"), window.open_conversation_settings, "Ctrl+Shift+,")
    add(chat, "rename", tr("Re&name…"), window.rename_current, "F2")
    add(chat, "pin", tr("&Pin / unpin"), window.pin_current, "Ctrl+P")
    add(chat, "delete", tr("&Delete"), window.delete_current, "Ctrl+Delete")
    add(chat, "previous", tr("Pre&vious conversation"), lambda: window.step_conversation(-1), "Ctrl+PgUp")
    add(chat, "next", tr("Ne&xt conversation"), lambda: window.step_conversation(1), "Ctrl+PgDown")

    tools = bar.addMenu(tr("&Models"))
    add(tools, "models", tr("&Models…"), window.open_models, "Ctrl+M")
    add(tools, "settings", tr("&Settings…"), window.open_settings, QKeySequence.StandardKey.Preferences)
    if actions["settings"].shortcut().isEmpty():  # Linux desktops define no Preferences key
        actions["settings"].setShortcut(QKeySequence("Ctrl+,"))

    view = bar.addMenu(tr("&View"))
    add(view, "sidebar", tr("Show &sidebar"), window.toggle_sidebar, "Ctrl+B")
    actions["sidebar"].setCheckable(True)
    actions["sidebar"].setChecked(True)

    help_menu = bar.addMenu(tr("&Help"))
    add(help_menu, "shortcuts", tr("&Keyboard shortcuts"), lambda: shortcuts_dialog(actions, window).open(), "F1")
    add(help_menu, "about", tr("&About Hearth"), window.about)
    return actions


def shortcut_rows(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    """(action, keys) for every action that has a shortcut, in menu order."""
    rows = []
    for action in actions.values():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), keys))
    rows.append((tr("Send the message"), "Enter"))
    rows.append((tr("New line in the message"), "Shift+Enter"))
    return rows


def shortcuts_dialog(actions: dict[str, QAction], parent: QWidget) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("Keyboard shortcuts"))
    rows = shortcut_rows(actions)
    table = QTableWidget(len(rows), 2)
    table.setAccessibleName(tr("Keyboard shortcuts"))
    table.setHorizontalHeaderLabels([tr("Action"), tr("Keys")])
    table.verticalHeader().hide()
    for row, (text, keys) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(text))
        table.setItem(row, 1, QTableWidgetItem(keys))
    table.resizeColumnsToContents()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(460, 520)
    return dialog
