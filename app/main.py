"""The process entry: a private start, then the desktop app or a ``hearth`` command.

Here, not in ``app/cli``, because it serves both clients: the window is opened
from here (the CLI itself never imports Qt).  Every user-caused problem
arrives as a HearthError and is printed as one line on stderr with a non-zero
exit code; anything else is a bug, logged with its traceback to the log file,
and reported with the log's location.  A closed pipe (``hearth … | head``)
ends quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.core import logging_setup, paths
from app.core.engine import probe
from app.core.errors import HearthError
from app.core.models import ggml_rates
from app.core.privacy import core_dumps, netguard, policy

log = logging.getLogger("hearth")
EXIT_INTERNAL = 70
EXIT_BROKEN_PIPE = 141  # what a shell reports for a program ended by SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    from app.cli import admin, chat, conversations, engines, models, serve

    parser = argparse.ArgumentParser(prog="hearth", description="Private, local chat with DeepSeek models.")
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument("--backend", action="store_true", help="print which llama.cpp backend this build uses and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    chat.add_parser(sub)
    models.add_parsers(sub)
    conversations.add_parser(sub)
    admin.add_parsers(sub)
    serve.add_parser(sub)
    engines.add_parser(sub)
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    """``hearth`` and ``hearth gui``: the desktop app's own parser, so starting it does not
    import every CLI command's modules (the download and Hub clients, the local API server)."""
    parser = argparse.ArgumentParser(prog="hearth gui", description="Open the desktop app.")
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(command="gui", backend=False)
    return parser


def start_private() -> None:
    """Zero egress from the first line: no Hub telemetry, no core dumps, the network guard on,
    policy problems said."""
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    core_dumps.forbid()
    current = policy.load()
    if current["offline"]:
        os.environ["HF_HUB_OFFLINE"] = "1"
    netguard.install()
    for override in current.ignored:
        log.warning("%s is ignored: the machine-wide policy %s applies", override, current.path)
    if current.errors:
        log.error("%s", current.describe_errors())
        print(f"hearth: {current.describe_errors()}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [probe.COMMAND] and len(arguments) == 2:  # the trial load of a new model file
        return probe.child_main(arguments[1])
    if arguments[:1] == [ggml_rates.COMMAND] and len(arguments) == 2:  # timing llama.cpp's kernels, once
        return ggml_rates.child_main(arguments[1])
    if not arguments or arguments[0] == "gui":
        args = build_gui_parser().parse_args(arguments[1:])
    else:
        args = build_parser().parse_args(arguments)
    paths.make_private()  # before the first file (the log) is created
    log_path = logging_setup.setup()
    start_private()
    if args.backend:
        from app.core.models.hardware import llama_backend

        print(llama_backend())
        return 0
    try:
        if args.command in (None, "gui"):
            from app.ui.launch import run_gui

            return run_gui(smoke_test=getattr(args, "smoke_test", False))
        if notice := probe.start_notice():
            print(f"hearth: {notice}", file=sys.stderr)
        code: int = args.run(args)
        return code
    except HearthError as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _pipe_closed()
    except Exception:
        log.exception("unexpected error")
        print(f"hearth: internal error; details are in {log_path}", file=sys.stderr)
        return EXIT_INTERNAL


def _pipe_closed() -> int:
    """The reader of our output went away (``| head``): stop writing, say nothing.  Standard output
    is pointed at /dev/null so the interpreter's own flush at exit does not fail again."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE
