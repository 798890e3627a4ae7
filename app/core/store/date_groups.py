"""Which heading a conversation is listed under: Pinned, Today, Yesterday, Previous 7 days,
Previous 30 days, then month by month ("November 2026") and year by year.

In core, not in the window, so every client groups a list the same way (the sidebar and
``hearth conversations`` agree).  Days are calendar days in the user's local time, not
24-hour spans: a conversation from 23:50 last night is "Yesterday" at 00:10.
A client in another language passes ``words`` (its translation of each phrase in
:data:`PHRASES`); core still decides the grouping.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

PINNED = "Pinned"
# Not strftime's %B: that follows the C locale, not the client's language.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PHRASES = (PINNED, "Today", "Yesterday", "Previous 7 days", "Previous 30 days", *MONTHS)
Words = Callable[[str], str]  # a client's translation of a phrase (str: as written)


class Listed(Protocol):
    @property
    def pinned(self) -> bool | int: ...

    @property
    def updated_at(self) -> float: ...


T = TypeVar("T", bound=Listed)


def group_of(updated_at: float, pinned: bool = False, now: float | None = None, words: Words = str) -> str:
    """The heading of one conversation last changed at ``updated_at`` (seconds since the epoch)."""
    if pinned:
        return words(PINNED)
    today = dt.datetime.fromtimestamp(time.time() if now is None else now).date()
    day = dt.datetime.fromtimestamp(updated_at).date()
    age = (today - day).days
    if age <= 0:
        return words("Today")  # a clock set back still lists the newest first, under Today
    if age == 1:
        return words("Yesterday")
    if age <= 7:
        return words("Previous 7 days")
    if age <= 30:
        return words("Previous 30 days")
    if day.year == today.year or age < 365:
        return f"{words(MONTHS[day.month - 1])} {day.year}"
    return str(day.year)


def grouped(
    items: Iterable[T], now: float | None = None, after: str | None = None, words: Words = str
) -> Iterator[tuple[str | None, T]]:
    """``(heading, item)`` for items already in list order (pinned first, newest first); the
    heading is given with the first item of each group and None after it.  ``after`` is the
    heading the previous page ended in, so a list read a page at a time gets each heading once."""
    current = after
    for item in items:
        heading = group_of(item.updated_at, bool(item.pinned), now, words)
        yield (heading if heading != current else None), item
        current = heading
