"""No chat text reaches a file in the clear: a marker typed through ``hearth chat`` (logging at
DEBUG, llama.cpp's output included) and through the window is found in no file under the home,
byte for byte: the store and its WAL are encrypted, the logs and caches never see it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKER = "ZEBRAQUOKKA4711"


def files_with_marker(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith(".gguf"):
            data = path.read_bytes()
            if MARKER.encode() in data or MARKER.encode("utf-16-le") in data:
                found.append(str(path.relative_to(root)))
    return found


def test_the_cli_writes_no_chat_text_anywhere(models: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = dict(os.environ, HEARTH_HOME=str(home), HEARTH_LOG_LEVEL="DEBUG")
    model = str(models())
    for args in (["chat", "--model", model, "--prompt", f"remember {MARKER} please", "--max-tokens", "4"],
                 ["conversations", "search", MARKER]):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert MARKER in done.stdout  # it was stored (and found again) ...
    assert (home / "logs" / "hearth.log").stat().st_size > 0  # ... and the debug log was written
    assert list((home / "cache" / "kv").glob("*.kvs"))  # the conversation's KV snapshot is among the files checked
    assert files_with_marker(home) == []


@pytest.mark.usefixtures("ui_gc")
def test_the_window_writes_no_chat_text_anywhere(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import logging_setup
    from tests.gui_fixtures import ask

    session_home = Path(os.environ["HEARTH_HOME"])  # the test keyring and anything else of this session
    logs = tmp_path / "log-home"
    monkeypatch.setenv("HEARTH_HOME", str(logs))
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        logging_setup.setup(logging.DEBUG)
        ask(qtbot, window, f"remember {MARKER} please")
        window.controller.store.checkpoint()
    finally:
        for handler in root.handlers[len(handlers) :]:
            handler.close()
            root.removeHandler(handler)
        root.setLevel(level)
    assert MARKER in window.controller.active_thread()[-2].content
    assert (logs / "logs" / "hearth.log").stat().st_size > 0
    assert files_with_marker(tmp_path) == [] and files_with_marker(session_home) == []
