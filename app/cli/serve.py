"""``hearth serve``: the local OpenAI-compatible API for editors and scripts, on loopback, with a key.

The model is the one named by ``--model`` (or the policy's ``default_model``); a request naming
another installed model loads it through the same gate.  Ctrl-C stops the server.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from app.core.chat.api import api_config
from app.core.chat.session import ChatSession
from app.core.engine.worker import EngineWorker
from app.core.models.catalog import load_catalog
from app.core.models.registry import Registry
from app.core.privacy.secrets import api_key, rotate_api_key


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="the local OpenAI-compatible API (127.0.0.1 only, with a key)")
    p.add_argument("--port", type=int, metavar="N", help="port on 127.0.0.1 (default: settings, 8765)")
    p.add_argument("--model", metavar="PATH|ID[:QUANT]", help="model to load first (default: the policy's default_model)")
    p.add_argument("--show-key", action="store_true", help="print the API key and exit")
    p.add_argument("--rotate-key", action="store_true", help="replace the API key (clients need the new one) and exit")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from app.cli.conversations import open_store
    from app.server.app import LocalApi
    from app.server.runner import ApiServer

    if args.rotate_key:
        print(rotate_api_key())
        return 0
    if args.show_key:
        print(api_key())
        return 0
    config = api_config(args.port)
    key = api_key()
    worker = EngineWorker()
    try:
        session = ChatSession(worker, open_store() if config.store_conversations else None, Registry(), load_catalog())
        if args.model or session.settings.policy["default_model"]:
            result = session.load(args.model).result()
            for notice in result.notices:
                print(f"hearth: {notice}", file=sys.stderr)
        server = ApiServer(LocalApi(session, key, config.port, cors_origins=config.cors_origins)).start()
        loaded = session.model.label if session.model else "none yet (a request names one)"
        stored = "stored" if config.store_conversations else "not stored"
        print(f"hearth: serving {server.address} (model: {loaded}; conversations {stored}); Ctrl-C stops", file=sys.stderr)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        return 0
    finally:
        worker.shutdown()
