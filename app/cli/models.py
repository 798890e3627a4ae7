"""``hearth models …`` and ``hearth hw``: the model manager from a terminal.

Exit codes: 0 ok; 1 verify found a damaged file; 2 usage; 3 bad model file;
6 unknown model/quant or bad catalog; 7 download failed (network, hash, disk,
auth; what was fetched is kept for a resume); 8 no OS keyring; 130 cancelled.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from app.core.errors import CatalogError, HearthError, UnknownModelError
from app.core.models import hardware, hub, speed
from app.core.models.catalog import Catalog, CatalogModel, admin_catalog_path, load_catalog, load_file
from app.core.models.downloads import OverallProgress, download, partial_downloads
from app.core.models.fit import fit_catalog, recommend
from app.core.models.ops import IMPORT_MODES, import_model, remove_model, verify_model
from app.core.models.pacing import ProgressPacer
from app.core.models.registry import Installed, Registry

GB = 1e9


def add_parsers(sub: Any) -> None:
    hw = sub.add_parser("hw", help="show the hardware Hearth detected")
    hw.add_argument("--json", action="store_true")
    hw.set_defaults(run=run_hw)

    models = sub.add_parser("models", help="list, download, import, verify and remove models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = msub.add_parser("list", help="catalog and installed models, with the fit on this machine")
    p.add_argument("--installed", action="store_true", help="only installed models")
    p.add_argument("--ctx", type=int, default=4096, metavar="N", help="context size for the fit estimate")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_list)

    p = msub.add_parser("info", help="one model: quantizations, sizes, fit, what is installed")
    p.add_argument("model", metavar="ID")
    p.add_argument("--ctx", type=int, default=4096, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_info)

    p = msub.add_parser("download", help="download a model (resumes an interrupted download)")
    p.add_argument("model", metavar="ID")
    p.add_argument("--quant", metavar="Q", help="quantization (default: the recommended one for this machine)")
    p.add_argument("--json", action="store_true", help="progress as JSON lines instead of a bar")
    p.set_defaults(run=run_download)

    p = msub.add_parser("verify", help="re-hash installed files against the catalog or the recorded hash")
    p.add_argument("model", nargs="?", metavar="ID", help="default: every installed model")
    p.add_argument("--quant", metavar="Q")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_verify)

    p = msub.add_parser("import", help="add a local GGUF file (the first shard of a split model)")
    p.add_argument("path", type=Path)
    p.add_argument("--mode", choices=IMPORT_MODES, default="copy", help="copy (default), hard-link, or use in place")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_import)

    p = msub.add_parser("remove", help="remove an installed model")
    p.add_argument("model", metavar="ID")
    p.add_argument("--quant", metavar="Q")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_remove)

    p = msub.add_parser("pin", help="resolve commits, sizes and sha256 and write an admin catalog (IT, once)")
    p.add_argument("models", nargs="*", metavar="ID", help="catalog ids (default: every entry)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the admin catalog to write")
    p.set_defaults(run=run_pin)

    p = msub.add_parser("check-catalog", help="validate an admin catalog file before deploying it")
    p.add_argument("path", type=Path)
    p.set_defaults(run=run_check_catalog)

    p = msub.add_parser("login", help="store a Hub token in the OS keyring (for gated models)")
    p.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    p.add_argument("--logout", action="store_true", help="delete the stored token")
    p.set_defaults(run=run_login)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=1, ensure_ascii=False))


def _gb(n: int) -> str:
    """Sizes as the Hub shows them (decimal units)."""
    for unit, scale in (("GB", GB), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n} B"


def run_hw(args: argparse.Namespace) -> int:
    hw = hardware.detect()
    if args.json:
        _print_json({**hw.to_json(), "backend": hardware.llama_backend()})
        return 0
    print(f"RAM: {_gb(hw.ram_total_bytes)} total, {_gb(hw.ram_available_bytes)} available")
    print(f"CPU: {hw.physical_cores} cores, {hw.cpu_threads} threads")
    for gpu in hw.gpus:
        print(f"GPU: {gpu.name} ({gpu.kind}), {_gb(gpu.total_bytes)} total, {_gb(gpu.free_bytes)} free")
    if not hw.gpus:
        print("GPU: none")
    print(f"llama.cpp backend: {hardware.describe_backend()}")
    return 0


def _model_json(model: CatalogModel, hw: hardware.Hardware, ctx: int, installed: list[Installed]) -> dict[str, Any]:
    best = recommend(model, hw, ctx)
    have = {i.quant for i in installed if i.model_id == model.id}
    return {
        "id": model.id,
        "name": model.name,
        "family": model.family,
        "parameters_b": model.parameters_b,
        "architecture": model.architecture,
        "license": model.license,
        "context_length": model.context_length,
        "sampling": {"temperature": model.temperature, "top_p": model.top_p, "system_prompt": model.system_prompt},
        "repo": model.repo,
        "revision": model.revision,
        "source": model.source,
        "recommended_quant": best.quant if best else None,
        "quants": [
            {
                "quant": q.quant,
                "size_bytes": q.size_bytes,
                "files": len(q.files),
                "layout": q.layout,
                "installed": q.quant in have,
                "fit": fit_catalog(model, q, hw, ctx).to_json(),
            }
            for q in model.quants
        ],
    }


def _measured(hw: hardware.Hardware) -> hardware.Hardware:
    """Speed estimates need this machine's memory bandwidth: measured once, then cached."""
    if speed.cpu_rates(hw) is None:
        print("hearth: timing this machine's memory and llama.cpp's kernels once, for the speed estimates", file=sys.stderr)
        speed.ensure_measured(hw)
    return hw


def run_list(args: argparse.Namespace) -> int:
    catalog, registry, hw = load_catalog(), Registry(), _measured(hardware.detect())
    installed = registry.all(catalog)
    if args.json:
        partial = [
            {"model_id": p.model_id, "quant": p.quant, "bytes_on_disk": p.bytes_on_disk}
            for p in partial_downloads(registry.models_dir)
        ]
        data: dict[str, Any] = {
            "installed": [i.to_json() for i in installed],
            "disk_usage_bytes": _usage(installed),
            "partial_downloads": partial,
        }
        if not args.installed:
            data["catalog"] = [_model_json(m, hw, args.ctx, installed) for m in catalog.models]
        _print_json(data)
        return 0
    if not args.installed:
        print(f"{'ID':26} {'PARAMS':>7}  {'RECOMMENDED':12} {'FIT':40} QUANTS")
        for model in catalog.models:
            best = recommend(model, hw, args.ctx)
            fit = fit_catalog(model, best, hw, args.ctx).label if best else "too big for this machine"
            quants = " ".join(q.quant for q in model.quants)
            print(f"{model.id:26} {model.parameters_b:6.1f}B  {best.quant if best else '-':12} {fit:40} {quants}")
        print()
    print("Installed:" if installed else "Nothing installed yet. Try: hearth models download r1-distill-qwen-1.5b")
    for item in installed:
        print(f"  {item.key:40} {_gb(item.size_bytes):>10}  {item.source:9} {item.path}")
    if installed:
        print(f"  disk used: {_gb(_usage(installed))} (shared and referenced files included)")
    for part in partial_downloads(registry.models_dir):
        print(f"Interrupted download: {part.model_id} {part.quant}, {_gb(part.bytes_on_disk)} so far."
              f" Resume: hearth models download {part.model_id} --quant {part.quant}")  # fmt: skip
    return 0


def _usage(installed: list[Installed]) -> int:
    return sum(i.size_bytes for i in installed)


def run_info(args: argparse.Namespace) -> int:
    catalog, registry, hw = load_catalog(), Registry(), _measured(hardware.detect())
    installed = registry.all(catalog)
    try:
        model = catalog.get(args.model)
    except UnknownModelError:
        local = [i for i in installed if i.model_id == args.model]
        if not local:
            raise
        if args.json:
            _print_json([i.to_json() for i in local])
        else:
            for item in local:
                print(f"{item.key}: {item.name}, {_gb(item.size_bytes)}, {item.source}, {item.path}")
        return 0
    data = _model_json(model, hw, args.ctx, installed)
    if args.json:
        _print_json(data)
        return 0
    print(f"{model.name} ({model.id}) - {model.family}, {model.parameters_b}B parameters, {model.architecture}")
    print(f"license: {model.license}; context: {model.context_length} tokens; source: {model.repo}@{model.revision}")
    system = "yes" if model.system_prompt else "no"
    print(f"sampling: temperature {model.temperature}, top-p {model.top_p}; system prompt: {system}")
    print(f"fit at context {args.ctx} on this machine:")
    for q in data["quants"]:
        mark = "*" if q["quant"] == data["recommended_quant"] else " "
        have = "installed" if q["installed"] else ""
        print(f" {mark} {q['quant']:12} {_gb(q['size_bytes']):>10}  {q['fit']['label']:42} {have}")
    print("(* recommended)")
    return 0


class _Bar:
    """tqdm over the bytes of all files of a download; JSON lines with --json."""

    JSON_EVERY_S = 0.5  # while bytes flow: a line twice a second, and one at every change of state

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.bar: Any = None
        self.lines = ProgressPacer(self.JSON_EVERY_S)

    def __call__(self, p: OverallProgress) -> None:
        if self.as_json:
            if self.lines.due(p.file.state):
                line = {"type": "progress", "state": p.file.state, "file": p.file.name, "done": p.done, "total": p.total}
                line.update(speed_bps=round(p.file.speed_bps), eta_s=p.file.eta_s, message=p.file.message)
                print(json.dumps(line), flush=True)
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=p.total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, dynamic_ncols=True)
        self.bar.set_description(f"{p.file.name} ({p.file_index + 1}/{p.file_count}) {p.file.state}")
        self.bar.update(p.done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_download(args: argparse.Namespace) -> int:
    catalog, registry = load_catalog(), Registry()
    model = catalog.get(args.model)
    if args.quant:
        quant = model.quant(args.quant)
    else:
        best = recommend(model, _measured(hardware.detect()))
        if best is None:
            raise HearthError(f"No quantization of {model.name} fits this machine.", "Choose a smaller model.")
        quant = best
        print(f"hearth: downloading {quant.quant}, the recommended quantization for this machine", file=sys.stderr)
    bar = _Bar(args.json)
    try:
        item = download(model, quant, registry, on_progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps({"type": "done", "installed": item.to_json()}), flush=True)
    else:
        print(f"installed {item.key}: {item.path}")
    return 0


def _selected(registry: Registry, catalog: Catalog, model: str | None, quant: str | None) -> list[Installed]:
    if model is None:
        return registry.all(catalog)
    if quant is None:
        found = [i for i in registry.all(catalog) if i.model_id == model]
        if not found:
            raise UnknownModelError(f"'{model}' is not installed.", "See 'hearth models list'.")
        return found
    return [registry.get(model, quant, catalog)]


def run_verify(args: argparse.Namespace) -> int:
    catalog, registry = load_catalog(), Registry()
    results = [verify_model(item, registry, catalog) for item in _selected(registry, catalog, args.model, args.quant)]
    if args.json:
        _print_json([{"key": r.item.key, "ok": r.ok, "problems": list(r.problems), "seconds": r.seconds} for r in results])
    else:
        for r in results:
            status = "ok" if r.ok else "FAILED: " + "; ".join(r.problems)
            print(f"{r.item.key}: {status} ({_gb(r.item.size_bytes)} in {r.seconds:.1f} s)")
    return 0 if all(r.ok for r in results) else 1


def run_import(args: argparse.Namespace) -> int:
    result = import_model(args.path, Registry(), load_catalog(), args.mode)
    for notice in result.notices:
        print(f"hearth: {notice}", file=sys.stderr)
    if args.json:
        _print_json({"installed": result.installed.to_json(), "notices": result.notices})
    else:
        print(f"imported {result.installed.key} ({args.mode}): {result.installed.path}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    catalog, registry = load_catalog(), Registry()
    items = _selected(registry, catalog, args.model, args.quant)
    if len(items) > 1:
        quants = ", ".join(i.quant for i in items)
        raise UnknownModelError(f"Several quantizations of {args.model} are installed ({quants}).", "Add --quant to pick one.")
    deleted = remove_model(items[0], registry)
    if args.json:
        _print_json({"removed": items[0].key, "deleted_files": deleted})
    else:
        print(f"removed {items[0].key}" + (f" ({len(deleted)} file(s) deleted)" if deleted else " (files left in place)"))
    return 0


def run_pin(args: argparse.Namespace) -> int:
    from app.core.models import pinning

    pinned, problems, endpoint = pinning.pin_catalog(
        args.models, lambda model_id: print(f"hearth: pinning {model_id}", file=sys.stderr)
    )
    for problem in problems:
        print(f"hearth: cannot pin {problem}", file=sys.stderr)
    if problems:
        raise CatalogError(
            f"{len(problems)} quantization(s) could not be pinned; nothing was written.",
            "Pin the other models by id, or fix the entries in an admin catalog first.",
        )
    pinning.write_catalog(pinned, args.output)
    files = sum(len(q["files"]) for m in pinned for q in m["quants"])
    print(f"wrote {args.output}: {len(pinned)} model(s), {files} file(s) pinned to commit and sha256 from {endpoint}")
    print(f"deploy it as {admin_catalog_path()} on every workstation")
    return 0


def run_check_catalog(args: argparse.Namespace) -> int:
    models = load_file(args.path, str(args.path))
    quants = sum(len(m.quants) for m in models)
    print(f"{args.path}: valid, {len(models)} model(s), {quants} quantization(s)")
    return 0


def run_login(args: argparse.Namespace) -> int:
    if args.logout:
        print("token deleted" if hub.sign_out() else "no token was stored")
        return 0
    prompt = f"Hub token for {hub.hub_endpoint()}: "
    token = sys.stdin.readline() if args.token_stdin else getpass.getpass(prompt)
    endpoint = hub.sign_in(token)
    print(f"token stored in the OS keyring for {endpoint}")
    return 0
