"""The first chat window, offscreen: load a real model, stream an answer, stop."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.core.worker import EngineWorker
from app.ui.chat_window import ChatWindow


def test_chat_window_streams_an_answer(qtbot, models) -> None:  # type: ignore[no-untyped-def]
    worker = EngineWorker()
    window = ChatWindow(worker)
    qtbot.addWidget(window)
    try:
        window.load_model(str(models.family("r1-distill-qwen", quant="Q8_0"))).result(timeout=60)
        qtbot.waitUntil(window.send_button.isEnabled, timeout=5000)
        window.composer.setPlainText("hello")
        window.send()
        assert not window.send_button.isEnabled()
        qtbot.waitUntil(lambda: len(window.history) == 2, timeout=30000)
        assert window.history[0].content == "hello" and window.history[1].role == "assistant"
        assert "tok/s" in window.statusBar().currentMessage()
    finally:
        worker.shutdown()


def test_bad_model_shows_a_message_not_a_crash(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    worker = EngineWorker()
    window = ChatWindow(worker)
    qtbot.addWidget(window)
    try:
        bad = tmp_path / "bad.gguf"
        bad.write_bytes(b"nope" * 20)
        window.load_model(str(bad))
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        assert "not a GGUF" in shown[0]
        assert not window.send_button.isEnabled()
    finally:
        worker.shutdown()
