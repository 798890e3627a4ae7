"""Download one quantization of a catalog model: every shard, verified, registered.

Files are fetched into ``<models>/.downloads/<id>/<quant>/`` (same file system,
so the final move is an atomic rename) and only verified files are moved to
``<models>/<id>/<quant>/``.  Running the same download again after a crash, a
kill or a reboot resumes each ``.part`` where it stopped and skips shards that
are already verified.  Before any byte moves, the free disk space is checked
against what is still missing.

Byte-split publications (``x.gguf.part1of2`` …, mradermacher) are verified
part by part, then joined by appending the later parts to the first; the
registry keeps each part's size and hash so ``verify`` can still check them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from app.core.errors import DownloadError, InsufficientDiskError
from app.core.models import hub
from app.core.models.catalog import CatalogModel, CatalogQuant
from app.core.models.http_client import HttpClient
from app.core.models.info import inspect_model
from app.core.models.registry import Installed, InstalledFile, Registry
from app.core.models.transfer import DownloadControl, FileRequest, Progress, RetryPolicy, discard_partial, fetch_file, make_client
from app.core.privacy import netguard
from app.core.privacy.policy import load as load_policy
from app.core.privacy.secrets import load_token
from app.core.sentences import say

log = logging.getLogger(__name__)

DISK_MARGIN = 256 * 2**20


@dataclass(frozen=True)
class OverallProgress:
    """Progress over all files of one download, for a single progress bar."""

    done: int
    total: int
    file: Progress
    file_index: int
    file_count: int


def staging_dir(models_dir: Path, model: CatalogModel, quant: CatalogQuant) -> Path:
    return models_dir / ".downloads" / model.id / quant.quant


def install_dir(models_dir: Path, model: CatalogModel, quant: CatalogQuant) -> Path:
    return models_dir / model.id / quant.quant


def _verified(request: FileRequest) -> bool:
    """A file only reaches its staging name once verified; a wrong size means an interrupted join."""
    if not request.dest.exists():
        return False
    if request.dest.stat().st_size == request.size:
        return True
    request.dest.unlink()
    return False


def _on_disk(request: FileRequest) -> int:
    """Bytes of this file already here: all of it when verified, else a matching .part."""
    if _verified(request):
        return request.size
    try:
        recorded = json.loads(request.sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return request.part.stat().st_size if recorded == request.identity() and request.part.exists() else 0


@dataclass(frozen=True)
class PartialDownload:
    model_id: str
    quant: str
    bytes_on_disk: int


def partial_downloads(models_dir: Path) -> list[PartialDownload]:
    """Interrupted downloads waiting to be resumed (shown by 'hearth models list')."""
    found = []
    root = models_dir / ".downloads"
    for folder in sorted(root.glob("*/*")) if root.is_dir() else []:
        size = sum(p.stat().st_size for p in folder.iterdir() if not p.name.endswith((".json", ".lock")))
        if size:
            found.append(PartialDownload(folder.parent.name, folder.name, size))
    return found


def discard_download(models_dir: Path, model_id: str, quant: str) -> int:
    """Delete an interrupted download's partial files; returns the bytes freed.
    Refused while that download runs (in this or another Hearth process)."""
    stage = models_dir / ".downloads" / model_id / quant
    if not stage.is_dir():
        return 0
    with _staging_lock(stage, models_dir, f"{model_id} {quant} is being downloaded right now; cancel that download first."):
        freed = sum(p.stat().st_size for p in stage.iterdir() if p.is_file() and p.name != ".lock")
        for path in stage.iterdir():
            if path.name != ".lock":
                path.unlink()
    return freed


def check_disk(directory: Path, needed: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(directory).free
    if free < needed + DISK_MARGIN:
        raise InsufficientDiskError(
            say(
                "The download needs {needed:.1f} GiB more, but only {free:.1f} GiB is free on {directory}.",
                needed=needed / 2**30,
                free=free / 2**30,
                directory=directory,
            ),
            say("Free some space, or choose a smaller quantization."),
        )


def download(
    model: CatalogModel,
    quant: CatalogQuant,
    registry: Registry,
    *,
    endpoint: str | None = None,
    token: str | None = None,
    control: DownloadControl | None = None,
    on_progress: Callable[[OverallProgress], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
    client: HttpClient | None = None,
) -> Installed:
    rules = load_policy()
    rules.require_download()
    rules.require_model(model.id, quant.quant)
    endpoint = hub.hub_endpoint(endpoint)
    stage = staging_dir(registry.models_dir, model, quant)
    with (
        netguard.allow(endpoint, f"download of {model.id} {quant.quant}"),
        _staging_lock(
            stage,
            registry.models_dir,
            f"{model.name} {quant.quant} is already being downloaded by another Hearth window or process.",
        ),
    ):
        token = token or load_token(endpoint)
        wanted = [hub.Wanted(f.path, f.size, f.sha256) for f in quant.files]
        remote = hub.resolve(quant.repo, quant.revision, wanted, endpoint, token)
        headers = hub.auth_headers(endpoint, token)
        requests = [FileRequest(r.url, stage / Path(r.path).name, r.size, r.sha256, headers) for r in remote]
        total = sum(r.size for r in requests)
        have = sum(_on_disk(r) for r in requests)
        join_space = sum(r.size for r in requests[1:]) if quant.layout == "concat" else 0
        check_disk(stage, total - have + join_space)
        _fetch_all(requests, control or DownloadControl(), on_progress, policy, client)
        return _install(model, quant, registry, requests, remote[0].commit)


@contextmanager
def _staging_lock(stage: Path, models_dir: Path, busy: str) -> Iterator[None]:
    """One user of a staging folder at a time (a download, or discarding what it left), across
    processes; ``busy`` says who is in the way.  Afterwards a folder with nothing to resume goes."""
    stage.mkdir(parents=True, exist_ok=True)
    lock = FileLock(stage / ".lock", blocking=False)
    try:
        lock.acquire()
    except Timeout:
        raise DownloadError(busy) from None
    try:
        yield
    finally:
        lock.release()
        _tidy(stage, models_dir)


def _tidy(stage: Path, models_dir: Path) -> None:
    """Remove a staging folder that holds nothing to resume (only the lock file)."""
    if stage.is_dir() and all(p.name == ".lock" for p in stage.iterdir()):
        shutil.rmtree(stage, ignore_errors=True)
        for parent in (stage.parent, stage.parent.parent):
            if parent != models_dir and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()


def _fetch_all(
    requests: list[FileRequest],
    control: DownloadControl,
    on_progress: Callable[[OverallProgress], None] | None,
    policy: RetryPolicy,
    client: HttpClient | None,
) -> None:
    """Fetch every file not yet verified, reporting progress over all of them."""
    total = sum(r.size for r in requests)
    own_client = client is None
    client = client or make_client(policy)
    try:
        base = 0
        for index, request in enumerate(requests):
            if not _verified(request):

                def report(p: Progress, base: int = base, index: int = index) -> None:
                    if on_progress:
                        on_progress(OverallProgress(base + p.done, total, p, index, len(requests)))

                fetch_file(client, request, control, report, policy)
            base += request.size
    except DownloadError as exc:
        if control.cancelled and not control.keep_partial:
            for request in requests:
                discard_partial(request)
        raise exc from None
    finally:
        if own_client:
            client.close()


def _install(model: CatalogModel, quant: CatalogQuant, registry: Registry, requests: list[FileRequest], commit: str) -> Installed:
    target = install_dir(registry.models_dir, model, quant)
    target.mkdir(parents=True, exist_ok=True)
    if quant.layout == "concat":
        joined = target / quant.local_names[0]
        _join([r.dest for r in requests], joined)
        files = [InstalledFile(str(joined), joined.stat().st_size, None, [(r.size, r.sha256) for r in requests])]
    else:
        files = []
        for request in requests:
            final = target / request.dest.name
            os.replace(request.dest, final)
            files.append(InstalledFile(str(final), request.size, request.sha256))
    info = inspect_model(Path(files[0].path))  # a verified file must still be a GGUF we can load
    item = Installed(model.id, quant.quant, files, "download", model.name, True, quant.repo, commit)
    registry.add(item)
    shutil.rmtree(staging_dir(registry.models_dir, model, quant), ignore_errors=True)
    log.info("installed %s %s (%s, %d file(s), commit %s)", model.id, quant.quant, info.architecture, len(files), commit)
    return item


def _join(parts: list[Path], target: Path) -> None:
    """Append parts 2..n to part 1 (so only one extra copy of the later parts is ever on disk)."""
    first = parts[0]
    with open(first, "ab") as out:
        for part in parts[1:]:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            part.unlink()
        os.fsync(out.fileno())
    os.replace(first, target)
