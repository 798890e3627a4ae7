"""Decode speed with the window's OpenMP spin count against GNU OpenMP's default.

``app.ui.launch.share_the_cores`` sets ``GOMP_SPINCOUNT`` in the window's process, so llama.cpp's
idle helper threads sleep soon instead of spinning for milliseconds beside the UI thread.  The
setting is read once, when llama.cpp loads, so it cannot change within one process: this runs
the same terminal-style answers (the session's way, no window) in alternated child processes,
A-B then B-A, and prints the ratio of the medians.  Two models: ``small`` (a few hundred
tokens/s, like the issue's) and ``toy`` (thousands of tokens/s, where the per-token Python
gap is longer than the spin and the threads sleep between tokens).

Run: ``.venv/bin/python bench/spin_count.py [--rounds N] [--size small|toy]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DIMS = {"small": {"n_embd": 512, "n_head": 8, "n_head_kv": 4, "n_ff": 1536, "n_layer": 4, "extra_vocab": 16000}, "toy": {}}


def child(model: str) -> None:
    """Four answers of 1,024 tokens; prints the median rate of the last three."""
    from app.core.chat.session import ChatSession
    from app.core.engine.base import SamplingParams
    from app.core.engine.worker import EngineWorker
    from app.core.models.catalog import Catalog
    from app.core.models.registry import Registry

    home = Path(os.environ["HEARTH_HOME"])
    session = ChatSession(EngineWorker(), None, Registry(home / "models", shared_dir=None), Catalog(()))
    session.params = SamplingParams(temperature=0.0, max_tokens=1024, seed=1, ignore_eos=True)
    session.load(Path(model)).result(timeout=120)
    rates = []
    for _ in range(4):
        session.new_conversation()
        turn = session.ask("Write as much as you can.", lambda _event: None)
        rates.append(turn.future.result(timeout=600).summary.tokens_per_s)
    print(statistics.median(rates[1:]))
    session.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--size", choices=tuple(DIMS), default="small")
    args = parser.parse_args()
    from app.ui.launch import SPIN_COUNT
    from tests.gguf_factory import family_spec, write_model

    with tempfile.TemporaryDirectory() as tmp:
        model = write_model(Path(tmp) / "model.gguf", family_spec("v3", quant="Q8_0", **DIMS[args.size]))
        env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
        env.update(HEARTH_HOME=tmp, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        rates: dict[str, list[float]] = {"default": [], SPIN_COUNT: []}
        for round_ in range(args.rounds):
            order = ("default", SPIN_COUNT) if round_ % 2 == 0 else (SPIN_COUNT, "default")
            for setting in order:
                run_env = env if setting == "default" else {**env, "GOMP_SPINCOUNT": setting}
                command = [sys.executable, __file__, "--child", str(model)]
                out = subprocess.run(command, env=run_env, capture_output=True, text=True, check=True, cwd=ROOT)
                rates[setting].append(float(out.stdout.strip().splitlines()[-1]))
        for setting, values in rates.items():
            print(f"  GOMP_SPINCOUNT {setting:>7}: {', '.join(f'{v:.0f}' for v in values)} tok/s")
        ratio = statistics.median(rates[SPIN_COUNT]) / statistics.median(rates["default"])
        print(f"{args.size} model, {args.rounds} alternated rounds: {SPIN_COUNT} / default = {ratio:.3f} (medians)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
