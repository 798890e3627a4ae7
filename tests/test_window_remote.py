"""The window with a remote engine: its models appear in the picker with a mark and the server's
name, choosing one answers there (the conversation goes on), the status says where answers are
computed, and switching back to a local model keeps the conversation.  Offscreen, against the
fault-injecting OpenAI-compatible server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from app.core.engine import endpoints
from app.ui.main_window import MainWindow
from app.ui.remote_models import MARK, is_remote
from tests.gui_fixtures import ask
from tests.openai_fakes import FakeServer, Script


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "remote-home"))  # the engines file of this test only
    with FakeServer() as fake:
        fake.script = Script(flavour="sglang", models=[{"id": "deepseek-v4-pro", "max_model_len": 131072}])
        endpoints.add("research", fake.url)
        yield fake


def remote_entry(win: MainWindow) -> Any:
    return next((e for e in win.model_control.entries() if is_remote(e.data)), None)


def test_remote_models_are_in_the_picker_and_answer_there(qtbot: Any, window: MainWindow, server: FakeServer) -> None:
    win = window
    ask(qtbot, win, "first, on this computer")
    win.remote_entries.refresh()
    qtbot.waitUntil(lambda: remote_entry(win) is not None, timeout=10000)
    entry = remote_entry(win)
    assert entry.text == f"{MARK} deepseek-v4-pro — on server research"
    assert "computed on the server research" in entry.tooltip
    local = win.model_control.text()
    with qtbot.waitSignal(win.controller.model_changed, timeout=10000):
        win.model_control.choose(entry.data)
        assert win.model_control.text() == local  # until the server is confirmed, the control says what answers
    assert win.model_control.text() == f"{MARK} deepseek-v4-pro — on server research"
    assert win.model_control.current == entry.data
    checked = [a.data() for a in win.model_control.actions_shown() if a.isChecked()]
    assert checked == [entry.data]  # the menu marks what answers, and only that
    assert win.context_label.text().endswith("/ 131072 tokens")
    ask(qtbot, win, "then on the cluster")
    thread = win.controller.active_thread()
    answers = [m for m in thread if m.role == "assistant"]
    assert [(m.engine, m.model_id) for m in answers] == [(None, "test-tiny"), ("research", "deepseek-v4-pro")]
    assert answers[-1].content == "The answer is 4." and answers[-1].reasoning == "Let me think."
    sent = server.chats()[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]  # the local answer went along as text
    assert "on server" in win.statusBar().currentMessage()
    # Back to the local model: the same conversation continues here.
    q8 = next(i for i in win.installed if i.quant == "Q8_0")
    with qtbot.waitSignal(win.controller.model_changed, timeout=30000):
        win.switch_to(q8)
    assert win.controller.remote is None and win.model_control.current == q8.key and "Q8_0" in win.model_control.text()
    ask(qtbot, win, "and here again")
    answers = [m for m in win.controller.active_thread() if m.role == "assistant"]
    assert [m.engine for m in answers] == [None, "research", None]


def test_an_unreachable_server_keeps_the_local_model(qtbot: Any, window: MainWindow, server: FakeServer, shown: Any) -> None:
    win = window
    win.remote_entries.refresh()
    qtbot.waitUntil(lambda: remote_entry(win) is not None, timeout=10000)
    server.script = Script(status=503)  # /models still answers; the chat check is the model list: make it fail
    server.script.models = []
    before = win.model_control.text()
    with qtbot.waitSignal(win.controller.model_failed, timeout=10000):
        win.model_control.choose(remote_entry(win).data)
    assert win.model_control.text() == before and not is_remote(win.model_control.current)
    assert win.controller.ready and win.controller.remote is None
    assert "is still answering" in win.statusBar().currentMessage()
    assert any("does not serve the model 'deepseek-v4-pro'" in text for text in shown)
