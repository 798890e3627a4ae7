"""The main window on real generated models and a real encrypted store, shared by the GUI tests."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.chat.session import ChatSession
from app.core.engine.base import SamplingParams
from app.core.engine.worker import EngineWorker
from app.core.models.ops import import_model
from app.core.models.registry import Registry
from app.core.store.database import Store
from app.ui.chat_controller import ChatController
from app.ui.main_window import MainWindow
from tests.gguf_factory import TinySpec
from tests.hub_fixtures import tiny_catalog

# A stream that runs to its budget whatever the random weights would say (end-of-stream is never sampled).
LONG = SamplingParams(temperature=0.0, max_tokens=4000, seed=1, ignore_eos=True)


@pytest.fixture
def ui_gc() -> Iterator[None]:
    """Qt objects from a test must be destroyed on this thread: collect their reference cycles here,
    after pytest-qt closed the widgets, not whenever the engine's thread happens to trigger the GC."""
    yield
    gc.collect()


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window would have said in message boxes."""
    from PySide6.QtWidgets import QMessageBox

    texts: list[str] = []
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda _parent, _title, text, *a, **k: texts.append(text))
    return texts


@pytest.fixture
def window(ui_gc: None, qtbot: Any, models: Any, payloads: dict[str, bytes], tmp_path: Path) -> Iterator[MainWindow]:
    catalog = tiny_catalog(payloads)
    registry = Registry(tmp_path / "models", shared_dir=None)
    # The V3 chat template opens no <think> block, so what these random models say is the answer
    # itself (with R1's template all of it would be reasoning, and every answer's text empty).
    for spec, name in (
        (TinySpec(quant="Q8_0", seed=11, template="deepseek-v3"), "tiny-Q8_0.gguf"),
        (TinySpec(quant="Q4_0", seed=11, n_ctx=2048, template="deepseek-v3"), "tiny.Q4_0.gguf"),
    ):
        import_model(Path(shutil.copyfile(models(spec), tmp_path / name)), registry, catalog)
    store = Store(tmp_path / "data" / "conversations.db")
    session = ChatSession(EngineWorker(), store, registry, catalog)
    session.params = SamplingParams(temperature=0.0, max_tokens=12, seed=1, ignore_eos=True)  # 12 tokens, whatever the weights
    controller = ChatController(session)
    win = MainWindow(controller, registry, catalog)
    qtbot.addWidget(win)
    q8 = next(i for i in win.installed if i.quant == "Q8_0")
    with qtbot.waitSignal(controller.model_changed, timeout=30000):
        win.switch_to(q8)
    yield win
    controller.shutdown()
    store.close()


def ask(qtbot: Any, win: MainWindow, text: str) -> None:
    win.composer.setPlainText(text)
    with qtbot.waitSignal(win.controller.answer_finished, timeout=60000):
        win.send()
