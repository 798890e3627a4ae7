"""The KV-snapshot settings of a session, applied to its engine (on the engine's thread).

Disk snapshots are sealed with a key derived from the conversation store's own, so only a
session with a store can turn them on; turning them off (a user, or a policy that locks
``kv_snapshots_on_disk`` to false) deletes the files already written.
"""

from __future__ import annotations

from app.core.engine import kv_snapshots
from app.core.engine.llama import Engine
from app.core.privacy.locks import EffectiveSettings
from app.core.store.database import Store

PURPOSE = "kv-snapshots"


def configure_snapshots(engine: Engine, *, store: Store, values: EffectiveSettings) -> None:
    on_disk = bool(values["kv_snapshots_on_disk"])
    secret = store.secret_for(PURPOSE) if on_disk else None
    engine.snapshots.configure(int(values["kv_snapshot_ram_mib"]) << 20, secret, store.owns_snapshot)
    if not on_disk:
        kv_snapshots.remove_all()
