"""A long prompt reports how far llama.cpp has read it, stays cancellable while it is read, and
still leaves the KV cache for the next turn; clients show the progress and never store it."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.events import GenerationSummary, PromptProgress, StopReason
from app.core.engine.llama import Engine, LoadOptions

ROOT = Path(__file__).resolve().parents[1]
FIXED = SamplingParams(temperature=0.0, max_tokens=4, seed=1, ignore_eos=True)
LONG_QUESTION = (
    "please read all of this " * 80
)  # ~1,800 tokens (a byte-level test vocabulary): several of llama.cpp's 512-token batches


@pytest.fixture
def engine_2k(models: Any, engine: Engine) -> Engine:
    engine.load(str(models.family("r1-distill-qwen", quant="Q8_0")), LoadOptions(n_ctx=4096))
    return engine


def test_a_long_prompt_reports_progress_batch_by_batch(engine_2k: Engine) -> None:
    events = list(engine_2k.chat([Message("user", LONG_QUESTION)], FIXED))
    progress = [e for e in events if isinstance(e, PromptProgress)]
    summary = events[-1]
    assert isinstance(summary, GenerationSummary) and summary.completion_tokens == 4
    assert len(progress) >= 4 and progress[0].done == 0
    assert all(p.total == summary.prompt_tokens for p in progress)
    steps = [b.done - a.done for a, b in itertools.pairwise(progress)]
    assert all(0 < step <= engine_2k._llama.n_batch for step in steps)
    assert progress[-1].done == summary.prompt_tokens - 1  # generate() reads the last token, for the logits
    assert summary.evaluated_prompt_tokens == summary.prompt_tokens
    # The pieces read in batches are the KV cache the next turn reuses.
    history = [Message("user", LONG_QUESTION), Message("assistant", "ok"), Message("user", "and?")]
    later = list(engine_2k.chat(history, FIXED))
    assert not [e for e in later if isinstance(e, PromptProgress)]  # only a few new tokens: nothing to report
    assert later[-1].evaluated_prompt_tokens < 20  # type: ignore[union-attr]


def test_a_short_prompt_reports_nothing(engine_2k: Engine) -> None:
    events = list(engine_2k.chat([Message("user", "hi")], FIXED))
    assert not [e for e in events if isinstance(e, PromptProgress)]


def test_stop_while_the_prompt_is_read_ends_the_turn_before_any_token(engine_2k: Engine) -> None:
    llama = engine_2k._llama
    events = []
    for event in engine_2k.chat([Message("user", LONG_QUESTION + " once more")], FIXED):
        events.append(event)
        if isinstance(event, PromptProgress) and event.done > 0:
            engine_2k.request_cancel()  # the user pressed Stop after the first batch
    summary = events[-1]
    assert isinstance(summary, GenerationSummary) and summary.stop_reason is StopReason.CANCELLED
    assert summary.completion_tokens == 0
    assert llama.n_tokens < summary.prompt_tokens  # it stopped reading: the rest was never evaluated
    _, _, after = collect(engine_2k.chat([Message("user", "hi")], replace(FIXED, max_tokens=2)))
    assert after.completion_tokens == 2  # and the engine goes on


def test_the_cli_prints_progress_lines_with_json(models: Any) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    run = subprocess.run(
        [sys.executable, "-m", "app", "chat", "--model", str(path), "--json", "--no-save", "--max-tokens", "2",
         "--ignore-eos", "--prompt", LONG_QUESTION],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    prompt = [line for line in lines if line["type"] == "prompt"]
    assert len(prompt) >= 4 and prompt[-1]["done"] == lines[-1]["prompt_tokens"] - 1
    assert lines.index(prompt[-1]) < next(i for i, line in enumerate(lines) if line["type"] in ("reasoning", "content"))
    plain = subprocess.run(
        [sys.executable, "-m", "app", "chat", "--model", str(path), "--no-save", "--max-tokens", "2", "--ignore-eos",
         "--prompt", LONG_QUESTION],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert "reading the prompt:" in plain.stderr and "reading the prompt" not in plain.stdout
