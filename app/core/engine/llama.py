"""The in-process llama.cpp engine: load a GGUF, stream a chat turn, cancel.

Not thread-safe by design: exactly one thread (see :mod:`worker`) owns an
:class:`Engine` and the ``Llama`` object inside it.  Other threads may only
call :meth:`Engine.request_cancel`, which sets an event that is checked
between tokens and, while a prompt is being evaluated, by llama.cpp's abort
callback.

A turn renders the whole conversation with the model's template and hands the
tokens to ``Llama.generate``, which keeps the KV cache of the longest common
prefix with the previous turn: only the new tokens are evaluated.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import jinja2
import numpy as np
import numpy.typing as npt

from app.core import llama_log
from app.core.engine import cpu_buffers, drafting, kv_cache, kv_snapshots, probe, speculative, template_limits
from app.core.engine.base import Continuation, LogitsProcessor, Message, SamplingParams, thinking_switches
from app.core.engine.context_fit import FittedPrompt, KeptFrom, fit_conversation
from app.core.engine.draft_costs import BatchCosts
from app.core.engine.events import (
    ContentDelta,
    GenerationEvent,
    GenerationSummary,
    PromptProgress,
    StopReason,
    cancelled_summary,
)
from app.core.engine.kv_snapshots import ConversationCaches
from app.core.engine.load_types import LoadedModel, LoadOptions
from app.core.engine.reasoning import CLOSE_TAG, OPEN_TAG, ReasoningSplitter
from app.core.engine.speculative import Speculation
from app.core.engine.stops import StopMatcher
from app.core.engine.template_limits import TemplateError
from app.core.engine.templates import ChatTemplate, guess_family, load_family_template
from app.core.errors import ModelLoadError, NoModelLoadedError
from app.core.models import architectures, hardware
from app.core.models.info import ModelInfo, inspect_model
from app.core.models.offload import plan_offload
from app.core.sentences import say

log = logging.getLogger(__name__)


class Engine(ConversationCaches, Speculation):
    def __init__(self) -> None:
        llama_log.install()
        self._llama: Any = None
        self.model: LoadedModel | None = None
        self._cancel = threading.Event()
        self._abort_armed = False
        self._kept_from: KeptFrom | None = None  # where the last turn's cut history started
        # The C callback must outlive the context; it only reads the event.
        import llama_cpp

        self._abort_cb = llama_cpp.ggml_abort_callback(self._should_abort)
        self._no_abort_cb = llama_cpp.ggml_abort_callback()
        self._eog_ids: npt.NDArray[np.intc] | None = None  # end-of-generation tokens, for ignore_eos
        self._drafter: drafting.Drafter | None = None  # speculative decoding's guesser, when one is set
        self._draft_costs: BatchCosts | None = None  # what guesses cost here (see draft_costs)
        self.snapshots = kv_snapshots.SnapshotShelf()  # the KV states of conversations left (see kv_snapshots)
        self._cache_key: str | None = None  # the conversation whose tokens the KV cache holds
        self._kept_by_key: dict[str, KeptFrom | None] = {}

    # -- lifecycle ---------------------------------------------------------
    def load(
        self,
        path: str,
        options: LoadOptions = LoadOptions(),
        hw: hardware.Hardware | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> LoadedModel:
        """Validate, plan and load; the previous model is closed first.  ``progress`` hears how far
        llama.cpp has read the weights (0.0-1.0, on this thread)."""
        info = inspect_model(path)  # typed errors for bad files, before llama.cpp sees them
        if info.chat_template:
            ChatTemplate(info.chat_template, "", "").check()  # llama-cpp-python compiles it too, raising raw
        notices: list[str] = []
        n_ctx = options.n_ctx
        if n_ctx > info.context_length:
            notices.append(
                say(
                    ("Context {n_ctx} is more than this model was trained for; using {context_length}."),
                    n_ctx=n_ctx,
                    context_length=info.context_length,
                )
            )
            n_ctx = info.context_length
        hw = hw or hardware.detect()  # one probe (NVML, psutil) serves the plan and the thread count
        plan = plan_offload(info, hw, n_ctx, options.gpu_layers)
        if plan.notice:
            notices.append(plan.notice)
        self.close()

        import llama_cpp

        threads = options.n_threads or hw.physical_cores
        probe.ensure_loads(info.shards)  # a file new to this machine is tried in a child process first
        try:
            with cpu_buffers.model_defaults(progress), probe.loading(info.shards):
                self._llama = llama_cpp.Llama(
                    model_path=str(info.path),
                    n_ctx=n_ctx,
                    n_gpu_layers=plan.gpu_layers,
                    n_threads=threads,
                    n_threads_batch=threads,
                    flash_attn=options.flash_attn,
                    verbose=False,
                )
        except jinja2.TemplateError as exc:  # llama-cpp-python compiles every template in the file, its own way
            raise TemplateError(
                say("A chat template in '{name}' is not valid Jinja ({exc}).", name=info.path.name, exc=exc),
                say("Use a different file for this model."),
            ) from exc
        except (ValueError, RuntimeError, OSError) as exc:
            log.exception("llama.cpp failed to load %s", info.path)
            raise ModelLoadError(
                say("llama.cpp could not load '{name}'.", name=info.path.name),
                say("The file may use a format or quantization this build does not support; see the log for details."),
            ) from exc
        foreign = architectures.non_deepseek_notice(info.architecture, info.name, info.chat_template)
        if foreign:
            notices.append(foreign)
        template = self._template_for(info, notices)
        template.warm()
        self.model = LoadedModel(info, plan, template, n_ctx, notices)
        log.info("loaded %s: %s", info.path, plan.describe())
        return self.model

    def _template_for(self, info: ModelInfo, notices: list[str]) -> ChatTemplate:
        llama = self._llama
        bos = llama.detokenize([llama.token_bos()], special=True).decode("utf-8", "replace")
        eos = llama.detokenize([llama.token_eos()], special=True).decode("utf-8", "replace")
        if info.chat_template:
            return ChatTemplate(info.chat_template, bos, eos)
        family = guess_family(info.architecture, info.n_layers, info.name)
        notices.append(say("This file has no chat template; using Hearth's {family} template.", family=family))
        return ChatTemplate(load_family_template(family), bos, eos, family=family)

    def close(self) -> None:
        """Free the model and its context now (not whenever the GC runs); a draft goes with it,
        and the conversation in the cache is kept as a snapshot (on disk before this returns)."""
        self.drop_draft()
        if self._llama is not None:
            self._leave(wait=True)
            self._llama.close()
            self._llama = None
            self.model = None
            self._eog_ids = None
            self._kept_from = None

    @property
    def loaded(self) -> LoadedModel:
        if self._llama is None or self.model is None:
            raise NoModelLoadedError(say("No model is loaded."), say("Choose a model first."))
        return self.model

    # -- cancellation --------------------------------------------------------
    def request_cancel(self) -> None:
        """Thread-safe: stop the current turn at the next token or graph node."""
        self._cancel.set()

    def _should_abort(self, _data: ctypes.c_void_p) -> bool:
        return self._cancel.is_set()

    def _arm_abort(self, armed: bool) -> None:
        # The callback runs for every graph node; during decode (one token per
        # graph) cancelling between tokens is as fast, so it is armed only
        # while a prompt is evaluated, keeping decode free of Python calls.
        import llama_cpp

        if armed != self._abort_armed:
            cb = self._abort_cb if armed else self._no_abort_cb
            llama_cpp.llama_set_abort_callback(self._llama.ctx, cb, None)
            self._abort_armed = armed

    # -- generation --------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def fit(self, messages: Sequence[Message], max_tokens: int, thinking: str | None = None) -> FittedPrompt:
        model = self.loaded
        extra = thinking_switches(thinking)
        fitted = fit_conversation(messages, model.template, self.tokenize, model.n_ctx, max_tokens, extra, self._kept_from)
        self._kept_from = fitted.kept_from
        return fitted

    def cached_prefix(self, tokens: Sequence[int]) -> int:
        """Tokens of ``tokens`` whose KV entries are reused (the rule Llama.generate applies)."""
        return kv_cache.reused_prefix(self._llama, tokens)

    def _end_of_generation_ids(self) -> npt.NDArray[np.intc]:
        """Every token llama.cpp treats as end of generation (EOS, EOT, ...), found once per model."""
        if self._eog_ids is None:
            import llama_cpp

            vocab = self._llama._model.vocab
            n_vocab = self._llama.n_vocab()
            self._eog_ids = np.array([t for t in range(n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, t)], dtype=np.intc)
        return self._eog_ids

    def _processors(self, params: SamplingParams, extra: LogitsProcessor | None) -> Any:
        import llama_cpp

        chain: list[LogitsProcessor] = [extra] if extra else []
        if params.ignore_eos:
            banned = self._end_of_generation_ids()

            def no_end(_ids: npt.NDArray[np.intc], logits: npt.NDArray[np.single]) -> npt.NDArray[np.single]:
                logits[banned] = -np.inf
                return logits

            chain.append(no_end)
        return llama_cpp.LogitsProcessorList(chain) if chain else None

    def _continuation_text(self, continuation: Continuation, prefilled: bool) -> str:
        """The text an interrupted answer had produced, as the model wrote it (think tags included)."""
        text = ""
        if continuation.reasoning:
            text = ("" if prefilled else OPEN_TAG + "\n") + continuation.reasoning
            if continuation.content:
                text += "\n" + CLOSE_TAG + "\n\n"
        elif continuation.content and prefilled:
            text = CLOSE_TAG + "\n\n"  # an answer without reasoning closes the pre-filled think block at once
        return text + continuation.content

    def _read_prompt(self, prompt: list[int]) -> Iterator[PromptProgress]:
        """Evaluate a long prompt in batches, saying how far it got after each (generate() then
        finds all but the last token cached).  Stop ends it between batches, and the abort callback
        within one.  A short prompt, or a cache that cannot drop a suffix, is left to generate()."""
        llama = self._llama
        cached = self.cached_prefix(prompt)
        todo = len(prompt) - 1 - cached  # generate() evaluates the last token itself (for the logits)
        step = llama.n_batch
        if todo <= step or not llama._ctx.kv_cache_seq_rm(-1, cached, -1):
            return
        llama.n_tokens = cached
        yield PromptProgress(cached, len(prompt))
        for start in range(cached, len(prompt) - 1, step):
            if self._cancel.is_set():
                return
            llama.eval(prompt[start : min(start + step, len(prompt) - 1)])
            yield PromptProgress(llama.n_tokens, len(prompt))

    def chat(
        self,
        messages: Sequence[Message],
        params: SamplingParams = SamplingParams(),
        *,
        logits_processor: LogitsProcessor | None = None,
        continuation: Continuation | None = None,
        cache_key: str | None = None,
    ) -> Iterator[GenerationEvent]:
        """Stream one assistant turn as typed events, ending with a summary.  With
        ``continuation`` the answer goes on after the text an earlier, interrupted run produced
        (only the new text is streamed).  ``cache_key`` names the conversation, so its KV state
        is kept when another one comes and restored when it is back (see :mod:`kv_snapshots`)."""
        model = self.loaded
        llama = self._llama
        self._cancel.clear()
        self._enter(cache_key)
        started = time.perf_counter()
        stop_render = template_limits.should_stop.set(self._cancel.is_set)  # Stop ends a runaway template too
        try:
            prefilled = model.template.prefills(thinking_switches(params.thinking))
            closing = self.tokenize("\n" + CLOSE_TAG + "\n\n")  # what closes a think block for the model
            if continuation:
                tail = self.tokenize(self._continuation_text(continuation, prefilled))
            elif prefilled and params.thinking == "off":
                # A template that always opens the think block (R1 and its distills have no switch):
                # closing it at once is how these models answer without reasoning.
                tail, prefilled = closing, False
            else:
                tail = []
            thinks = prefilled or params.thinking not in (None, "off")
            # The reasoning's budget is reserved on top of the answer's, as far as the history keeps
            # half of the context (a full reservation would leave a 4,096-token context no history).
            room_for_reasoning = max(0, model.n_ctx - model.n_ctx // 2 - params.max_tokens)
            wanted = params.thinking_budget if thinks and params.thinking_budget and not continuation else 0
            reserve = min(wanted + len(closing), room_for_reasoning) if wanted else 0
            fitted = self.fit(messages, params.max_tokens + reserve + len(tail), params.thinking)
        except template_limits.RenderStopped:
            yield cancelled_summary(time.perf_counter() - started, model.plan.gpu_layers)
            return
        finally:
            template_limits.should_stop.reset(stop_render)
        prompt = fitted.tokens + tail
        budget = max(fitted.max_tokens - len(tail), 1)
        # The reasoning's own cap: its budget, but never so much that the answer gets less than
        # half of what fits (or its full budget, when that is smaller).
        reasoning_cap = min(wanted, budget - min(params.max_tokens, budget // 2)) if wanted else 0
        if fitted.dropped_turns:
            kv_cache.shift_out_cut_turns(self._llama, prompt)
        evaluated = len(prompt) - self.cached_prefix(prompt)
        if continuation and (continuation.content or continuation.reasoning):
            splitter = ReasoningSplitter.resuming(in_reasoning=not continuation.content)
        else:
            splitter = ReasoningSplitter(prefilled=prefilled)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        if params.seed is not None:
            llama.set_seed(params.seed)
        vocab = llama._model.vocab
        import llama_cpp

        processors = self._processors(params, logits_processor)
        self._arm_abort(True)
        with contextlib.suppress(RuntimeError):  # aborted mid-batch by Stop, or a decode failed: generate() says
            yield from self._read_prompt(prompt)
        if self._cancel.is_set():
            self._arm_abort(False)
            yield replace(cancelled_summary(time.perf_counter() - started, model.plan.gpu_layers), prompt_tokens=len(prompt))
            return
        stops = StopMatcher(params.stop)
        stop, error, count, first_at = StopReason.LENGTH, None, 0, 0.0
        reasoning_count, notice, phase_prompt = 0, None, prompt
        drafts = speculative.DraftStats()
        generated: list[int] = []
        self._arm_abort(True)
        try:
            while True:  # one pass, or two when the reasoning reaches its cap and is closed
                cut = False
                for token in self._tokens(phase_prompt, params, processors, drafts):
                    if count == 0:
                        first_at = time.perf_counter()
                        self._arm_abort(False)
                    if self._cancel.is_set():
                        stop = StopReason.CANCELLED
                        break
                    if llama_cpp.llama_vocab_is_eog(vocab, token):
                        stop = StopReason.EOS
                        break
                    count += 1
                    generated.append(token)
                    reasoning_count += splitter.in_reasoning
                    piece = decoder.decode(llama.detokenize([token]))
                    if piece:
                        yield from stops.events(splitter.feed(piece))
                        if stops.hit:
                            stop = StopReason.EOS  # a stop string ends the answer as the model's own end would
                            break
                    if count >= budget:
                        break
                    if reasoning_cap and splitter.in_reasoning and reasoning_count >= reasoning_cap:
                        cut = True
                        break
                if not cut:
                    break
                # The think block is closed for the model, as if it had written the tag, and the
                # answer is generated after it (only the closing tokens are evaluated: KV reuse).
                yield from stops.events(splitter.feed(decoder.decode(b"", final=True) + CLOSE_TAG + "\n\n"))
                generated += closing
                budget -= len(closing)  # they take context like generated tokens
                if count >= budget:
                    break
                phase_prompt = prompt + generated
                notice = say(
                    ("The reasoning reached its budget of {reasoning_cap} tokens and was closed so the model answers."),
                    reasoning_cap=reasoning_cap,
                )
        except RuntimeError as exc:  # llama_decode failed or was aborted mid-prompt
            if self._cancel.is_set():
                stop = StopReason.CANCELLED
            else:
                log.exception("generation failed")
                stop, error = StopReason.ERROR, f"Generation failed: {exc}"
        finally:
            self._arm_abort(False)
        yield from stops.events(splitter.feed(decoder.decode(b"", final=True)))
        yield from stops.events(splitter.flush())
        if held := stops.flush():
            yield ContentDelta(held)
        ended = time.perf_counter()
        decode_time = ended - first_at if count > 1 else 0.0
        yield GenerationSummary(
            prompt_tokens=len(prompt),
            evaluated_prompt_tokens=evaluated,
            completion_tokens=count,
            ttft_s=(first_at - started) if first_at else ended - started,
            tokens_per_s=(count - 1) / decode_time if decode_time > 0 else 0.0,
            total_s=ended - started,
            stop_reason=stop,
            gpu_layers=model.plan.gpu_layers,
            dropped_turns=fitted.dropped_turns,
            error=error,
            reasoning_tokens=reasoning_count,
            notice=notice,
            drafter=self.drafter if drafts.rounds else None,
            draft_tokens=drafts.drafted,
            accepted_draft_tokens=drafts.accepted,
        )
