"""What a launch of the window does not pay for: the engine and its libraries (llama-cpp-python,
NumPy, Jinja), the remote engine's HTTP client and the gguf package are imported only when a
model loads or a remote engine is asked.  The real window is started (offscreen, smoke test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from app.core.engine.worker import EngineWorker
from app.core.models import hardware

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("llama_cpp", "numpy", "jinja2", "httpx", "gguf", "app.core.engine.llama")


def test_the_window_opens_without_the_engine_and_its_libraries(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "import app.ui.launch as launch\n"
        "build = launch._build_window\n"
        "def shown(smoke_test):\n"
        "    window, session = build(smoke_test)\n"
        f"    print('loaded:', sorted(name for name in {HEAVY!r} if name in sys.modules), flush=True)\n"
        "    return window, session\n"
        "launch._build_window = shown\n"
        "from app.main import main\n"
        "sys.exit(main(['gui', '--smoke-test']))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HEARTH_HOME": str(tmp_path / "home")}
    for _launch in ("first", "again"):  # the first asks llama.cpp its architectures and backend (then cached)
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
        assert result.returncode == 0, result.stderr
        assert "window shown: Hearth" in result.stdout
    assert "loaded: []" in result.stdout, result.stdout  # the second launch


def test_the_engine_is_made_on_its_thread_with_the_settings_given_before() -> None:
    worker = EngineWorker()
    applied: list[tuple[str, str]] = []
    try:
        worker.configure(lambda engine: applied.append(("first", threading.current_thread().name)))
        worker.configure(lambda engine: applied.append(("latest", threading.current_thread().name)))
        worker.call_without_engine(lambda: applied.append(("no engine", threading.current_thread().name))).result(timeout=30)
        assert worker._engine is None and applied == [("no engine", "hearth-engine")]  # nothing made it yet
        made = worker.call(lambda engine: engine).result(timeout=60)
        assert worker._engine is made and applied[1:] == [("latest", "hearth-engine")]  # only the latest setting
        worker.configure(lambda engine: applied.append(("after", threading.current_thread().name)))
        worker.call(lambda engine: None).result(timeout=30)
        assert applied[-1] == ("after", "hearth-engine")
    finally:
        worker.shutdown()


def test_the_backend_is_asked_once_per_llama_cpp_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware, "_backend", None)
    asked = hardware.build_backend()
    cache = Path(os.environ["HEARTH_HOME"]) / "cache" / hardware.BACKEND_CACHE
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert (stored["gpu_offload"], stored["backend"]) == asked and stored["llama_cpp_python"]
    cache.write_text(json.dumps({**stored, "backend": "Remembered"}), encoding="utf-8")
    monkeypatch.setattr(hardware, "_backend", None)
    assert hardware.llama_backend() == "Remembered"  # read from the cache, llama.cpp not asked
    cache.write_text(json.dumps({**stored, "llama_cpp_python": "0.0.0", "backend": "Stale"}), encoding="utf-8")
    monkeypatch.setattr(hardware, "_backend", None)
    assert hardware.build_backend() == asked  # another version: asked again
    cache.write_text("not json", encoding="utf-8")
    monkeypatch.setattr(hardware, "_backend", None)
    assert hardware.build_backend() == asked


def test_the_header_reader_loads_gguf_constants_without_the_package() -> None:
    probe = (
        "import sys\n"
        "from app.core.models import gguf_header as h\n"
        "print('gguf' in sys.modules, 'numpy' in sys.modules)\n"
        "import gguf\n"
        "sizes = {int(k): v for k, v in h.GGML_QUANT_SIZES.items()}\n"
        "same = (h.GGUF_MAGIC == gguf.GGUF_MAGIC and h.GGUF_DEFAULT_ALIGNMENT == gguf.GGUF_DEFAULT_ALIGNMENT\n"
        "        and sizes == {int(k): v for k, v in gguf.GGML_QUANT_SIZES.items()}\n"
        "        and h.GGUFValueType.STRING == gguf.GGUFValueType.STRING\n"
        "        and h.GGMLQuantizationType.Q8_0 == gguf.GGMLQuantizationType.Q8_0)\n"
        "print(same, h.GGUFValueType is not gguf.GGUFValueType)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "True"]  # its own copy, equal to gguf's


@pytest.mark.parametrize("endpoint", ["https://mirror.example", "http://mirror.example"])
def test_the_hub_client_is_imported_ahead_with_what_a_download_uses(tmp_path: Path, endpoint: str) -> None:
    """The Models window's warm-up imports huggingface-hub's submodules a download needs (they
    load lazily, on first use of a name); an endpoint the policy refuses imports nothing and
    raises nothing (the download says why)."""
    probe = (
        "import json, sys\n"
        "from app.core.models import hub\n"
        "hub.import_ahead()\n"
        "print(json.dumps(sorted(m for m in ('huggingface_hub', 'huggingface_hub.hf_api', 'huggingface_hub.file_download',"
        " 'huggingface_hub.errors') if m in sys.modules)))\n"
    )
    env = {**os.environ, "HEARTH_HOME": str(tmp_path), "HF_ENDPOINT": endpoint}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    if endpoint.startswith("https"):
        assert loaded == ["huggingface_hub", "huggingface_hub.errors", "huggingface_hub.file_download", "huggingface_hub.hf_api"]
    else:
        assert loaded == []


def test_what_a_warm_up_left_is_kept_out_of_young_collections() -> None:
    import gc

    from app.ui.tasks import keep_for_good

    made = [[i] for i in range(5000)]  # long-lived containers, as an import leaves
    frozen = gc.get_freeze_count()
    try:
        keep_for_good()
        assert gc.get_freeze_count() >= frozen + len(made)
        young = {id(thing) for thing in gc.get_objects(0)}
        assert not any(id(thing) in young for thing in made)
    finally:
        gc.unfreeze()


def test_the_first_model_load_keeps_the_engine_libraries_out_of_young_collections(
    window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first load imports llama.cpp's bindings on the engine's thread; once it has loaded they
    are frozen (``keep_for_good``), so the next one-second collection does not walk them."""
    import gc

    from app.ui import chat_controller

    monkeypatch.setattr(chat_controller, "_engine_libraries_kept", False)  # as in a new process
    q4 = next(i for i in window.installed if i.quant == "Q4_0")
    try:
        frozen = gc.get_freeze_count()
        with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
            window.switch_to(q4)
        assert chat_controller._engine_libraries_kept
        assert gc.get_freeze_count() > frozen
        frozen = gc.get_freeze_count()
        q8 = next(i for i in window.installed if i.quant == "Q8_0")
        with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
            window.switch_to(q8)  # later loads import nothing: nothing more is frozen
        assert gc.get_freeze_count() <= frozen  # (frozen objects freed since count down)
    finally:
        gc.unfreeze()
