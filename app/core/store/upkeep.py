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
from contextlib import suppress

from app.core.errors import HearthError
from app.core.privacy.locks import EffectiveSettings, effective
from app.core.sentences import say
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
    notices: list[str] = []
    removed = apply_retention(store, values)
    if removed:
        notices.append(
            say(
                ("Deleted {removed} conversation(s) older than {retention_days} days (retention setting)."),
                removed=removed,
                retention_days=values.retention_days,
            )
        )
    interrupted = store.mark_interrupted(STALE_AFTER_S)
    if interrupted:
        notices.append(
            say(
                (
                    "{interrupted} answer(s) were cut off when Hearth last stopped; they are marked "
                    "interrupted and can be continued."
                ),
                interrupted=interrupted,
            )
        )
    return notices


class _Undo(Exception):
    """Ends the warm-up's transaction with a rollback."""


def warm_writes(store: Store) -> None:
    """A new question's writes (a conversation, the question, an empty answer), run once on the
    calling thread's connection in a transaction that is rolled back: nothing is kept.

    The first question a connection writes cost ~7.5 ms here (its statements prepared, the
    tables' and indexes' pages read and decrypted), later ones ~2.7 ms; the window runs this on
    its UI thread at an idle moment after start-up, so the first Send does not pay it.
    """
    with suppress(_Undo), store.transaction():
        conversation = store.create_conversation("")
        question = store.add_message(conversation, "user", "", parent_id=None)
        fields = {"status": "partial", "model_id": None, "quant": None, "engine": None}  # as StreamRecorder.start
        store.add_message(conversation, "assistant", "", parent_id=question, **fields)
        raise _Undo


def warm_store(store: Store) -> None:
    """:func:`warm_writes`, where a problem is only logged: a store that cannot be written (a full
    disk, a read-only folder) says so when the user writes, not at an idle moment after start."""
    try:
        warm_writes(store)
    except HearthError as exc:
        log.info("the store's writes were not warmed up: %s", exc)
