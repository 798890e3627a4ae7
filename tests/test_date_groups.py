"""The sidebar's date headings come from core: calendar days in local time, pinned on top."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.store.date_groups import group_of, grouped

NOW = dt.datetime(2026, 12, 2, 0, 10).timestamp()  # ten past midnight


def at(*when: int) -> float:
    return dt.datetime(*when).timestamp()  # type: ignore[arg-type]


def test_headings_follow_calendar_days_not_24_hour_spans() -> None:
    assert group_of(at(2026, 12, 2, 0, 5), now=NOW) == "Today"
    assert group_of(at(2026, 12, 1, 23, 50), now=NOW) == "Yesterday"  # 20 minutes ago, but yesterday
    assert group_of(at(2026, 11, 30, 12), now=NOW) == "Previous 7 days"
    assert group_of(at(2026, 11, 25, 12), now=NOW) == "Previous 7 days"
    assert group_of(at(2026, 11, 24, 12), now=NOW) == "Previous 30 days"
    assert group_of(at(2026, 10, 20), now=NOW) == "October 2026"
    assert group_of(at(2026, 1, 3), now=NOW) == "January 2026"
    assert group_of(at(2025, 12, 20), now=NOW) == "December 2025"  # under a year: still by month
    assert group_of(at(2024, 6, 1), now=NOW) == "2024"
    assert group_of(at(2026, 12, 5), now=NOW) == "Today"  # a clock set back: the future is today
    assert group_of(at(2020, 1, 1), pinned=True, now=NOW) == "Pinned"


@dataclass
class Row:
    title: str
    updated_at: float
    pinned: bool = False


def test_each_heading_is_given_once_also_across_pages() -> None:
    rows = [
        Row("kept", at(2026, 1, 1), pinned=True),
        Row("a", at(2026, 12, 2, 0, 1)),
        Row("b", at(2026, 12, 1, 9)),
        Row("c", at(2026, 12, 1, 8)),
    ]
    first = [(heading, row.title) for heading, row in grouped(rows[:3], now=NOW)]
    assert first == [("Pinned", "kept"), ("Today", "a"), ("Yesterday", "b")]
    assert [(h, r.title) for h, r in grouped(rows[3:], now=NOW, after="Yesterday")] == [(None, "c")]
