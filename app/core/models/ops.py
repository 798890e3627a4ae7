"""Import, remove, verify installed models, and switch between quantizations.

Import validates the GGUF first (our own header check), then copies it
(hashing in the same pass), hard-links it (no extra space, same volume only),
or references it in place.  A file whose sha256 matches a catalog pin is
registered as that catalog entry; one whose name matches a catalog file but
whose hash differs from the pin is registered as a local model, with a
warning; anything else becomes ``local-<name>``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import HearthError
from app.core.models.catalog import Catalog
from app.core.models.fit import Fit, fit_file
from app.core.models.hardware import Hardware
from app.core.models.hashing import CHUNK, sha256_file, sha256_range
from app.core.models.identity import identify_files
from app.core.models.info import inspect_model
from app.core.models.registry import Installed, InstalledFile, Registry
from app.core.sentences import say

log = logging.getLogger(__name__)

IMPORT_MODES = ("copy", "link", "reference")


@dataclass
class ImportResult:
    installed: Installed
    notices: list[str] = field(default_factory=list)


def _copy_hashing(src: Path, dst: Path, on_bytes: Callable[[int], None] | None) -> str:
    """Copy and hash in one read of the source (a model file can be 40 GB)."""
    hasher = hashlib.sha256()
    part = dst.with_name(dst.name + ".part")
    try:
        with open(src, "rb") as inp, open(part, "wb") as out:
            while chunk := inp.read(CHUNK):
                hasher.update(chunk)
                out.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise HearthError(
            say("Copying {name} failed: {strerror}.", name=src.name, strerror=exc.strerror), say("Nothing was imported.")
        ) from None
    os.replace(part, dst)
    return hasher.hexdigest()


def import_model(
    path: Path, registry: Registry, catalog: Catalog, mode: str = "copy", on_bytes: Callable[[int], None] | None = None
) -> ImportResult:
    if mode not in IMPORT_MODES:
        raise HearthError(say("Import mode must be one of {value}, not '{mode}'.", value=", ".join(IMPORT_MODES), mode=mode))
    info = inspect_model(path)  # raises a typed error for a bad, truncated or foreign file
    shards = [Path(s) for s in info.shards]
    notices: list[str] = []
    sizes = [s.stat().st_size for s in shards]
    # Where the file's name claims a catalog entry its size must agree before anything is copied.
    by_size = identify_files(shards[0].name, sizes, catalog)
    model_id, quant = by_size.model_id, by_size.quant
    target = registry.models_dir / model_id / quant
    if mode == "copy":
        # Imported here: the downloads module brings the HTTP clients (~120 ms), and the window
        # imports this module at start-up, long before anything is downloaded.
        from app.core.models.downloads import check_disk

        check_disk(registry.models_dir, sum(sizes))
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for shard in shards:
        dest = target / shard.name
        if mode == "copy":
            sha = _copy_hashing(shard, dest, on_bytes)
        elif mode == "link":
            try:
                dest.unlink(missing_ok=True)
                os.link(shard, dest)
            except OSError as exc:
                raise HearthError(
                    say("Cannot hard-link {name} into the models folder: {strerror}.", name=shard.name, strerror=exc.strerror),
                    say("Hard links only work on the same volume; import with --mode copy or --mode reference."),
                ) from None
            sha = sha256_file(dest, on_bytes)
        else:
            dest = shard.resolve()
            sha = sha256_file(dest, on_bytes)
        files.append(InstalledFile(str(dest), dest.stat().st_size, sha))
    identity = identify_files(shards[0].name, sizes, catalog, lambda: [f.sha256 for f in files])
    if identity.notice:
        notices.append(identity.notice)
    if identity.model_id != model_id:
        model_id = identity.model_id
        _move(files, registry.models_dir / model_id / quant, mode)
    elif identity.basis == "name and size":  # the catalog claims it but pins no hash
        notices.append(say("The catalog pins no hash for this file, so it was identified by its name and size."))
    in_catalog = identity.in_catalog
    for directory in (target, target.parent):  # a reference import leaves no files there
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    name = identity.name if in_catalog else info.name
    item = Installed(model_id, quant, files, mode, name, in_catalog)
    registry.add(item)
    return ImportResult(item, notices)


def _move(files: list[InstalledFile], target: Path, mode: str) -> None:
    if mode == "reference":
        return
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        new = target / Path(file.path).name
        os.replace(file.path, new)
        file.path = str(new)


def describe_removal(item: Installed) -> str:
    """What removing ``item`` deletes, for the confirmation a user sees before it happens."""
    if item.source == "shared":
        return say(
            "{key} is provided by your administrator in a shared folder and cannot be removed here.", key=item.name or item.key
        )
    files = [Path(f.path) for f in item.files if Path(f.path).exists()]
    if not item.owned or not files:
        if not item.files:
            return say("Hearth forgets {key}; its file stays where it is.", key=item.key)
        return say(
            "Hearth forgets {key}; its file stays where it is ({where}).", key=item.key, where=Path(item.files[0].path).parent
        )
    total = sum(p.stat().st_size for p in files) / 1e9
    names = ", ".join(p.name for p in files[:3])
    if len(files) > 3:
        names = say("{names} and {more} more", names=names, more=len(files) - 3)
    if len(files) == 1:
        return say("This deletes 1 file ({total:.1f} GB) from disk: {names}.", total=total, names=names)
    return say("This deletes {count} files ({total:.1f} GB) from disk: {names}.", count=len(files), total=total, names=names)


def remove_model(item: Installed, registry: Registry) -> list[str]:
    """Unregister; delete the files Hearth owns.  Returns what was deleted."""
    if item.source == "shared":
        raise HearthError(
            say(
                "{key} is provided by your administrator in a shared folder and cannot be removed here.",
                key=item.name or item.key,
            )
        )
    deleted = []
    if item.owned:
        for file in item.files:
            path = Path(file.path)
            if path.exists():
                path.unlink()
                deleted.append(str(path))
        folder = Path(item.files[0].path).parent
        for directory in (folder, folder.parent):
            if directory.is_dir() and directory != registry.models_dir and not any(directory.iterdir()):
                directory.rmdir()
    registry.forget(item.key)
    return deleted


@dataclass(frozen=True)
class VerifyResult:
    item: Installed
    ok: bool
    problems: tuple[str, ...]
    seconds: float


def expected_hashes(item: Installed, catalog: Catalog) -> list[str | None]:
    """Per file: the catalog pin when there is one, else the hash recorded at install."""
    pins: list[str | None] = [None] * len(item.files)
    if item.in_catalog:
        try:
            quant = catalog.get(item.model_id).quant(item.quant)
        except HearthError:
            quant = None
        if quant is not None and quant.layout != "concat" and len(quant.files) == len(item.files):
            pins = [f.sha256 for f in quant.files]
    return [pin or f.sha256 for pin, f in zip(pins, item.files)]


def verify_model(
    item: Installed, registry: Registry, catalog: Catalog, on_bytes: Callable[[int], None] | None = None
) -> VerifyResult:
    start = time.perf_counter()
    problems: list[str] = []
    for file, expected in zip(item.files, expected_hashes(item, catalog)):
        path = Path(file.path)
        if not path.exists():
            problems.append(say("{name} is missing", name=path.name))
            continue
        if path.stat().st_size != file.size:
            problems.append(
                say("{name} has {size} bytes, expected {expected}", name=path.name, size=path.stat().st_size, expected=file.size)
            )
            continue
        if file.segments:
            problems += _verify_segments(path, file.segments, on_bytes)
            continue
        actual = sha256_file(path, on_bytes)
        if expected is None:
            if item.source == "shared":  # first verify of a pre-seeded file the catalog knows no hash for
                problems.append(
                    say("{name}: no published sha256 to compare with (hash {actual}…)", name=path.name, actual=actual[:12])
                )
            file.sha256 = actual
        elif actual != expected:
            problems.append(
                say(
                    "{name} does not match its sha256 (expected {expected}…, got {actual}…)",
                    name=path.name,
                    expected=expected[:12],
                    actual=actual[:12],
                )
            )
        elif item.source == "shared":
            file.sha256 = actual
            registry.record_shared_hash(file)
    ok = not problems
    if item.source != "shared":
        if ok:
            item.verified_at = time.time()
        item.failed_verify = None if ok else "; ".join(problems)
        registry.add(item)  # a failed verdict is remembered: the load gate refuses the model until it passes
    return VerifyResult(item, ok, tuple(problems), time.perf_counter() - start)


def _verify_segments(path: Path, segments: list[tuple[int, str]], on_bytes: Callable[[int], None] | None) -> list[str]:
    problems = []
    with open(path, "rb", buffering=0) as raw:
        for index, (size, sha) in enumerate(segments, 1):
            if sha256_range(raw, size, on_bytes).hexdigest() != sha:
                problems.append(f"{path.name}: published part {index} does not match its sha256")
    return problems


@dataclass(frozen=True)
class SwitchPlan:
    target: Installed
    fit: Fit
    warnings: tuple[str, ...]


def plan_switch(current: Installed | None, target: Installed, hw: Hardware, n_ctx: int) -> SwitchPlan:
    """What changes when the conversation moves to ``target`` (the history itself is kept by the caller)."""
    new_info = inspect_model(target.path)
    new_fit = fit_file(new_info, hw, n_ctx)
    warnings = []
    if n_ctx > new_info.context_length:
        trained = new_info.context_length
        warnings.append(f"{target.quant} was trained for {trained} tokens of context, less than the {n_ctx} in use.")
    if current is not None:
        old_info = inspect_model(current.path)
        old_fit = fit_file(old_info, hw, n_ctx)
        if old_info.context_length != new_info.context_length:
            warnings.append(
                f"The context length changes from {old_info.context_length} to {new_info.context_length} tokens;"
                " the oldest messages may be left out."
            )
        old_total, new_total = old_fit.estimate.total, new_fit.estimate.total
        if abs(new_total - old_total) > old_total // 10:
            more = "more" if new_total > old_total else "less"
            gib = abs(new_total - old_total) / 2**30
            warnings.append(f"{target.quant} needs {gib:.2f} GiB {more} memory than {current.quant}.")
        if old_fit.verdict != new_fit.verdict:
            warnings.append(f"It will run {new_fit.label} instead of {old_fit.label}.")
    if new_fit.verdict == "no-fit":
        warnings.append(f"{target.quant} does not fit in this machine's memory at context {n_ctx}.")
    return SwitchPlan(target, new_fit, tuple(warnings))


def resolve_model(spec: str, registry: Registry, catalog: Catalog) -> tuple[Path, Installed | None]:
    """``--model`` value -> file to load: a path, or an installed ``ID`` / ``ID:QUANT``."""
    path = Path(spec).expanduser()
    if path.exists() or spec.endswith(".gguf") or "/" in spec or "\\" in spec:
        return path, None
    model_id, _, quant = spec.partition(":")
    item = registry.get(model_id, quant or None, catalog)
    return item.path, item


def ensure_verified(item: Installed, registry: Registry, catalog: Catalog) -> None:
    """A pre-seeded shared model is checked against its catalog hash before its first use
    (the result is remembered while the file is unchanged)."""
    pins = [pin for pin in expected_hashes(item, catalog) if pin]
    if not pins or all(f.sha256 for f in item.files):
        return
    result = verify_model(item, registry, catalog)
    if not result.ok:
        raise HearthError(
            say(
                "The pre-installed model {key} does not match its published hash: {problems}.",
                key=item.key,
                problems="; ".join(result.problems),
            ),
            say("It was not loaded. Tell your IT department."),
        )
