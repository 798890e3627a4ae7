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
