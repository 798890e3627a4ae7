"""The real engine on real generated models: streaming, stop reasons, KV reuse,
cancel, context overflow, memory refusal and load/unload hygiene."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import llama_cpp
import numpy as np
import psutil
import pytest

from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.events import ContentDelta, GenerationSummary, ReasoningDelta, StopReason
from app.core.engine.llama import Engine, LoadOptions
from app.core.engine.worker import EngineWorker
from app.core.errors import ContextTooSmallError, InsufficientMemoryError, ModelFileMissingError
from app.core.models.hardware import Hardware
from tests.gguf_factory import TinySpec, arch_spec

GREEDY = SamplingParams(temperature=0.0, max_tokens=64, seed=1)


def scripted(engine: Engine, text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A logits processor that makes the model say ``text`` and then end its turn."""
    script = [*engine.tokenize(text), engine._llama.token_eos()]
    state = {"i": 0}

    def force(_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        token = script[min(state["i"], len(script) - 1)]
        state["i"] += 1
        out = np.full_like(scores, -np.inf)
        out[token] = 0.0
        return out

    return force


def no_eos(engine: Engine) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    eos = engine._llama.token_eos()

    def block(_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        scores[eos] = -np.inf
        return scores

    return block


@pytest.fixture
def r1(models, engine: Engine) -> Engine:
    engine.load(str(models.family("r1-distill-qwen", quant="Q8_0")), LoadOptions(n_ctx=2048))
    return engine


@pytest.mark.parametrize("arch", ["qwen2", "llama", "qwen3", "deepseek2", "deepseek32", "deepseek4"])
@pytest.mark.parametrize("quant", ["F16", "Q8_0", "Q4_0"])
def test_every_architecture_and_type_generates(models, engine: Engine, arch: str, quant: str) -> None:
    engine.load(str(models(arch_spec(arch, quant=quant))), LoadOptions(n_ctx=512))
    reasoning, content, summary = collect(
        engine.chat([Message("user", "hello")], replace(GREEDY, max_tokens=12), logits_processor=no_eos(engine))
    )
    assert summary.completion_tokens == 12
    assert summary.stop_reason is StopReason.LENGTH
    assert summary.prompt_tokens == summary.evaluated_prompt_tokens > 3
    assert summary.gpu_layers == 0  # CPU build here


def test_scripted_answer_is_split_into_reasoning_and_content(r1: Engine) -> None:
    events = list(r1.chat([Message("user", "2+2?")], GREEDY, logits_processor=scripted(r1, "the sum</think>\n\nthe answer")))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    summary = events[-1]
    assert isinstance(summary, GenerationSummary)
    assert (reasoning, content) == ("the sum", "the answer")
    assert summary.stop_reason is StopReason.EOS
    assert summary.completion_tokens == len(r1.tokenize("the sum</think>\n\nthe answer"))
    assert summary.ttft_s > 0 and summary.total_s >= summary.ttft_s
    # Reasoning arrives before content, and as several deltas (streamed, not at the end).
    kinds = [type(e) for e in events[:-1]]
    assert kinds.index(ContentDelta) > kinds.index(ReasoningDelta)
    assert len(kinds) > 3


def test_multibyte_characters_split_across_tokens_decode_cleanly(r1: Engine) -> None:
    text = "café ✓ 深度</think>ok"
    _, content, _ = collect(r1.chat([Message("user", "x")], GREEDY, logits_processor=scripted(r1, text)))
    reasoning, _, _ = collect(r1.chat([Message("user", "x")], GREEDY, logits_processor=scripted(r1, text)))
    assert reasoning == "café ✓ 深度" and content == "ok"


def test_follow_up_turn_evaluates_only_new_tokens(r1: Engine) -> None:
    llama = r1._llama
    history = [Message("user", "first question " * 20)]
    r, c, s1 = collect(r1.chat(history, GREEDY, logits_processor=scripted(r1, "hm</think>answer one")))
    assert s1.evaluated_prompt_tokens == s1.prompt_tokens
    history += [Message("assistant", c, r), Message("user", "second")]
    llama_cpp.llama_perf_context_reset(llama.ctx)
    _, _, s2 = collect(r1.chat(history, GREEDY, logits_processor=scripted(r1, "x</think>y")))
    perf = llama_cpp.llama_perf_context(llama.ctx)
    # Only the tail after the shared prefix is computed, and llama.cpp agrees with our count.
    assert s2.prompt_tokens > s1.prompt_tokens
    assert s2.evaluated_prompt_tokens <= s2.prompt_tokens - s1.prompt_tokens + 2
    assert perf.n_p_eval == s2.evaluated_prompt_tokens


def test_reasoning_is_never_sent_back(r1: Engine) -> None:
    history = [Message("user", "q"), Message("assistant", "visible", reasoning="SECRET-REASONING"), Message("user", "q2")]
    prompt = r1._llama.detokenize(r1.fit(history, 32).tokens, special=True).decode()
    assert "visible" in prompt and "SECRET-REASONING" not in prompt


def test_cancel_stops_within_one_token_and_engine_is_usable_after(r1: Engine) -> None:
    sampled = {"n": 0, "at_cancel": -1}
    block = no_eos(r1)

    def counting(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        sampled["n"] += 1  # called once per sampled token
        return block(ids, scores)

    events = 0
    summary = None
    for event in r1.chat([Message("user", "go")], replace(GREEDY, max_tokens=1500), logits_processor=counting):
        if isinstance(event, GenerationSummary):
            summary = event
            continue
        events += 1
        if events == 10:
            sampled["at_cancel"] = sampled["n"]
            r1.request_cancel()
    assert summary is not None and summary.stop_reason is StopReason.CANCELLED
    # After the cancel at most one more token was computed, and none was emitted.
    assert sampled["n"] <= sampled["at_cancel"] + 1
    assert summary.completion_tokens <= sampled["at_cancel"] < 100
    _, _, after = collect(r1.chat([Message("user", "again")], replace(GREEDY, max_tokens=5), logits_processor=no_eos(r1)))
    assert after.stop_reason is StopReason.LENGTH and after.completion_tokens == 5


def test_cancel_interrupts_a_long_prompt_evaluation(models, engine: Engine) -> None:
    spec = TinySpec(n_embd=256, n_head=8, n_head_kv=8, n_ff=1024, n_layer=4, n_ctx=8192, quant="F32")
    engine.load(str(models(spec, name="wide")), LoadOptions(n_ctx=8192, n_threads=1))
    long_prompt = [Message("user", "the " * 3000)]
    start = time.perf_counter()
    _, _, full = collect(engine.chat(long_prompt, replace(GREEDY, max_tokens=1)))
    full_time = time.perf_counter() - start  # only to aim the cancel; nothing below compares times
    engine.close()
    engine.load(str(models(spec, name="wide")), LoadOptions(n_ctx=8192, n_threads=1))
    timer = threading.Timer(full_time * 0.15, engine.request_cancel)
    timer.start()
    _, _, cut = collect(engine.chat(long_prompt, replace(GREEDY, max_tokens=1)))
    assert cut.stop_reason is StopReason.CANCELLED
    assert cut.completion_tokens == 0
    # Stopped inside the prompt: llama.cpp's abort callback ended the evaluation part-way (the KV cache
    # holds only the batches evaluated before it), not after the whole prompt.
    assert engine._llama.n_tokens < full.prompt_tokens, (engine._llama.n_tokens, full.prompt_tokens)
    # Usable right after: the next turn runs normally.
    _, _, again = collect(engine.chat([Message("user", "short")], replace(GREEDY, max_tokens=3), logits_processor=no_eos(engine)))
    assert again.stop_reason is StopReason.LENGTH and again.completion_tokens == 3


def test_context_overflow_drops_oldest_turns_but_keeps_system_and_latest(models, engine: Engine) -> None:
    engine.load(str(models.family("r1-distill-qwen")), LoadOptions(n_ctx=256))
    history = [Message("system", "SYS")]
    for i in range(12):
        history += [Message("user", f"question {i} " + "word " * 10), Message("assistant", f"answer {i}")]
    history.append(Message("user", "LATEST"))
    events = list(engine.chat(history, replace(GREEDY, max_tokens=40), logits_processor=scripted(engine, "a</think>b")))
    summary = events[-1]
    assert isinstance(summary, GenerationSummary)
    assert summary.dropped_turns > 0 and summary.stop_reason is StopReason.EOS
    assert summary.prompt_tokens + 40 <= 256
    prompt = engine._llama.detokenize(engine.fit(history, 40).tokens, special=True).decode()
    assert prompt.startswith("<｜begin▁of▁sentence｜>SYS") and "LATEST" in prompt and "question 0 " not in prompt


def test_budget_shrinks_when_only_the_latest_message_fits(models, engine: Engine) -> None:
    engine.load(str(models.family("r1-distill-qwen")), LoadOptions(n_ctx=256))
    _, _, summary = collect(
        engine.chat([Message("user", "x " * 100)], replace(GREEDY, max_tokens=500), logits_processor=no_eos(engine))
    )
    assert summary.stop_reason is StopReason.LENGTH
    assert summary.prompt_tokens + summary.completion_tokens <= 256


def test_prompt_larger_than_context_is_a_typed_error(models, engine: Engine) -> None:
    engine.load(str(models.family("r1-distill-qwen")), LoadOptions(n_ctx=256))
    with pytest.raises(ContextTooSmallError, match="larger context"):
        list(engine.chat([Message("user", "word " * 400)], GREEDY))


def test_not_enough_memory_is_refused_before_loading(models, engine: Engine) -> None:
    path = str(models.family("r1-distill-qwen", n_ctx=131072))
    engine.close()
    small = Hardware(ram_total_bytes=2**30, ram_available_bytes=300 * 2**20, cpu_threads=2, physical_cores=2)
    with pytest.raises(InsufficientMemoryError) as info:
        engine.load(path, LoadOptions(n_ctx=131072), hw=small)
    assert info.value.max_context and 512 <= info.value.max_context < 131072
    assert "smaller context" in str(info.value)
    assert engine._llama is None  # nothing was allocated
    # The suggested context does load.
    engine.load(path, LoadOptions(n_ctx=info.value.max_context), hw=small)


def test_switching_models_closes_the_old_one_first(models, engine: Engine) -> None:
    engine.load(str(models.family("r1-distill-qwen", quant="Q8_0")), LoadOptions(n_ctx=256))
    old = engine._llama
    engine.load(str(models.family("r1-distill-qwen", quant="Q4_0")), LoadOptions(n_ctx=256))
    assert old is not engine._llama
    assert old._model.model is None  # llama_model_free ran: freed now, not whenever the GC runs
    assert engine.loaded.info.file_type == 2  # MOSTLY_Q4_0


def test_twenty_load_unload_cycles_do_not_grow_rss(models, engine: Engine) -> None:
    paths = [
        str(models.family("r1-distill-qwen", quant=q, n_embd=256, n_ff=1024, n_head=8, n_head_kv=8)) for q in ("Q8_0", "Q4_0")
    ]
    proc = psutil.Process()
    for p in paths:  # warm up allocator pools and the library
        engine.load(p, LoadOptions(n_ctx=2048))
        collect(engine.chat([Message("user", "hi")], replace(GREEDY, max_tokens=4)))
    engine.close()
    baseline = proc.memory_info().rss
    for i in range(20):
        engine.load(paths[i % 2], LoadOptions(n_ctx=2048))
        collect(engine.chat([Message("user", "hi")], replace(GREEDY, max_tokens=4)))
        engine.close()
    grown = proc.memory_info().rss
    assert grown <= baseline * 1.10, f"RSS grew from {baseline / 2**20:.1f} MiB to {grown / 2**20:.1f} MiB"


def test_worker_thread_owns_the_engine_and_cancel_reaches_it(models) -> None:
    worker = EngineWorker()
    try:
        worker.load(str(models.family("r1-distill-qwen")), LoadOptions(n_ctx=1024)).result(timeout=60)
        threads: set[str] = set()
        got: list[object] = []

        def on_event(event: object) -> None:
            threads.add(threading.current_thread().name)
            got.append(event)
            if len(got) == 5:
                worker.cancel()

        engine = worker._engine
        summary = worker.chat([Message("user", "hi")], replace(GREEDY, max_tokens=900), on_event, no_eos(engine)).result(
            timeout=60
        )
        assert threads == {"hearth-engine"}
        assert summary.stop_reason is StopReason.CANCELLED
        with pytest.raises(ModelFileMissingError):
            worker.load("/nonexistent.gguf").result(timeout=10)
    finally:
        worker.shutdown()
    assert not worker._thread.is_alive()
    assert worker._engine._llama is None  # closed on shutdown


def test_split_model_loads_through_llama_cpp_and_matches_the_single_file(models, engine: Engine) -> None:
    spec = TinySpec(quant="Q8_0", seed=5)
    prompt = [Message("user", "hello")]
    params = replace(GREEDY, max_tokens=10)
    engine.load(str(models(spec)), LoadOptions(n_ctx=512))
    single_text = collect(engine.chat(prompt, params, logits_processor=no_eos(engine)))[:2]
    single_ids = list(engine._llama.input_ids[: engine._llama.n_tokens])
    loaded = engine.load(str(models(spec, split=6)), LoadOptions(n_ctx=512))
    assert len(loaded.info.shards) > 1
    reasoning, content, split = collect(engine.chat(prompt, params, logits_processor=no_eos(engine)))
    assert split.completion_tokens == 10 and split.stop_reason is StopReason.LENGTH
    # Same weights read from shards: greedy decoding picks the same tokens.
    assert list(engine._llama.input_ids[: engine._llama.n_tokens]) == single_ids
    assert (reasoning, content) == single_text and len(single_ids) > split.prompt_tokens
