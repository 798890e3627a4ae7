"""What happens each time the store opens, and now and then while the window runs.

Retention (the user's setting, or the policy's ``retention_days``, which wins)
deletes conversations untouched for that long, pinned ones excepted; answers
left ``partial`` by a process that died become ``interrupted``.  Every client
calls :func:`after_open` right after opening the store, and a long-running one
calls :func:`apply_retention` periodically, so the rule is the same whichever
client the user starts.
"""

from __future__ import annotations

import logging

from app.core.privacy.locks import EffectiveSettings, effective
from app.core.store.database import Store

log = logging.getLogger(__name__)

HEARTBEAT_S = 2.0  # a streaming answer's writer touches its row at least this often
STALE_AFTER_S = 15.0  # a partial answer untouched this long has no writer any more
RETENTION_EVERY_S = 3600.0  # how often a long-running client applies retention again


def apply_retention(store: Store, values: EffectiveSettings | None = None) -> int:
    """Delete conversations past the retention period; returns how many went."""
    days = (values or effective()).retention_days
    if not days:
        return 0
    removed = store.delete_older_than(float(days))
    if removed:
        log.info("retention: deleted %d conversation(s) untouched for %d days", removed, days)
    return removed


def after_open(store: Store, values: EffectiveSettings | None = None) -> list[str]:
    """Retention and crash clean-up; returns what to tell the user."""
    values = values or effective()
    notices = []
    removed = apply_retention(store, values)
    if removed:
        notices.append(f"Deleted {removed} conversation(s) older than {values.retention_days} days (retention setting).")
    interrupted = store.mark_interrupted(STALE_AFTER_S)
    if interrupted:
        notices.append(
            f"{interrupted} answer(s) were cut off when Hearth last stopped; they are marked interrupted and can be continued."
        )
    return notices
