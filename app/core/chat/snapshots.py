"""The KV-snapshot settings of a session, applied to its engine (on the engine's thread).

Disk snapshots are sealed with a key derived from the conversation store's own, so only a
session with a store can turn them on; turning them off (a user, or a policy that locks
``kv_snapshots_on_disk`` to false) deletes the files already written.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from app.core import paths
from app.core.privacy.locks import EffectiveSettings
from app.core.store.database import Store

if TYPE_CHECKING:
    from app.core.engine.llama import Engine

PURPOSE = "kv-snapshots"


def configure_snapshots(engine: Engine, *, store: Store, values: EffectiveSettings) -> None:
    on_disk = bool(values["kv_snapshots_on_disk"])
    secret = store.secret_for(PURPOSE) if on_disk else None
    engine.snapshots.configure(int(values["kv_snapshot_ram_mib"]) << 20, secret, store.owns_snapshot)


def remove_snapshot_files() -> None:
    """Delete every snapshot file (disk snapshots were turned off).  Needs no engine: done at
    once, also on a launch that loads no model (the engine is made only when one loads)."""
    folder = paths.kv_snapshots_dir()
    for path in folder.glob("*.kvs") if folder.exists() else ():
        path.unlink(missing_ok=True)
    for stray in folder.glob(".sealing-*") if folder.exists() else ():
        os.unlink(stray)
