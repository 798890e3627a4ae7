"""``hearth models pin``: turn catalog entries into an admin catalog that pins every byte.

The bundled catalog names repositories, revisions (``main``) and file names from public pages;
what is actually in a repository changes (a re-upload, another shard count), and a revision
named ``main`` means "whatever is there today".  An administrator runs this once, on a
connected machine or against the internal mirror (``HF_ENDPOINT``), and deploys the result as
the machine-wide ``catalog.json``: every workstation then downloads exactly those commits and
verifies every file against the sha256 recorded here, whatever the endpoint says later.

For each entry it resolves the revision to its commit, lists the repository at that commit,
finds each quantization's files there (a split model's shards by their ``-NNNNN-of-NNNNN``
names in the quantization's folder, so a publisher who re-split a model is followed), and takes
each file's size and LFS sha256 from the Hub's ``paths-info``.  An entry whose files cannot all
be found, or whose files have no sha256, is not written: the command names them and fails, so a
half-pinned catalog is never deployed by accident.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import CatalogError, UnknownModelError
from app.core.models import hub
from app.core.models.catalog import CATALOG_NAME, PART_RE, admin_catalog_path, validate
from app.core.models.gguf_header import SPLIT_RE
from app.core.models.hashing import is_sha256
from app.core.sentences import say


@dataclass(frozen=True)
class RepoListing:
    commit: str
    files: dict[str, tuple[int, str | None]]  # path: (size, sha256)


Lister = Callable[[str, str], RepoListing]


def raw_entries() -> dict[str, dict[str, Any]]:
    """The catalog entries as JSON (bundled, then the admin's replacing those with its ids)."""
    entries: dict[str, dict[str, Any]] = {}
    for path in (paths.bundled_models_dir() / CATALOG_NAME, admin_catalog_path()):
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            validate(data, str(path))
            entries.update({e["id"]: e for e in data["models"]})
    return entries


def hub_lister(endpoint: str, token: str | None) -> Lister:
    """List a repository at a revision through huggingface-hub (the Hub, or a mirror)."""
    hf = hub._hub(endpoint)

    def listing(repo: str, revision: str) -> RepoListing:
        api = hf.HfApi(endpoint=endpoint, token=token or False)
        try:
            info = api.model_info(repo, revision=revision)
            names = [s.rfilename for s in info.siblings or [] if s.rfilename.endswith(".gguf") or ".gguf.part" in s.rfilename]
            commit = str(info.sha or revision)
            infos = api.get_paths_info(repo, names, revision=commit) if names else []
        except hf.errors.RepositoryNotFoundError:
            raise CatalogError(
                say("{repo} was not found on {endpoint} (or needs a token: 'hearth models login').", repo=repo, endpoint=endpoint)
            ) from None
        except hf.errors.RevisionNotFoundError:
            raise CatalogError(
                say("Revision {revision} of {repo} was not found on {endpoint}.", revision=revision, repo=repo, endpoint=endpoint)
            ) from None
        except hf.errors.HfHubHTTPError as exc:
            raise CatalogError(
                say("{endpoint} answered with an error for {repo}: {exc}.", endpoint=endpoint, repo=repo, exc=exc)
            ) from None
        files = {}
        for item in infos:
            lfs = getattr(item, "lfs", None)
            sha = lfs.sha256 if lfs is not None and is_sha256(getattr(lfs, "sha256", None)) else None
            files[item.path] = (int(item.size), sha)
        return RepoListing(commit, files)

    return listing


def _shard_family(path: str) -> re.Pattern[str]:
    """The names of every shard of the split model whose first shard is ``path``."""
    folder, _, name = path.rpartition("/")
    match = SPLIT_RE.match(name)
    stem = re.escape(match["stem"] if match else name.removesuffix(".gguf"))
    prefix = re.escape(folder + "/") if folder else ""
    return re.compile(rf"^{prefix}{stem}-(\d{{5}})-of-(\d{{5}})\.gguf$")


def _files_for(quant: dict[str, Any], listing: RepoListing) -> tuple[list[str], str | None]:
    """The repository's files for one quantization, in order, or why they cannot be found."""
    named = [f["path"] for f in quant["files"]]
    layout = quant.get("layout", "single")
    if layout == "gguf-split":
        family = _shard_family(named[0])
        found = sorted((p for p in listing.files if family.match(p)), key=lambda p: int(family.match(p)[1]))  # type: ignore[index]
        counts = {int(family.match(p)[2]) for p in found}  # type: ignore[index]
        if not found or counts != {len(found)}:
            return [], f"the shards of {named[0]} are not all in the repository"
        return found, None
    if layout == "concat":
        stem = PART_RE.sub("", named[0])
        found = sorted((p for p in listing.files if PART_RE.sub("", p) == stem and PART_RE.search(p)), key=_part_no)
        return (found, None) if found else ([], f"{named[0]} is not in the repository")
    missing = [p for p in named if p not in listing.files]
    return (named, None) if not missing else ([], f"{', '.join(missing)} not in the repository")


def _part_no(path: str) -> int:
    match = PART_RE.search(path)
    return int(match[1]) if match else 0


def pin_entries(
    entries: Sequence[dict[str, Any]], lister: Lister, on_model: Callable[[str], None] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Pinned copies of ``entries`` and the problems that kept any of them from being pinned."""
    listings: dict[tuple[str, str], RepoListing] = {}
    pinned: list[dict[str, Any]] = []
    problems: list[str] = []
    for entry in entries:
        if on_model:
            on_model(entry["id"])
        model = json.loads(json.dumps(entry))  # a deep copy to fill in
        own = []
        for quant in model["quants"]:
            repo = quant.get("repo", model["repo"])
            revision = quant.get("revision", model["revision"])
            if (repo, revision) not in listings:
                listings[repo, revision] = lister(repo, revision)
            listing = listings[repo, revision]
            files, why = _files_for(quant, listing)
            unhashed = [p for p in files if listing.files[p][1] is None]
            if why or unhashed:
                own.append(f"{entry['id']} {quant['quant']}: {why or 'no sha256 published for ' + ', '.join(unhashed)}")
                continue
            quant["files"] = [{"path": p, "size": listing.files[p][0], "sha256": listing.files[p][1]} for p in files]
            quant["approx_bytes"] = sum(listing.files[p][0] for p in files)
            if len(files) > 1 and quant.get("layout", "single") == "single":
                quant["layout"] = "gguf-split"
            if "repo" in quant or "revision" in quant:
                quant["revision"] = listing.commit
        if own:
            problems += own
            continue
        key = (model["repo"], entry["revision"])
        if key not in listings:
            listings[key] = lister(*key)
        model["revision"] = listings[key].commit
        pinned.append(model)
    return pinned, problems


def pin_catalog(
    model_ids: Sequence[str], on_model: Callable[[str], None] | None = None
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Pin these catalog entries (all when none are named) at the configured endpoint, under the
    same rules as a download (the policy's downloads switch, the egress allowance); returns the
    pinned entries, the problems and the endpoint."""
    from app.core.privacy import netguard, secrets
    from app.core.privacy.policy import load as load_policy

    entries = raw_entries()
    unknown = [m for m in model_ids if m.lower() not in entries]
    if unknown:
        raise UnknownModelError(
            say("No model {unknown} in the catalog.", unknown=", ".join(unknown)), say("Run 'hearth models list' to see the ids.")
        )
    chosen = [entries[m.lower()] for m in model_ids] if model_ids else list(entries.values())
    load_policy().require_download()
    endpoint = hub.hub_endpoint()
    lister = hub_lister(endpoint, secrets.load_token(endpoint))
    with netguard.allow(endpoint, "pinning the catalog"):
        pinned, problems = pin_entries(chosen, lister, on_model)
    return pinned, problems, endpoint


def write_catalog(entries: list[dict[str, Any]], out: Path) -> None:
    """Validate, then write the admin catalog (one step: never a half-written file)."""
    data = {"schema_version": 1, "models": entries}
    validate(data, str(out))
    from app.core.settings import write_json

    write_json(out, data)
