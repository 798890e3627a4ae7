"""Files from the llama.cpp tree that llama-cpp-python vendors, for tests to compare against.

The wheel holds only the compiled library; its sdist holds ``vendor/llama.cpp``, whose
``models/templates`` are the chat templates llama.cpp's own tests render (DeepSeek ships Python
encoders, not templates, for V3.2 and V4).  The sdist of the installed version is fetched once
with pip from the package registry and the files are kept in ``.venv/cache`` (``make test``
runs ``python -m tests.llama_cpp_sources`` first; inside pytest, whose write guard keeps tests in
their temp dir, a missing cache is fetched there instead).  Nothing of it is committed.  Without
the registry, the tests that need it fail saying why (they never skip).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cache() -> Path:
    return ROOT / ".venv" / "cache" / f"llama.cpp-templates-{version('llama_cpp_python')}"


def vendored_template(name: str) -> str:
    """The text of ``vendor/llama.cpp/models/templates/<name>``."""
    cache = _cache()
    if not (cache / name).is_file():
        cache = Path(os.environ.get("HEARTH_HOME", tempfile.gettempdir())).parent / cache.name
        if not (cache / name).is_file():
            _fetch(cache)
    return (cache / name).read_text(encoding="utf-8")


def _fetch(cache: Path) -> None:
    wanted = version("llama_cpp_python")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"llama-cpp-python=={wanted}",
                "-d",
                tmp,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        archives = list(Path(tmp).glob("*.tar.gz"))
        if done.returncode or not archives:
            raise RuntimeError(f"cannot fetch the llama-cpp-python {wanted} sdist: {done.stderr[-400:]}")
        cache.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archives[0]) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if member.isfile() and parts[-2:-1] == ("templates",) and "models" in parts and member.name.endswith(".jinja"):
                    source = tar.extractfile(member)
                    assert source is not None
                    (cache / parts[-1]).write_bytes(source.read())


if __name__ == "__main__":
    if not any(_cache().glob("*.jinja")):
        _fetch(_cache())
