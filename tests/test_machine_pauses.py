"""The stall benchmark's probe of the machine's own pauses (``bench/machine_pauses.py``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.machine_pauses import PauseProbe, paused_seconds, watched_pauses


def test_only_pauses_of_the_watched_threads_cpu_inside_the_stall_count() -> None:
    lines = [
        "10.000 10.030 0 0",  # 30 ms on CPU 0, where the window's thread was
        "10.040 10.050 1 0",  # CPU 1 paused: the window's thread was on CPU 0
        "10.100 10.200 0 0",  # begins inside the stall, ends after it
        "9.000 9.500 0 0",  # before the stall
        "10.300 10.3",  # a line still being written
    ]
    pauses = watched_pauses(lines)
    assert paused_seconds(pauses, 10.010, 10.150) == pytest.approx(0.020 + 0.050)
    assert paused_seconds(pauses, 11.0, 12.0) == 0.0


def test_the_probes_start_on_every_cpu_and_stop_when_told(tmp_path: Path) -> None:
    probe = PauseProbe(tmp_path)
    try:
        assert len(probe.processes) == len(probe.outs) >= 1
        assert all(process.poll() is None for process in probe.processes)
        now = time.perf_counter()
        assert 0.0 <= paused_seconds(probe.pauses(), now - 0.5, now) <= 0.5  # what this machine did meanwhile, whatever it was
    finally:
        probe.close()
    assert all(process.returncode == 0 for process in probe.processes)
    assert all(out.exists() for out in probe.outs)
