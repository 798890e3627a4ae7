"""Conversations: newest first, pinned on top, full-text search with highlighted hits."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu, QPushButton, QVBoxLayout, QWidget

from app.core.store import SearchHit, Store

ROLE_ID = Qt.ItemDataRole.UserRole


class Sidebar(QWidget):
    open_requested = Signal(int)
    new_requested = Signal()

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.new_button = QPushButton("New chat")
        self.new_button.setAccessibleName("New chat")
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search conversations")
        self.search.setAccessibleName("Search conversations")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setAccessibleName("Conversations")
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.hits = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.hits)
        layout.addWidget(self.list, 1)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        query = self.search.text().strip()
        if query:
            found = self.store.search(query, limit=50)
            best: dict[int, SearchHit] = {}
            for hit in found:  # one row per conversation; a message's snippet says more than the title
                if hit.conversation_id not in best or best[hit.conversation_id].message_id is None:
                    best[hit.conversation_id] = hit
            hits = list(best.values())
            self.hits.setText(f"{len(hits)} conversation(s)" if hits else "No matches")
            for hit in hits:
                item = QListWidgetItem(f"{hit.title or 'Untitled'}\n{_one_line(hit.snippet)}")
                item.setData(ROLE_ID, hit.conversation_id)
                item.setToolTip(hit.snippet)
                self.list.addItem(item)
            return
        self.hits.setText("")
        for conv in self.store.list_conversations(200):
            item = QListWidgetItem(("📌 " if conv.pinned else "") + (conv.title or "Untitled"))
            item.setData(ROLE_ID, conv.id)
            self.list.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(int(item.data(ROLE_ID)))

    def _menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None:
            return
        conv = self.store.get_conversation(int(item.data(ROLE_ID)))
        menu = QMenu(self)
        menu.addAction("Unpin" if conv.pinned else "Pin", lambda: self._set(conv.id, pinned=not conv.pinned))
        menu.addAction("Delete", lambda: self.delete(conv.id))
        menu.exec(self.list.mapToGlobal(position))

    def _set(self, conversation_id: int, **changes: object) -> None:
        self.store.update_conversation(conversation_id, **changes)
        self.refresh()

    def delete(self, conversation_id: int) -> None:
        self.store.delete_conversation(conversation_id)
        self.refresh()


def _one_line(snippet: str) -> str:
    """The hit's words stay marked with [ ] (a list item shows plain text, on one line)."""
    return re.sub(r"\s+", " ", snippet)
