"""``hearth policy show|check`` and ``hearth network log``: what IT set, and what went out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.privacy import netguard, policy


def add_parsers(sub: Any) -> None:
    pol = sub.add_parser("policy", help="the organisation's machine-wide policy")
    psub = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    p = psub.add_parser("show", help="effective settings and where each value comes from")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_show)
    p = psub.add_parser("check", help="validate a policy file before deploying it")
    p.add_argument("file", type=Path)
    p.set_defaults(run=run_check)

    net = sub.add_parser("network", help="the network activity log")
    nsub = net.add_subparsers(dest="network_command", metavar="ACTION", required=True)
    p = nsub.add_parser("log", help="every connection Hearth made or blocked (when, where, why)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_log)


def run_show(args: argparse.Namespace) -> int:
    current = policy.load()
    machine = str(paths.machine_config_dir() / paths.POLICY_NAME)
    if args.json:
        data = {"path": str(current.path) if current.path else None, "valid": current.valid, "errors": list(current.errors)}
        extra = {"machine_policy": machine, "ignored_overrides": list(current.ignored)}
        print(json.dumps({**data, "values": current.values, "sources": current.sources, **extra}, indent=1))
        return 0
    where = str(current.path) if current.path else f"none (looked for {policy.policy_path()})"
    print(f"policy file: {where}")
    if str(current.path) == machine:
        print("  (the machine-wide policy: it is the only policy, and nothing in a user's environment replaces it)")
    for override in current.ignored:
        print(f"  ignored: {override} (a machine-wide policy is deployed)")
    if current.errors:
        print(f"INVALID: {current.describe_errors()}")
    for key, value in current.values.items():
        print(f"  {key:18} = {json.dumps(value):40} ({current.sources[key]})")
    return 0 if current.valid else policy.PolicyError.exit_code


def run_check(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        raise policy.PolicyError(f"Cannot read {args.file}: {exc.strerror}.") from None
    data, errors = policy.parse(text)
    if errors:
        raise policy.PolicyError(f"{args.file} is invalid: {'; '.join(errors)}.")
    print(f"{args.file}: valid ({len(data)} key(s) set: {', '.join(data) or 'none'})")
    return 0


def run_log(args: argparse.Namespace) -> int:
    entries = netguard.read_log()
    if args.json:
        print(json.dumps(entries, indent=1))
        return 0
    if not entries:
        print("No network activity recorded: Hearth has not connected anywhere.")
    for e in entries:
        verdict = "allowed" if e.get("allowed") else "BLOCKED"
        print(f"{e['time']}  {verdict:8} {e.get('host')}:{e.get('port')}  {e.get('why')}")
    return 0
