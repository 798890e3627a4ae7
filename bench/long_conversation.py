"""What a long conversation costs once history no longer fits (issue #15, items 3 and 4).

1. The same 40-turn conversation at a 2,048-token context, twice in one process on the bench
   model (R1-Distill-Qwen-1.5B's layer shape, 3 layers, Q8_0): as Hearth runs it (history cut in
   blocks, the cache shifted at a cut) and as before (the oldest turn dropped one at a time, no
   shift: the start moves every turn).  Prints the prompt tokens evaluated per turn past the
   boundary (mean and max), the time to first token, and the ratios.
2. Stop while a long prompt is read: the time from ``request_cancel()`` (from another thread,
   30-80 ms into the reading, mid-batch) to the end of the turn, over 10 runs (median and max,
   target < 100 ms).

Run: ``.venv/bin/python bench/long_conversation.py``.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.engine import context_fit  # noqa: E402
from app.core.engine.base import Message, SamplingParams, collect  # noqa: E402
from app.core.engine.events import PromptProgress  # noqa: E402
from app.core.engine.llama import Engine, LoadOptions  # noqa: E402
from bench.engine_overhead import model_path  # noqa: E402

N_CTX = 2048
TURNS = 40
PARAMS = SamplingParams(temperature=0.6, max_tokens=48, seed=3, ignore_eos=True)


def conversation(engine: Engine) -> list[tuple[int, float, int]]:
    """(evaluated prompt tokens, time to first token, dropped turns) per turn."""
    history: list[Message] = [Message("system", "Answer briefly.")]
    seen = []
    for turn in range(TURNS):
        history.append(Message("user", f"Question {turn}: how does step {turn} of a heat pump's cycle work? " * 3))
        _, content, summary = collect(engine.chat(history, PARAMS))
        seen.append((summary.evaluated_prompt_tokens, summary.ttft_s, summary.dropped_turns))
        history.append(Message("assistant", content or "ok"))
    return seen


def past_boundary(seen: list[tuple[int, float, int]]) -> list[tuple[int, float, int]]:
    first = next(i for i, (_, _, dropped) in enumerate(seen) if dropped)
    return seen[first:]


def stop_latency(engine: Engine) -> list[float]:
    """Stop pressed 30-80 ms into the reading of a long prompt (mid-batch, from another thread,
    as the window's Stop button does): milliseconds until the turn has ended."""
    latencies = []
    for run in range(10):
        pressed: list[float] = []

        def press(delay: float = 0.03 + 0.005 * run, pressed: list[float] = pressed) -> None:
            time.sleep(delay)
            pressed.append(time.perf_counter())
            engine.request_cancel()

        prompt = [Message("user", f"run {run}: " + "Read all of this carefully. " * 60)]
        timer = threading.Thread(target=press)
        for event in engine.chat(prompt, PARAMS):
            if isinstance(event, PromptProgress) and not timer.is_alive() and not pressed:
                timer.start()
        ended = time.perf_counter()
        timer.join()
        latencies.append((ended - pressed[0]) * 1000 if pressed and pressed[0] < ended else 0.0)
    return latencies


def main() -> int:
    engine = Engine()
    engine.load(str(model_path()), LoadOptions(n_ctx=N_CTX, n_threads=2))
    try:
        hearth = past_boundary(conversation(engine))
        block, shift = context_fit.BLOCK_SHARE, Engine._shift_cache
        context_fit.BLOCK_SHARE = N_CTX * 4  # a "block" of no tokens: the oldest turn goes one at a time
        Engine._shift_cache = lambda self, prompt: None  # type: ignore[method-assign]
        engine.load(str(model_path()), LoadOptions(n_ctx=N_CTX, n_threads=2))  # a fresh cache
        before = past_boundary(conversation(engine))
        context_fit.BLOCK_SHARE, Engine._shift_cache = block, shift  # type: ignore[method-assign]
        for name, seen in (("Hearth (blocks + shift)", hearth), ("one turn at a time", before)):
            evaluated = [e for e, _, _ in seen]
            ttft = [t * 1000 for _, t, _ in seen]
            cuts = len({d for _, _, d in seen})
            print(
                f"{name:24} {len(seen)} turns past the boundary, {cuts} cut(s): evaluated mean {statistics.mean(evaluated):6.1f}"
                f" max {max(evaluated):5d} tokens; first token mean {statistics.mean(ttft):6.1f} ms, max {max(ttft):6.1f} ms"
            )
        ratio_eval = statistics.mean(e for e, _, _ in before) / statistics.mean(e for e, _, _ in hearth)
        ratio_ttft = statistics.mean(t for _, t, _ in before) / statistics.mean(t for _, t, _ in hearth)
        print(f"one-at-a-time / Hearth: evaluated tokens {ratio_eval:.2f}x, time to first token {ratio_ttft:.2f}x")
        latencies = stop_latency(engine)
        median, worst = statistics.median(latencies), max(latencies)
        print(f"Stop while a long prompt is read: median {median:.1f} ms, max {worst:.1f} ms (10 runs)")
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
