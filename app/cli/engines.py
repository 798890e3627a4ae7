"""``hearth engines add|list|remove|login``: the on-prem servers Hearth may chat through.

Only shows and collects: which engines count, the URL rules and the policy's
word are :mod:`app.core.engine.endpoints`'s; reachability and the model list
come from :func:`app.core.chat.remote_choice.survey`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from app.core.chat.remote_choice import survey
from app.core.engine import endpoints
from app.core.errors import HearthError
from app.core.privacy import secrets
from app.core.privacy.policy import load as load_policy


def add_parser(sub: Any) -> None:
    eng = sub.add_parser("engines", help="remote engines: your organisation's on-prem DeepSeek servers")
    esub = eng.add_subparsers(dest="engines_command", metavar="ACTION", required=True)
    p = esub.add_parser("add", help="add a server (OpenAI-compatible: vLLM, SGLang, llama-server)")
    p.add_argument("name", help="a short name, e.g. research")
    p.add_argument("url", help="the API's base URL, e.g. https://llm.example.internal/v1 (https only, but loopback)")
    p.add_argument("--ca-bundle", metavar="PEM", help="the CA certificate(s) that signed the server's certificate")
    p.set_defaults(run=run_add)
    p = esub.add_parser("list", help="every engine: reachable or not, and the models it serves")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_list)
    p = esub.add_parser("remove", help="forget an engine you added (and its stored key)")
    p.add_argument("name")
    p.set_defaults(run=run_remove)
    p = esub.add_parser("login", help="store the engine's API key in the OS keyring")
    p.add_argument("name")
    p.add_argument("--key-stdin", action="store_true", help="read the key from standard input")
    p.add_argument("--logout", action="store_true", help="delete the stored key")
    p.set_defaults(run=run_login)


def run_add(args: argparse.Namespace) -> int:
    added = endpoints.add(args.name, args.url, args.ca_bundle)
    print(f"engine {added.name} added: {added.url}")
    print(f"  store its API key (if it has one) with: hearth engines login {added.name}")
    print(f"  chat with: hearth chat --engine {added.name} --model MODEL   (models: hearth engines list)")
    return 0


def run_list(args: argparse.Namespace) -> int:
    statuses = survey(load_policy())
    if args.json:
        print(json.dumps([s.to_json() for s in statuses], indent=1, ensure_ascii=False))
        return 0
    if not statuses:
        print("No engines. Add one with: hearth engines add NAME URL")
    for status in statuses:
        key = "key stored" if status.has_key else "no key"
        print(f"{status.endpoint.name}  {status.endpoint.url}  ({status.endpoint.source}, {key})")
        if status.error:
            print(f"  unreachable: {status.error}")
        for model in status.models:
            context = f", context {model.context}" if model.context else ""
            print(f"  {model.id}{context}")
        if status.reachable and not status.models:
            print("  serves no model the policy allows")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    if not endpoints.remove(args.name):
        raise HearthError(f"There is no engine called '{args.name}' to remove.", "See 'hearth engines list'.")
    secrets.delete_engine_token(args.name)
    print(f"engine {args.name} removed")
    return 0


def run_login(args: argparse.Namespace) -> int:
    endpoint = endpoints.find(args.name)
    if args.logout:
        print("key deleted" if secrets.delete_engine_token(endpoint.name) else "no key was stored")
        return 0
    key = sys.stdin.readline().strip() if args.key_stdin else getpass.getpass(f"API key for {endpoint.name}: ").strip()
    if not key:
        raise HearthError("No key given.")
    secrets.save_engine_token(endpoint.name, key)
    print(f"key stored in the OS keyring for {endpoint.name}")
    return 0
