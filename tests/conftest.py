"""Test isolation: every test runs in a temporary Hearth home, and a test that
writes a file anywhere else fails.

The write guard is a Python audit hook on ``open`` (which also sees
``os.open``): any file opened for writing outside the pytest temp root, the
pytest cache or a ``__pycache__`` directory is recorded, and the test during
which it happened fails.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"
sys.path.insert(0, str(ROOT))

from tests.gguf_factory import TinySpec, family_spec, write_model  # noqa: E402
from tests.write_guard import guard as _guard  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def hearth_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.getbasetemp()
    home = base / "hearth-home"
    home.mkdir(exist_ok=True)
    old = os.environ.get("HEARTH_HOME")
    os.environ["HEARTH_HOME"] = str(home)
    site = base / "site-config"
    site.mkdir(exist_ok=True)
    os.environ["HEARTH_SITE_CONFIG"] = str(site)  # never the machine's real /etc/xdg
    # The one-time timing of llama.cpp's kernels (a child process, seconds) is tested in
    # test_speed.py; every other test (and its subprocesses) uses this fixed rate instead.
    os.environ.setdefault("HEARTH_MEMORY_BANDWIDTH_GBPS", "20")
    # Hub tokens go to a test keyring file in the temp home (subprocesses too).
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.fake_keyring.FileKeyring"
    import keyring

    from tests.fake_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    _guard["allowed"] = (str(base), str(ROOT / ".pytest_cache"))
    yield home
    _guard["allowed"] = ()
    if old is None:
        os.environ.pop("HEARTH_HOME", None)
    else:
        os.environ["HEARTH_HOME"] = old


@pytest.fixture(autouse=True)
def no_writes_outside_home() -> Iterator[None]:
    violations: list[str] = _guard["violations"]  # type: ignore[assignment]
    before = len(violations)
    yield
    new = violations[before:]
    assert not new, f"test wrote outside the temp home: {new}"


class ModelFactory:
    """Writes generated GGUF models once per session, keyed by spec."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[tuple[TinySpec, int], Path] = {}

    def __call__(self, spec: TinySpec = TinySpec(), *, split: int = 0, name: str | None = None) -> Path:
        key = (spec, split)
        if key not in self._made:
            label = name or f"{spec.arch}-{spec.quant}-{abs(hash(key)) % 10**8}"
            self._made[key] = write_model(self.root / label / f"{label}.gguf", spec, split_max_tensors=split)
        return self._made[key]

    def family(self, family: str, **changes: object) -> Path:
        return self(family_spec(family, **changes))


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModelFactory:
    return ModelFactory(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """One real engine for the session (loads are cheap; the library init is not)."""
    from app.core.engine.llama import Engine

    eng = Engine()
    yield eng
    eng.close()


def reference_template(name: str) -> str:
    path = SHARED_REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference template {path} is absent (../shared is not checked out beside the repo)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def payloads(models: ModelFactory) -> dict[str, bytes]:
    from tests.hub_fixtures import make_payloads

    return make_payloads(models)


from tests.gui_fixtures import shown, ui_gc, window  # noqa: E402, F401  (the main window for the GUI tests)
from tests.hub_fixtures import hub, registry  # noqa: E402, F401  (fixtures for the model-manager tests)
