"""A file llama.cpp has not loaded here before is loaded first in a child process.

llama.cpp checks many things with ``GGML_ASSERT``, which aborts the whole
process.  :mod:`app.core.models.hparams` repeats every such check that header
values can reach, and a corpus of malformed files finds no way past it; but a
file can still meet an assertion nobody anticipated.  So the first time a file
(path, size, modification time) is loaded, a child process (``hearth
_probe-load PATH``) loads it with a small context and no GPU, which builds the
graphs where those assertions sit without reading the weights.  A child that
dies by a signal makes the load a typed error instead of a dead app, and the
verdict is remembered, so the next start does not load that file by itself.
A verdict of "ok" is remembered too: the probe costs about a second, once.

If the app dies anyway while loading (after a passing probe), a marker written
before the load names the file at the next start, which then treats it as
crashed until the user chooses it again.  ``HEARTH_PROBE_LOADS=0`` skips the
probe (the marker still works).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import ModelLoadError
from app.core.sentences import say
from app.core.settings import write_json

log = logging.getLogger(__name__)

PROBE_ENV = "HEARTH_PROBE_LOADS"
COMMAND = "_probe-load"
PROBE_TIMEOUT_S = 600.0  # a huge model's header and graph take a while on a slow disk


def _verdicts_path() -> Path:
    return paths.user_dirs().cache / "load-verdicts.json"


def _marker_path() -> Path:
    return paths.user_dirs().cache / "loading.json"


def file_key(shards: tuple[Path, ...]) -> str:
    parts = []
    for shard in shards:
        status = shard.stat()
        parts.append(f"{shard.resolve()}|{status.st_size}|{status.st_mtime_ns}")
    return "\n".join(parts)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def verdict(shards: tuple[Path, ...]) -> str | None:
    """ "ok", "crashed: ..." or None (never probed, or the file changed since)."""
    try:
        value = _read(_verdicts_path()).get(file_key(shards))
    except OSError:
        return None
    return value if isinstance(value, str) else None


def _remember(key: str, value: str) -> None:
    data = _read(_verdicts_path())
    data[key] = value
    try:
        write_json(_verdicts_path(), data)
    except Exception:  # a cache: failing to write it costs a probe next time, nothing more
        log.warning("could not remember the load verdict for %s", key.split("|")[0])


def crashed(shards: tuple[Path, ...]) -> bool:
    value = verdict(shards)
    return value is not None and value.startswith("crashed")


def ensure_loads(shards: tuple[Path, ...]) -> None:
    """Probe a file not known to load (or known to have crashed: the user chose it again)."""
    if os.environ.get(PROBE_ENV, "").strip() == "0" or verdict(shards) == "ok":
        return
    key = file_key(shards)
    started = time.monotonic()
    try:
        child = subprocess.run(
            paths.self_command(COMMAND, str(shards[0])), capture_output=True, text=True, timeout=PROBE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        _remember(key, "crashed: the trial load did not finish")
        raise ModelLoadError(
            say(
                "Loading '{name}' did not finish within {PROBE_TIMEOUT_S:.0f} s in a trial run; Hearth did not load it.",
                name=shards[0].name,
                PROBE_TIMEOUT_S=PROBE_TIMEOUT_S,
            ),
            say("The file may be damaged; try another copy."),
        ) from None
    log.info("trial load of %s: exit %s in %.2f s", shards[0], child.returncode, time.monotonic() - started)
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        _remember(key, f"crashed: {name}")
        log.error("llama.cpp died (%s) loading %s in the trial run:\n%s", name, shards[0], child.stderr[-4000:])
        raise ModelLoadError(
            say(
                "llama.cpp crashed ({name}) while loading '{name2}' in a trial run, so Hearth did not load it.",
                name=name,
                name2=shards[0].name,
            ),
            say(
                "The file is damaged or was made by a converter this llama.cpp does not support; the log has llama.cpp's message."
            ),
        )
    if child.returncode == 0:
        _remember(key, "ok")
    # Any other exit: llama.cpp refused the file cleanly; the real load reports it as a typed error.


def child_main(path: str) -> int:
    """In the child: load with a small context, no GPU and no weight repacking (nothing is read)."""
    import llama_cpp

    from app.core.engine.cpu_buffers import without_extra_buffers

    try:
        with without_extra_buffers():
            llama_cpp.Llama(model_path=path, n_ctx=256, n_batch=64, n_gpu_layers=0, n_threads=1, verbose=False).close()
    except Exception as exc:  # a clean refusal (the parent lets the real load report it)
        print(f"refused: {exc}", file=sys.stderr)
        return 3
    return 0


@contextmanager
def loading(shards: tuple[Path, ...]) -> Iterator[None]:
    """Mark the load in progress, so a process that dies during it is noticed at the next start."""
    marker = _marker_path()
    try:
        write_json(marker, {"key": file_key(shards), "path": str(shards[0]), "pid": os.getpid(), "at": time.time()})
    except Exception:
        log.warning("could not write the loading marker %s", marker)
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def crash_at_last_start() -> str | None:
    """The file a previous Hearth was loading when it died (now remembered as crashed), or None."""
    data = _read(_marker_path())
    pid = data.get("pid")
    if not data or not isinstance(pid, int):
        return None
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
            return None  # another Hearth is loading right now
        except ProcessLookupError:
            pass
        except OSError:
            return None
    _marker_path().unlink(missing_ok=True)
    if isinstance(data.get("key"), str):
        _remember(data["key"], "crashed: while loading in Hearth")
    return str(data.get("path") or "a model")


def start_notice() -> str | None:
    """What every client says at start when the previous Hearth died while loading a model."""
    path = crash_at_last_start()
    if path is None:
        return None
    return say(
        (
            "Hearth stopped while loading {name} last time. It is not loaded by itself any more; "
            "choosing it again tries it in a trial run first."
        ),
        name=Path(path).name,
    )
