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
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any, TextIO

from app.cli.conversations import open_store
from app.core.chat.session import ChatSession
from app.core.chat.turn import Turn, TurnCallback, TurnEnded, TurnEvent
from app.core.engine.base import THINKING_LEVELS
from app.core.engine.events import ContentDelta, GenerationSummary, PromptProgress, ReasoningDelta, StopReason
from app.core.engine.worker import EngineWorker
from app.core.errors import HearthError
from app.core.models.catalog import load_catalog
from app.core.models.offload import parse_gpu_layers
from app.core.models.registry import Registry

DIM, RESET = "\033[2m", "\033[0m"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("chat", help="chat with a GGUF model in the terminal")
    p.add_argument(
        "--model",
        metavar="PATH|ID[:QUANT]",
        help="GGUF file (first shard of a split model) or an installed model (default: the policy's default_model); "
        "with --engine, the server's model id",
    )
    p.add_argument("--engine", metavar="NAME", help="answer on a remote engine (see 'hearth engines list')")
    p.add_argument("--think", choices=THINKING_LEVELS, help="thinking: off, on, or V4's effort levels high and max")
    p.add_argument(
        "--draft",
        metavar="MODEL",
        help="speculative decoding: a small model with the same tokenizer (ID[:QUANT] or a path), "
        "'prompt-lookup' (drafts from the conversation), 'auto' (the catalog's pair) or 'off'",
    )
    p.add_argument("--prompt", metavar="TEXT", help="ask one question, print the answer and exit")
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    # Without a flag, a setting comes from the user's settings (under the policy's locks).
    p.add_argument("--max-tokens", type=int, metavar="N", help="answer budget (default: settings, 2048)")
    p.add_argument("--ctx", type=int, metavar="N", help="context size in tokens (default: settings, 4096)")
    p.add_argument("--gpu-layers", type=_gpu_layers, metavar="auto|all|N", help="GPU offload (default: settings, auto)")
    p.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: physical cores)")
    p.add_argument("--temperature", type=float, metavar="T", help="sampling temperature (default: settings, 0.6)")
    p.add_argument("--top-p", type=float, metavar="P", help="nucleus sampling (default: settings, 0.95)")
    p.add_argument("--seed", type=int, default=None, metavar="N")
    p.add_argument("--ignore-eos", action="store_true", help="never stop at end-of-stream: answer up to --max-tokens")
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
        self._progress = False  # a progress line is on stderr

    def load_progress(self, fraction: float) -> None:
        """How far the model is loaded, on one stderr line rewritten in place (on a terminal only:
        a log or a pipe gets the result line, not a hundred updates)."""
        if not self.err.isatty() or self.json:
            return
        if fraction >= 1.0:
            self.err.write("\r" + " " * 40 + "\r")
        else:
            self.err.write(f"\rloading the model: {fraction:.0%}")
        self.err.flush()

    def event(self, event: ReasoningDelta | ContentDelta | PromptProgress | TurnEnded) -> None:
        if self.json:
            with_text = isinstance(event, (ReasoningDelta, ContentDelta))
            payload = {"type": event.type, "text": event.text} if with_text else event.to_json()  # type: ignore[union-attr]
            self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            self.out.flush()
            return
        if isinstance(event, PromptProgress):  # on stderr, one line rewritten in place
            self.err.write(f"\rreading the prompt: {event.done:,} of {event.total:,} tokens")
            self.err.flush()
            self._progress = True
            return
        if self._progress:
            self.err.write("\r" + " " * 60 + "\r")
            self._progress = False
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
        if s.speculation:
            parts.append(s.speculation)
        self.err.write(f"[{', '.join(parts)}]\n")


def _answer(session: ChatSession, start: Callable[[TurnCallback], Turn], printer: _Printer) -> TurnEnded:
    """Run one turn (``start`` begins it with a callback), printing as it streams; Ctrl-C stops it
    and keeps what came.  The session stores it; this only shows it."""
    events: queue.Queue[TurnEvent] = queue.Queue()
    with CTRL_C.during("answer", session):
        turn = start(events.put)
        while True:
            try:
                item = events.get(timeout=0.1)
            except queue.Empty:
                if turn.future.done():
                    return turn.future.result()
                continue
            printer.event(item.event)
            if isinstance(item.event, TurnEnded):
                return item.event


class _CtrlC:
    """Where Ctrl-C (SIGINT) goes during a chat: it stops a streaming answer, clears the line at
    the prompt, is ignored between an answer and the next prompt, and otherwise (loading the
    model) ends the chat.  A signal handler, not a caught KeyboardInterrupt: the exception lands
    wherever the main thread is, so a second press just after an answer ended used to end the
    whole chat with a traceback."""

    def __init__(self) -> None:
        self.mode = "quit"
        self.session: ChatSession | None = None

    def __call__(self, _signum: int, _frame: object) -> None:
        if self.mode == "answer" and self.session is not None:
            self.session.cancel()
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
    def during(self, mode: str, session: ChatSession | None = None) -> Iterator[None]:
        """``mode`` ("answer" or "prompt") for a while; afterwards presses are ignored until the
        next prompt or answer (the statistics and the save notice are printed in peace)."""
        self.mode, self.session = mode, session
        try:
            yield
        finally:
            self.mode, self.session = "settling", None


CTRL_C = _CtrlC()


def run(args: argparse.Namespace) -> int:
    with CTRL_C.installed():
        return _run(args)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings this command line asks for explicitly (the session refuses those a policy locks)."""
    flags = {
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "context": args.ctx,
        "gpu_layers": args.gpu_layers,
        "threads": args.threads,
        "system_prompt": args.system,
        "thinking": args.think,
        "draft_model": args.draft,
    }
    return {name: value for name, value in flags.items() if value is not None}


def _run(args: argparse.Namespace) -> int:
    printer = _Printer(args)
    if args.no_save and args.conversation is not None:
        raise HearthError("--conversation needs the store; it cannot be combined with --no-save.")
    store = None if args.no_save else open_store()
    worker = EngineWorker()
    try:
        session = ChatSession(worker, store, Registry(), load_catalog(), _overrides(args))
        session.params = replace(session.params, seed=args.seed, ignore_eos=args.ignore_eos)
        for notice in session.settings.notices:
            printer.notice(notice)
        session.on_load_progress = printer.load_progress
        loading = session.load_remote(args.engine, args.model) if args.engine else session.load(args.model)
        result = loading.result()
        for notice in result.notices:
            printer.notice(notice)
        if not args.json:
            printer.notice(result.describe())
        if args.conversation is not None:
            session.open_conversation(args.conversation)
        if args.prompt is not None:
            ended = _answer(session, partial(session.ask, args.prompt), printer)
            _saved(printer, session)
            if isinstance(ended.failure, HearthError):
                raise ended.failure  # one line and its exit code (5: too long for the context, ...)
            return 1 if ended.summary.stop_reason is StopReason.ERROR else 0
        try:
            return _interactive(session, printer)
        finally:
            _saved(printer, session)
    finally:
        worker.shutdown()


def _saved(printer: _Printer, session: ChatSession) -> None:
    if session.store is not None and session.conversation_id is not None:
        cid = session.conversation_id
        printer.notice(f"saved as conversation {cid} (hearth conversations show {cid})")


def _quant_command(session: ChatSession, printer: _Printer, text: str) -> bool:
    """``/quant Q`` and ``/quants``: another installed quantization of the same model, through the
    same gate as every load; ``/model SPEC``: another model, installed or ``remote:ENGINE/MODEL``.
    The conversation continues.  False when ``text`` is not one of these."""
    name, _, arg = text.strip().partition(" ")
    if name == "/model":
        return _switch(session, printer, arg.strip() or None, None)
    if name == "/think":
        return _think(session, printer, arg.strip())
    if name in ("/system", "/temperature", "/top_p", "/settings"):
        return _conversation_setting(session, printer, name[1:], arg.strip())
    if name not in ("/quant", "/quants"):
        return False
    current = session.model.installed if session.model else None
    if current is None:
        printer.notice("quantization switching works with an installed model: --model ID[:QUANT]")
        return True
    family = session.registry.family(current.model_id, session.catalog)
    if name == "/quants" or not arg:
        marks = [f"{i.quant}{' (in use)' if i.key == current.key else ''}" for i in family]
        printer.notice("installed quantizations: " + ", ".join(marks))
        return True
    target = next((i for i in family if i.quant.lower() == arg.strip().lower()), None)
    if target is None:
        printer.notice(f"{arg.strip()} is not installed; see /quants, or run: hearth models download {current.model_id}")
        return True
    return _switch(session, printer, None, target)


def _conversation_setting(session: ChatSession, printer: _Printer, name: str, value: str) -> bool:
    """``/system TEXT``, ``/temperature X``, ``/top_p X``: this conversation's own settings (kept
    with it); ``/settings`` (or no value) shows them."""
    if value and name != "settings":
        try:
            key = "system_prompt" if name == "system" else name
            session.set_conversation_settings(**{key: value if key == "system_prompt" else float(value)})
        except ValueError:
            printer.notice(f"/{name} takes a number")
            return True
        except HearthError as exc:
            printer.notice(str(exc))
            return True
    now = session.conversation_settings()
    locked = f" (the policy decides: {', '.join(sorted(now.locked))})" if now.locked else ""
    printer.notice(
        f"system prompt: {now.system_prompt or '(none)'}; temperature {now.temperature:g}; top_p {now.top_p:g}{locked}"
    )
    return True


def _think(session: ChatSession, printer: _Printer, level: str) -> bool:
    """``/think [off|on|high|max]``: show or change this conversation's thinking mode."""
    offered = session.thinking_levels
    if level:
        try:
            session.set_thinking(level)
        except HearthError as exc:
            printer.notice(str(exc))
            return True
    if not offered:
        printer.notice("this model's template has no thinking switch; it decides for itself")
    else:
        printer.notice(f"thinking: {session.thinking} (this model offers: {', '.join(offered)})")
    return True


def _switch(session: ChatSession, printer: _Printer, spec: str | None, target: Any) -> bool:
    if spec is None and target is None:
        printer.notice("/model needs an installed ID[:QUANT], a GGUF path or remote:ENGINE/MODEL")
        return True
    try:
        result = session.load(target or spec, switching=target is not None).result()
    except HearthError as exc:
        printer.notice(str(exc))
        if not session.ready:
            raise  # the old model was closed before the new one failed: nothing left to chat with
        return True
    for notice in result.notices:
        printer.notice(notice)
    quant = f"{target.quant}: " if target is not None else ""
    printer.notice(f"now using {quant}{result.describe()}; the conversation continues")
    return True


def _interactive(session: ChatSession, printer: _Printer) -> int:
    printer.notice(
        "type a message and press Enter; /quants lists quantizations, /model switches models, /think sets thinking, "
        "/system, /temperature and /top_p set this conversation's own, Ctrl-C stops an answer, Ctrl-D quits."
    )
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
        if not text.strip() or _quant_command(session, printer, text):
            continue
        ended = _answer(session, partial(session.ask, text), printer)
        printer.stats(ended.summary)
        if ended.summary.error:
            printer.notice(ended.summary.error)
