"""Speculative decoding: speed-up against plain decoding of the same model, in one run (issue #15).

Random weights agree by chance only, so the pair is built to agree: the target has the draft's
layers (same seed, drawn in the same order, so the same embeddings, head and first layer) plus
23 "quiet" layers whose attention-output and FFN-down projections are scaled down, so they
nudge the draft's logits instead of replacing them.  The scale sets how often the target keeps
the draft's guesses; the run prints the acceptance it measured.

1. Draft model: the same answer (temperature 0, ignore end-of-stream) decoded plainly and with
   the draft, alternated; the two token streams are compared (they must be identical).
2. Prompt lookup on a code-rewrite prompt.  A random model cannot rewrite code, so the target is
   steered by a logits bias to write a given rewrite of the prompt's code (a few lines changed,
   the rest copied, as rewrites are); the bias runs in both runs, plain and speculative.

The target is F32 (a memory-bound model: one pass over 1.1 GB per token, as a large quantized
model is on a GPU or a many-core CPU); ``--quant Q8_0`` shows the compute-bound case of this
2-core AVX2 machine, where checking 7 tokens costs ~3.4x one and speculation gains little.
Run: ``.venv/bin/python bench/speculative.py [--quick]``; the last line is ``speed-up N.NNx``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import paths  # noqa: E402
from app.core.engine.base import Message, SamplingParams  # noqa: E402
from app.core.engine.llama import Engine, LoadOptions  # noqa: E402
from tests.gguf_factory import TinySpec, write_model  # noqa: E402

DRAFT_LAYERS = 1
TARGET_LAYERS = 24
QUIET_SCALE = 0.025  # 72 % acceptance measured here (0.01: 93 %, 0.05: 55 %)
SHAPE = dict(arch="qwen2", n_embd=1024, n_head=16, n_head_kv=4, n_ff=2816, n_ctx=4096, extra_vocab=4000, template="deepseek-r1")

CODE = """def load_settings(path):
    with open(path) as f:
        data = json.load(f)
    if "theme" not in data:
        data["theme"] = "light"
    if "font_size" not in data:
        data["font_size"] = 12
    for key, value in data.items():
        print(key, value)
    return data
"""
REWRITE = CODE.replace("def load_settings(path):", "def load_settings(path: str) -> dict:").replace(
    "    with open(path) as f:", '    with open(path, encoding="utf-8") as f:'
)


def models(quant: str, scale: float) -> tuple[Path, Path]:
    folder = paths.user_dirs().cache / "bench"
    target = folder / f"spec-target-{TARGET_LAYERS}-{scale}-{quant}.gguf"
    draft = folder / f"spec-draft-{DRAFT_LAYERS}-{quant}.gguf"
    if not target.exists():
        print("generating the benchmark pair (once)...", flush=True)
        write_model(target, TinySpec(n_layer=TARGET_LAYERS, quant=quant, quiet_from=DRAFT_LAYERS, quiet_scale=scale, **SHAPE))
    if not draft.exists():
        write_model(draft, TinySpec(n_layer=DRAFT_LAYERS, quant="Q8_0", **SHAPE))
    return target, draft


def rewrite_bias(engine: Engine, prompt_len: int):
    """A logits processor that makes any model write REWRITE (one strong bias per position)."""
    script = engine.tokenize(REWRITE)

    def steer(ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        at = len(ids) - prompt_len
        if 0 <= at < len(script):
            logits[script[at]] += 100.0
        return logits

    return steer, len(script)


def side_by_side(engine: Engine, messages, params, setup_plain, setup_fast, rounds: int, processor_for=None):
    plain, fast, acceptance, same = [], [], [], True
    for _ in range(rounds):
        results = []
        for setup in (setup_plain, setup_fast):
            setup()
            engine._llama.reset()  # both read the prompt from scratch: only decoding is compared
            processor = processor_for() if processor_for else None
            events = list(engine.chat(messages, params, logits_processor=processor))
            text = "".join(getattr(e, "text", "") for e in events[:-1])
            results.append((text, events[-1]))
        (text_a, a), (text_b, b) = results
        same &= text_a == text_b
        plain.append(a.tokens_per_s)
        fast.append(b.tokens_per_s)
        acceptance.append(b.acceptance or 0.0)
    return statistics.median(plain), statistics.median(fast), statistics.median(acceptance), same


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer tokens and rounds (under a minute)")
    parser.add_argument("--quant", default="F32", help="the target's weights (F32: memory-bound; Q8_0: compute-bound here)")
    parser.add_argument("--scale", type=float, default=QUIET_SCALE, help="the quiet layers' scale (sets the acceptance)")
    args = parser.parse_args()
    tokens, rounds = (64, 1) if args.quick else (160, 3)
    target, draft = models(args.quant, args.scale)
    engine = Engine()
    engine.load(str(target), LoadOptions(n_ctx=2048, n_threads=2))
    greedy = SamplingParams(temperature=0.0, max_tokens=tokens, ignore_eos=True, thinking="on")
    chat = [Message("user", "Tell me about the history of tea.")]

    mib = target.stat().st_size >> 20, draft.stat().st_size >> 20
    print(f"target: {TARGET_LAYERS} layers {args.quant} ({mib[0]} MiB); draft: {DRAFT_LAYERS} layer Q8_0 ({mib[1]} MiB); "
          f"{tokens} tokens, temperature 0")  # fmt: skip
    engine.load_draft(str(draft))
    draft_model = engine._drafter
    plain, fast, acc, same = side_by_side(
        engine, chat, greedy, lambda: setattr(engine, "_drafter", None), lambda: setattr(engine, "_drafter", draft_model), rounds
    )
    print(f"draft model:   plain {plain:6.1f} tok/s   speculative {fast:6.1f} tok/s   acceptance {acc:.0%}   "
          f"identical output: {same}   speed-up {fast / plain:.2f}x")  # fmt: skip
    model_ratio = fast / plain

    code = [Message("user", "Add type hints and an explicit encoding to this function:\n\n" + CODE)]
    prompt_len = len(engine.fit(code, tokens).tokens)
    lookup = engine.use_prompt_lookup
    steer_len = rewrite_bias(engine, prompt_len)[1]
    params = SamplingParams(temperature=0.0, max_tokens=min(tokens * 2, steer_len), ignore_eos=True, thinking="on")
    plain, fast, acc, same = side_by_side(
        engine, code, params, lambda: setattr(engine, "_drafter", None), lookup, rounds,
        processor_for=lambda: rewrite_bias(engine, prompt_len)[0],
    )  # fmt: skip
    print(f"prompt lookup: plain {plain:6.1f} tok/s   speculative {fast:6.1f} tok/s   acceptance {acc:.0%}   "
          f"identical output: {same}   speed-up {fast / plain:.2f}x  (code rewrite, {params.max_tokens} tokens)")  # fmt: skip
    engine.close()
    print(f"speed-up {model_ratio:.2f}x")


if __name__ == "__main__":
    main()
