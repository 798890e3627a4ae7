"""Loading a model reports how far it is (llama.cpp's progress callback, which llama-cpp-python
does not expose): the session hears whole percents, and the window shows a bar until the model
answers or the load fails.  Real generated models, the real engine."""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.core.chat.session import ChatSession
from app.core.engine.llama import Engine
from app.core.engine.worker import EngineWorker
from app.core.models.ops import import_model
from app.core.models.registry import Registry
from app.ui.main_window import MainWindow
from tests.gguf_factory import TinySpec
from tests.hub_fixtures import tiny_catalog


def test_the_session_hears_the_load_in_whole_percents(models: Any, payloads: dict[str, bytes], tmp_path: Path) -> None:
    catalog = tiny_catalog(payloads)
    registry = Registry(tmp_path / "models", shared_dir=None)
    path = Path(shutil.copyfile(models(TinySpec(quant="Q8_0", seed=3)), tmp_path / "tiny-Q8_0.gguf"))
    import_model(path, registry, catalog)
    session = ChatSession(EngineWorker(), None, registry, catalog)
    heard: list[float] = []
    session.on_load_progress = heard.append
    try:
        session.load(registry.all(catalog)[0]).result(60)
    finally:
        session.worker.shutdown()
    assert heard and heard[-1] == 1.0
    assert heard == sorted(heard) and len(set(heard)) == len(heard)  # rising, each percent once
    assert all(round(f, 2) == f for f in heard)  # whole percents


def test_a_failing_progress_hook_does_not_stop_the_load(models: Any, caplog: pytest.LogCaptureFixture) -> None:
    def broken(_fraction: float) -> None:
        raise RuntimeError("a bug in a client's hook")

    engine = Engine()
    try:
        loaded = engine.load(str(models(TinySpec(quant="Q8_0", seed=3))), progress=broken)
        assert loaded.n_ctx > 0
    finally:
        engine.close()
    assert "load progress report failed" in caplog.text


def test_the_window_shows_the_load_and_hides_it_when_done(window: MainWindow, qtbot: Any, shown: list[str]) -> None:
    values: list[float] = []
    window.controller.load_progress.connect(values.append)
    q4 = next(i for i in window.installed if i.quant == "Q4_0")
    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        window.switch_to(q4)
        assert window.load_bar.isVisibleTo(window) and window.load_bar.value() == 0
    qtbot.waitUntil(lambda: bool(values) and values[-1] == 1.0)
    assert window.load_bar.isHidden()
    # A load that fails hides the bar too, and says the old model still answers.
    q8 = next(i for i in window.installed if i.quant == "Q8_0")
    q8.path.write_bytes(b"not a model")
    with qtbot.waitSignal(window.controller.model_failed, timeout=30000):
        window.switch_to(q8)
    assert window.load_bar.isHidden()
    assert shown and "Q4_0" in window.statusBar().currentMessage()
    assert window.model_control.current == q4.key and "Q4_0" in window.model_control.text()  # still what answers


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_cli_shows_the_load_on_one_terminal_line_and_clears_it() -> None:
    from app.cli.chat import _Printer

    terminal, pipe = _Terminal(), io.StringIO()
    for err in (terminal, pipe):
        printer = _Printer(argparse.Namespace(json=False, show_reasoning=False), io.StringIO(), err)
        for fraction in (0.0, 0.42, 1.0):
            printer.load_progress(fraction)
    assert terminal.getvalue().split("\r")[1:4] == ["loading the model: 0%", "loading the model: 42%", " " * 40]
    assert pipe.getvalue() == ""  # a pipe or a log gets no progress lines
