"""The installed Qt binding must survive a long chat: thousands of signal emissions.

PySide6 6.12.0 loses a reference to ``True`` on every Python-side ``emit`` (and on
``processEvents()``), so a process aborts after a few hundred tokens with
"deallocating True or False".  constraints.txt pins a version without the bug;
this test fails if an upgrade brings it back.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    event = Signal(object)
    pair = Signal(str, str)


def test_signal_emission_keeps_reference_counts(qtbot) -> None:  # type: ignore[no-untyped-def]
    emitter = _Emitter()
    seen: list[object] = []
    emitter.event.connect(seen.append)
    emitter.pair.connect(lambda a, b: seen.append(a))
    before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(5000):
        emitter.event.emit([i])
        emitter.pair.emit("reasoning", "token")
    qtbot.wait(1)
    assert len(seen) == 10000
    after = sys.getrefcount(True), sys.getrefcount(None)
    # The bug loses one reference per emit (10,000 here); ordinary allocation noise is a few dozen.
    assert abs(after[0] - before[0]) < 1000 and abs(after[1] - before[1]) < 1000
