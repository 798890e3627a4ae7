"""Hostile and broken model files never take the app down: a seeded corpus of 200 malformed files
(each tried in a process of its own: 0 deaths by signal, 0 hangs, 0 tracebacks), the trial load in
a child process that turns a llama.cpp abort into a typed error, and the marker that names a file
the app died loading at the next start."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.engine import probe
from app.core.errors import ModelLoadError
from app.core.models.info import find_shards
from tests.gguf_factory import arch_spec, write_model
from tests.gguf_fuzz import Layout, _put_int, corpus

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURES = ("llama", "qwen2", "qwen3", "deepseek2")


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("fuzz-bases")
    return [write_model(root / f"base-{arch}.gguf", arch_spec(arch, quant="Q8_0", seed=5)) for arch in ARCHITECTURES]


def test_200_malformed_files_end_in_a_typed_error_or_a_clean_load(bases: list[Path], tmp_path: Path) -> None:
    cases = dict((str(path), what) for path, what in corpus(bases, tmp_path / "cases"))
    assert len(cases) >= 200
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))
    driver = subprocess.run([sys.executable, "-m", "tests.gguf_fuzz", *cases], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=900)  # fmt: skip
    results = [json.loads(line) for line in driver.stdout.splitlines()]
    assert len(results) == len(cases), driver.stderr[-3000:]
    outcomes = collections.Counter(r["outcome"] for r in results)
    print(f"fuzz corpus: {dict(outcomes)}")
    bad = [f"{r['outcome']}: {cases[r['path']]}" for r in results if r["outcome"] not in ("typed error", "loaded")]
    assert not bad, bad
    assert outcomes["typed error"] > outcomes["loaded"]  # the corpus does hit what it aims at


@pytest.fixture
def killer(bases: list[Path], tmp_path: Path) -> Path:
    """A DeepSeek-2 file whose cached key size disagrees with its latent: Hearth's checks refuse it,
    and llama.cpp itself aborts (GGML_ASSERT while reserving its graphs)."""
    data = bytearray(bases[3].read_bytes())
    _put_int(data, Layout(bytes(data)), "deepseek2.attention.key_length", 112)
    path = tmp_path / "killer.gguf"
    path.write_bytes(bytes(data))
    return path


def test_a_trial_load_turns_a_llama_cpp_abort_into_a_typed_error(killer: Path) -> None:
    shards = find_shards(killer)
    with pytest.raises(ModelLoadError, match=r"crashed \(SIGABRT\) while loading 'killer.gguf' in a trial run"):
        probe.ensure_loads(shards)
    assert probe.crashed(shards)
    with pytest.raises(ModelLoadError, match="crashed"):  # chosen again: tried again, refused again, nobody died
        probe.ensure_loads(shards)


def test_a_file_that_loads_is_tried_once(bases: list[Path]) -> None:
    shards = find_shards(bases[1])
    probe.ensure_loads(shards)
    assert probe.verdict(shards) == "ok"


def test_a_death_while_loading_is_named_at_the_next_start(bases: list[Path], tmp_path: Path) -> None:
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))
    dying = (
        "import os, signal\nfrom pathlib import Path\nfrom app.core.engine import probe\n"
        f"with probe.loading((Path({str(bases[0])!r}),)):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert subprocess.run([sys.executable, "-c", dying], cwd=ROOT, env=env, timeout=60).returncode == -9
    shown = subprocess.run([sys.executable, "-m", "app", "policy", "show"], capture_output=True, text=True, cwd=ROOT,
                           env=env, timeout=60)  # fmt: skip
    assert "Hearth stopped while loading base-llama.gguf last time" in shown.stderr
    again = subprocess.run([sys.executable, "-m", "app", "policy", "show"], capture_output=True, text=True, cwd=ROOT,
                           env=env, timeout=60)  # fmt: skip
    assert "stopped while loading" not in again.stderr  # said once
    verdicts = json.loads((tmp_path / "home" / "cache" / "load-verdicts.json").read_text())
    assert list(verdicts.values()) == ["crashed: while loading in Hearth"]


def test_the_window_does_not_load_a_crashed_file_by_itself(bases: list[Path], tmp_path: Path) -> None:
    from app.core.chat.gate import startup_choice
    from app.core.models.catalog import Catalog
    from app.core.models.ops import import_model
    from app.core.models.registry import Registry
    from app.core.privacy.policy import load as load_policy

    registry, catalog = Registry(tmp_path / "models", shared_dir=None), Catalog(())
    item = import_model(bases[2], registry, catalog, "reference").installed
    assert startup_choice([item], registry, catalog, load_policy()) == item
    probe._remember(probe.file_key(find_shards(item.path)), "crashed: SIGABRT")
    assert startup_choice([item], registry, catalog, load_policy()) is None
