"""Conversations: pinned on top, then newest first under date headings (Today, Yesterday,
Previous 7 days, …; the grouping is core's, :mod:`app.core.store.date_groups`), full-text
search with highlighted hits; rename, pin, export, and delete with undo.

Deleting hides the conversation at once and deletes it for good only when the undo bar
times out, another conversation is deleted, or the window closes: a slip of the Delete key
costs nothing, and a deleted conversation never lingers in the encrypted store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import HearthError
from app.core.privacy.policy import load as load_policy
from app.core.store.database import SearchHit, Store
from app.core.store.date_groups import grouped
from app.core.store.export import export_text, write_export
from app.ui import icons, style, theme
from app.ui.i18n import core, error_text, tr

ROLE_ID = Qt.ItemDataRole.UserRole
UNDO_SECONDS = 10


PAGE = 200  # conversations read from the store at a time


class Sidebar(QWidget):
    open_requested = Signal(int)
    new_requested = Signal()
    deleting = Signal(int)  # a conversation is hidden for deletion (the window leaves it if open)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setObjectName("sidebar")  # the style sheet's column colour
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.refuse_delete: Callable[[int], str | None] = lambda _id: None  # why a conversation can't go now
        self.pending_delete: int | None = None
        self._refresh_pending = False
        self.new_button = QPushButton(tr("New chat"))
        icons.set_icon(self.new_button, "new-chat")
        self.new_button.setAccessibleName(tr("New chat"))
        self.new_button.setToolTip(tr("New chat (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search conversations (Ctrl+Shift+F)"))
        self.search.setAccessibleName(tr("Search conversations"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Conversations"))
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self._listed = 0  # conversations read from the store so far (the list pages lazily)
        self._heading: str | None = None  # the date heading the last page ended under
        self._more = False  # the store has more than are listed
        self.list.verticalScrollBar().valueChanged.connect(self._scrolled)
        for keys, action in (("F2", self.rename), (QKeySequence.StandardKey.Delete, self.delete)):
            shortcut = QShortcut(QKeySequence(keys), self.list, context=Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda act=action: self._on_current(act))
        self.hits = QLabel()
        self.undo_label = QLabel()
        self.undo_button = QPushButton(tr("Undo"))
        self.undo_button.setAccessibleName(tr("Undo delete"))
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_bar = QWidget()
        bar = QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self.commit_delete)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.hits)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        self.refresh()

    def refresh_soon(self) -> None:
        """Refresh on the next turn of the event loop: a question being sent reaches the screen
        first, and several changes in one turn cost one refresh."""
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self.refresh)

    def refresh(self) -> None:
        self._refresh_pending = False
        self.list.clear()
        query = self.search.text().strip()
        if query:
            found = self.store.search(query, limit=50)
            best: dict[int, SearchHit] = {}
            for hit in found:  # one row per conversation; a message's snippet says more than the title
                if hit.conversation_id == self.pending_delete:
                    continue
                if hit.conversation_id not in best or best[hit.conversation_id].message_id is None:
                    best[hit.conversation_id] = hit
            hits = list(best.values())
            self.hits.setText(tr("{count} conversation(s)").format(count=len(hits)) if hits else tr("No matches"))
            for hit in hits:
                item = QListWidgetItem(f"{hit.title or 'Untitled'}\n{_one_line(hit.snippet)}")
                item.setData(ROLE_ID, hit.conversation_id)
                item.setToolTip(hit.snippet)
                self.list.addItem(item)
            return
        self.hits.setText("")
        wanted = max(PAGE, self._listed)  # as many as were listed: a refresh keeps the place scrolled to
        self._listed, self._more, self._heading = 0, False, None
        self._next_page(wanted)

    def _next_page(self, size: int = PAGE) -> None:
        """The next conversations, newest first: 10,000 stored cost a page at a time, as the list
        is scrolled down, not all at once."""
        page = self.store.list_conversations(size, self._listed)
        self._listed += len(page)
        self._more = len(page) == size
        shown = [conv for conv in page if conv.id != self.pending_delete]
        for heading, conv in grouped(shown, after=self._heading, words=core):
            if heading is not None:
                self._add_heading(heading)
                self._heading = heading
            item = QListWidgetItem(conv.title or tr("Untitled"))
            item.setData(ROLE_ID, conv.id)
            self.list.addItem(item)

    def _add_heading(self, text: str) -> None:
        """A date heading: shown, never selected or opened."""
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setBold(True)
        item.setFont(font)
        item.setForeground(QColor(style.colours(theme.is_dark())["muted"]))
        self.list.addItem(item)

    def changeEvent(self, event: QEvent) -> None:
        """Light or dark changed: the headings take the new muted colour."""
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh_soon()
        super().changeEvent(event)

    def rows(self) -> list[QListWidgetItem]:
        """The listed conversations (or search hits), without the headings."""
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item for item in items if item.data(ROLE_ID) is not None]

    def headings(self) -> list[str]:
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item.text() for item in items if item.data(ROLE_ID) is None]

    def _scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        if self._more and not self.search.text().strip() and value >= bar.maximum() - 2 * bar.pageStep():
            self._next_page()

    def _activated(self, item: QListWidgetItem) -> None:
        if item.data(ROLE_ID) is not None:  # a heading opens nothing
            self.open_requested.emit(int(item.data(ROLE_ID)))

    def _on_current(self, action: Callable[[int], object]) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(ROLE_ID) is not None:
            action(int(item.data(ROLE_ID)))

    def _menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None or item.data(ROLE_ID) is None:
            return
        conv = self.store.get_conversation(int(item.data(ROLE_ID)))
        menu = QMenu(self)
        menu.addAction(tr("Rename…") + "\tF2", lambda: self.rename(conv.id))
        menu.addAction(tr("Unpin") if conv.pinned else tr("Pin"), lambda: self.toggle_pin(conv.id))
        export = menu.addAction(tr("Export…"), lambda: self.choose_export(conv.id))
        if not load_policy()["allow_export"]:
            export.setEnabled(False)
            export.setText(tr("Export… (not allowed by your organisation's policy)"))
        menu.addSeparator()
        menu.addAction(tr("Delete") + "\tDel", lambda: self.delete(conv.id))
        menu.exec(self.list.mapToGlobal(position))

    def toggle_pin(self, conversation_id: int) -> None:
        self._set(conversation_id, pinned=not self.store.get_conversation(conversation_id).pinned)

    def _set(self, conversation_id: int, **changes: object) -> None:
        self.store.update_conversation(conversation_id, **changes)
        self.refresh()

    # -- rename and export -----------------------------------------------------------
    def rename(self, conversation_id: int) -> None:
        old = self.store.get_conversation(conversation_id).title or ""
        title, ok = QInputDialog.getText(self, tr("Rename conversation"), tr("Title:"), QLineEdit.EchoMode.Normal, old)
        if ok and title.strip() and title.strip() != old:
            self._set(conversation_id, title=title.strip())

    def choose_export(self, conversation_id: int) -> None:
        title = self.store.get_conversation(conversation_id).title or "conversation"
        name = re.sub(r"[^\w\- ]+", "", title).strip()[:60] or "conversation"
        path, chosen = QFileDialog.getSaveFileName(
            self, tr("Export conversation"), str(Path.home() / f"{name}.md"), "Markdown (*.md);;Hearth JSON (*.json)"
        )
        if path:
            self.export(conversation_id, Path(path), "json" if "json" in chosen.lower() or path.endswith(".json") else "markdown")

    def export(self, conversation_id: int, path: Path, fmt: str) -> bool:
        """Write one conversation to ``path``; problems are shown, never half-written files."""
        try:
            load_policy().require_export()
            write_export(path, export_text(self.store, conversation_id, fmt))
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return False
        return True

    # -- delete with undo ----------------------------------------------------------------
    def delete(self, conversation_id: int) -> None:
        reason = self.refuse_delete(conversation_id)
        if reason:
            QMessageBox.information(self, "Hearth", reason)
            return
        self.commit_delete()  # one pending deletion at a time: an earlier one is done now
        title = self.store.get_conversation(conversation_id).title or tr("Untitled")
        self.pending_delete = conversation_id
        self.deleting.emit(conversation_id)
        self.undo_label.setText(tr("Deleted “{title}”.").format(title=title[:40]))
        self.undo_bar.show()
        self._undo_timer.start(int(UNDO_SECONDS * 1000))
        self.refresh()

    def undo_delete(self) -> None:
        self._undo_timer.stop()
        self.pending_delete = None
        self.undo_bar.hide()
        self.refresh()

    def commit_delete(self) -> None:
        """Delete the hidden conversation for good (undo timed out, another delete, or quitting)."""
        self._undo_timer.stop()
        conversation_id, self.pending_delete = self.pending_delete, None
        self.undo_bar.hide()
        if conversation_id is not None:
            self.store.delete_conversation(conversation_id)
            self.refresh()


def _one_line(snippet: str) -> str:
    """The hit's words stay marked with [ ] (a list item shows plain text, on one line)."""
    return re.sub(r"\s+", " ", snippet)
