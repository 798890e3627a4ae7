"""``hearth chat``: one-shot or interactive terminal chat on the shared engine.

The engine runs on its worker thread; this (main) thread only prints events
it receives through a queue, so Ctrl-C arrives here at once and becomes a
cooperative cancel of the running answer.  Answer text goes to stdout;
reasoning (with ``--show-reasoning``), notices and statistics go to stderr,
so ``hearth chat --prompt … > answer.txt`` captures just the answer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TextIO

from app.cli.conversations import open_store
from app.core import hardware
from app.core.catalog import Catalog, load_catalog
from app.core.engine import LoadOptions, Message, SamplingParams
from app.core.errors import HearthError
from app.core.events import ContentDelta, GenerationEvent, GenerationSummary, ReasoningDelta, StopReason
from app.core.model_ops import ensure_verified, identify, plan_switch, resolve_model
from app.core.offload import parse_gpu_layers
from app.core.policy import load as load_policy
from app.core.registry import Installed, Registry, quant_from_name
from app.core.store_session import ConversationRecorder
from app.core.store_stream import StreamRecorder
from app.core.worker import EngineWorker

DIM, RESET = "\033[2m", "\033[0m"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("chat", help="chat with a GGUF model in the terminal")
    p.add_argument(
        "--model",
        metavar="PATH|ID[:QUANT]",
        help="GGUF file (first shard of a split model) or an installed model (default: the policy's default_model)",
    )
    p.add_argument("--prompt", metavar="TEXT", help="ask one question, print the answer and exit")
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    p.add_argument("--max-tokens", type=int, default=SamplingParams.max_tokens, metavar="N")
    p.add_argument("--ctx", type=int, default=LoadOptions.n_ctx, metavar="N", help="context size in tokens")
    p.add_argument("--gpu-layers", type=_gpu_layers, default="auto", metavar="auto|all|N")
    p.add_argument("--threads", type=int, default=None, metavar="N", help="CPU threads (default: physical cores)")
    p.add_argument("--temperature", type=float, default=SamplingParams.temperature, metavar="T")
    p.add_argument("--top-p", type=float, default=SamplingParams.top_p, metavar="P")
    p.add_argument("--seed", type=int, default=None, metavar="N")
    p.add_argument("--system", metavar="TEXT", help="system prompt (DeepSeek-R1 works best without one)")
    p.add_argument("--show-reasoning", action="store_true", help="print the model's reasoning (to stderr)")
    p.add_argument("--no-save", action="store_true", help="do not store this chat in the encrypted conversation store")
    p.add_argument("--conversation", type=int, metavar="ID", help="continue a stored conversation")
    p.set_defaults(run=run)


def _gpu_layers(value: str) -> str | int:
    try:
        return parse_gpu_layers(value)
    except HearthError as exc:  # argparse reports it as a usage error (exit 2)
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Printer:
    """Turns events into terminal or JSON-lines output."""

    def __init__(self, args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.json = args.json
        self.show_reasoning = args.show_reasoning
        self.out, self.err = out, err
        self.dim = err.isatty()
        self._in_reasoning = False

    def event(self, event: GenerationEvent) -> None:
        if self.json:
            payload = event.to_json() if isinstance(event, GenerationSummary) else {"type": event.type, "text": event.text}
            self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            self.out.flush()
            return
        if isinstance(event, ReasoningDelta):
            if self.show_reasoning:
                if not self._in_reasoning:
                    self.err.write((DIM if self.dim else "") + "Thinking: ")
                    self._in_reasoning = True
                self.err.write(event.text)
                self.err.flush()
        elif isinstance(event, ContentDelta):
            self._end_reasoning()
            self.out.write(event.text)
            self.out.flush()
        else:
            self._end_reasoning()
            self.out.write("\n")
            self.out.flush()

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self.err.write((RESET if self.dim else "") + "\n")
            self._in_reasoning = False

    def ask(self, prompt: str) -> str:
        """Read a line; with --json the prompt goes to stderr so stdout stays pure JSON lines."""
        if not self.json:
            return input(prompt)
        self.err.write(prompt)
        self.err.flush()
        return input()

    def notice(self, text: str) -> None:
        self.err.write(f"hearth: {text}\n")

    def stats(self, s: GenerationSummary) -> None:
        if self.json:
            return
        parts = [f"{s.completion_tokens} tokens", f"{s.tokens_per_s:.1f} tok/s", f"first token {s.ttft_s:.2f}s"]
        if s.stop_reason is not StopReason.EOS:
            parts.append(f"stopped: {s.stop_reason.value}")
        if s.dropped_turns:
            parts.append(f"{s.dropped_turns} oldest messages left out to fit the context")
        self.err.write(f"[{', '.join(parts)}]\n")


def _answer(
    worker: EngineWorker,
    history: list[Message],
    params: SamplingParams,
    printer: _Printer,
    recorder: ConversationRecorder | None = None,
) -> tuple[Message, GenerationSummary]:
    """Run one turn, printing (and storing) as it streams; Ctrl-C cancels it and keeps what came."""
    if recorder is not None:
        recorder.user(history[-1].content)
        stream = recorder.start_answer()
    try:
        reply, summary = _stream_answer(worker, history, params, printer, stream if recorder else None)
    except BaseException:
        if recorder is not None:
            stream.finish(status="error")
        raise
    if recorder is not None:
        stream.finish(summary)
    return reply, summary


def _stream_answer(
    worker: EngineWorker, history: list[Message], params: SamplingParams, printer: _Printer, stream: StreamRecorder | None
) -> tuple[Message, GenerationSummary]:
    events: queue.Queue[GenerationEvent] = queue.Queue()
    with CTRL_C.during("answer", worker):
        future = worker.chat(history, params, on_event=events.put)
        return _drain(events, future, printer, stream)


class _CtrlC:
    """Where Ctrl-C (SIGINT) goes during a chat: it stops a streaming answer, clears the line at
    the prompt, is ignored between an answer and the next prompt, and otherwise (loading the
    model) ends the chat.  A signal handler, not a caught KeyboardInterrupt: the exception lands
    wherever the main thread is, so a second press just after an answer ended used to end the
    whole chat with a traceback."""

    def __init__(self) -> None:
        self.mode = "quit"
        self.worker: EngineWorker | None = None

    def __call__(self, _signum: int, _frame: object) -> None:
        if self.mode == "answer" and self.worker is not None:
            self.worker.cancel()
        elif self.mode in ("prompt", "quit"):
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Route SIGINT here for a whole chat (only the main thread can have signal handlers)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self)
        self.mode = "quit"
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextlib.contextmanager
    def during(self, mode: str, worker: EngineWorker | None = None) -> Iterator[None]:
        """``mode`` ("answer" or "prompt") for a while; afterwards presses are ignored until the
        next prompt or answer (the statistics and the save notice are printed in peace)."""
        self.mode, self.worker = mode, worker
        try:
            yield
        finally:
            self.mode, self.worker = "settling", None


CTRL_C = _CtrlC()


def _drain(
    events: queue.Queue[GenerationEvent], future: Future[GenerationSummary], printer: _Printer, stream: StreamRecorder | None
) -> tuple[Message, GenerationSummary]:
    reasoning: list[str] = []
    content: list[str] = []
    while True:
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            if future.done():
                future.result()  # re-raises the worker's error (a HearthError for user problems)
            continue
        printer.event(event)
        if isinstance(event, GenerationSummary):
            return Message("assistant", "".join(content), "".join(reasoning)), event
        (reasoning if isinstance(event, ReasoningDelta) else content).append(event.text)
        if stream is not None:
            stream.add(event)


def run(args: argparse.Namespace) -> int:
    with CTRL_C.installed():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    printer = _Printer(args)
    registry, catalog = Registry(), load_catalog()
    rules = load_policy()
    spec = args.model or rules["default_model"]
    if not spec:
        raise HearthError("Which model? Give --model PATH or an installed ID[:QUANT] (see 'hearth models list').")
    path, installed = resolve_model(spec, registry, catalog)
    model_id, quant = identify(path, installed, catalog)
    rules.require_model(model_id, quant)
    if installed is not None and installed.source == "shared":
        ensure_verified(installed, registry, catalog)
    ctx, ctx_notice = rules.cap("max_context", args.ctx)
    gpu_layers, gpu_notice = rules.cap_gpu_layers(args.gpu_layers)
    for notice in (gpu_notice, ctx_notice):
        if notice:
            printer.notice(notice)
    worker = EngineWorker()
    options = LoadOptions(ctx, gpu_layers, args.threads)
    try:
        loaded = worker.load(str(path), options).result()
        for notice in loaded.notices:
            printer.notice(notice)
        if not args.json:
            printer.notice(f"{loaded.info.name}: {loaded.plan.describe()}")
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens, seed=args.seed)
        recorder, history = _recorder(args, path, installed)
        if args.system and not any(m.role == "system" for m in history):
            history.insert(0, Message("system", args.system))
        if args.prompt is not None:
            history.append(Message("user", args.prompt))
            _, summary = _answer(worker, history, params, printer, recorder)
            _saved(printer, recorder)
            return 1 if summary.stop_reason is StopReason.ERROR else 0
        switcher = _QuantSwitcher(worker, registry, catalog, installed, options, printer, recorder)
        try:
            return _interactive(worker, history, params, printer, switcher)
        finally:
            _saved(printer, recorder)
    finally:
        worker.shutdown()


def _recorder(
    args: argparse.Namespace, path: Path, installed: Installed | None
) -> tuple[ConversationRecorder | None, list[Message]]:
    """Store the chat unless --no-save; --conversation ID continues a stored one."""
    if args.no_save:
        if args.conversation is not None:
            raise HearthError("--conversation needs the store; it cannot be combined with --no-save.")
        return None, []
    store = open_store()
    model_id = installed.model_id if installed else path.name
    quant = installed.quant if installed else quant_from_name(path.name)
    if args.conversation is not None:
        return ConversationRecorder.resume(store, args.conversation, model_id, quant)
    sampling = {"temperature": args.temperature, "top_p": args.top_p}
    return ConversationRecorder(store, None, model_id, quant, args.system, sampling), []


def _saved(printer: _Printer, recorder: ConversationRecorder | None) -> None:
    if recorder is not None and recorder.conversation_id is not None:
        printer.notice(f"saved as conversation {recorder.conversation_id} (hearth conversations show {recorder.conversation_id})")


class _QuantSwitcher:
    """``/quant Q`` in an interactive chat: reload another installed quantization, keep the history."""

    def __init__(
        self,
        worker: EngineWorker,
        registry: Registry,
        catalog: Catalog,
        current: Installed | None,
        options: LoadOptions,
        printer: _Printer,
        recorder: ConversationRecorder | None = None,
    ) -> None:
        self.worker, self.registry, self.catalog = worker, registry, catalog
        self.current, self.options, self.printer = current, options, printer
        self.recorder = recorder

    def command(self, text: str) -> bool:
        """Handle a slash command; False when ``text`` is not one."""
        name, _, arg = text.strip().partition(" ")
        if name not in ("/quant", "/quants"):
            return False
        if self.current is None:
            self.printer.notice("quantization switching works with an installed model: --model ID[:QUANT]")
            return True
        family = self.registry.family(self.current.model_id, self.catalog)
        if name == "/quants" or not arg:
            marks = [f"{i.quant}{' (in use)' if i.key == self.current.key else ''}" for i in family]
            self.printer.notice("installed quantizations: " + ", ".join(marks))
            return True
        target = next((i for i in family if i.quant.lower() == arg.strip().lower()), None)
        if target is None:
            self.printer.notice(
                f"{arg.strip()} is not installed; see /quants, or run: hearth models download {self.current.model_id}"
            )
            return True
        plan = plan_switch(self.current, target, hardware.detect(), self.options.n_ctx)
        for warning in plan.warnings:
            self.printer.notice(warning)
        loaded = self.worker.load(str(target.path), self.options).result()
        self.current = target
        if self.recorder is not None:
            self.recorder.switch_model(target.model_id, target.quant)
        self.printer.notice(f"now using {target.quant}: {loaded.plan.describe()}; the conversation continues")
        return True


def _interactive(
    worker: EngineWorker, history: list[Message], params: SamplingParams, printer: _Printer, switcher: _QuantSwitcher
) -> int:
    printer.notice("type a message and press Enter; /quants lists quantizations, Ctrl-C stops an answer, Ctrl-D quits.")
    while True:
        try:
            with CTRL_C.during("prompt"):
                text = printer.ask("you> ")
        except EOFError:
            printer.err.write("\n")
            return 0
        except KeyboardInterrupt:
            printer.err.write("\n")
            continue
        if not text.strip() or switcher.command(text):
            continue
        history.append(Message("user", text))
        reply, summary = _answer(worker, history, params, printer, switcher.recorder)
        printer.stats(summary)
        if summary.error:
            printer.notice(summary.error)
        history.append(reply)
