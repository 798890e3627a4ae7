"""When a CPU of the machine stopped running programs: a probe for the stall benchmark.

On this project's virtual machines a CPU can stop for 20-60 ms while the benchmark loads the
machine (seen with this probe: ~2.6 s of such pauses per CPU over a 40 s run, none in 20 s
idle, while ``/proc/stat`` counted 30 ms of steal).  Traced with ``perf``, both CPUs stop
together, and the stops follow freed memory: the VM reports free pages to its host 2 s after
they are freed (virtio-balloon free page reporting), and freeing 1 GiB, then keeping both CPUs
busy, reproduced stops of 10-31 ms with no Hearth code running.  A window whose thread sleeps on that CPU
(waiting in ``poll`` for its next timer) is woken only when the CPU runs again, and
``bench/ui_stall.py`` counts the pause as a stall of the window although no code of Hearth's
ran long.  This probe tells the two apart: one process per CPU, pinned to it and real-time
scheduled where the system allows it (``SCHED_FIFO``: no program of the machine's own keeps it
from running), wakes every half millisecond and records each time it woke late, with the CPU the
window's thread was on when the pause ended.  A stall of the window counts a pause only when
the window's thread was on the CPU that paused.  Without the right to real-time scheduling the
probes run at normal priority and say so; their late wake-ups then include being preempted.

Written by hand: no library measures this.  Run by ``bench/ui_stall.py --pauses``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TICK_SECONDS = 0.0005
LATE_SECONDS = 0.003  # a wake-up this much later than asked counts as a pause


def make_real_time() -> bool:
    """SCHED_FIFO at a low real-time priority, where the system lets this process have it."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (AttributeError, PermissionError, OSError):
        return False
    return True


def cpu_of(pid: int, tid: int) -> int:
    """The CPU a thread last ran on (field 39 of its ``stat``)."""
    try:
        with open(f"/proc/{pid}/task/{tid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


def record(out: Path, cpu: int, pid: int, tid: int) -> None:
    running = [True]

    def stop(_signum: int, _frame: object) -> None:
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    os.sched_setaffinity(0, {cpu})
    real_time = make_real_time()
    print("real-time" if real_time else "normal priority", flush=True)  # the bench reads this line
    with out.open("w") as lines:
        last = time.perf_counter()
        while running[0]:
            time.sleep(TICK_SECONDS)
            now = time.perf_counter()
            if now - last > TICK_SECONDS + LATE_SECONDS:
                lines.write(f"{last:.6f} {now:.6f} {cpu} {cpu_of(pid, tid)}\n")
                lines.flush()  # read while the benchmark runs
            last = now


class PauseProbe:
    """The probes as child processes of the benchmark, watching the calling thread (the UI's)."""

    def __init__(self, folder: Path) -> None:
        import threading

        pid, tid = os.getpid(), threading.get_native_id()
        cpus = sorted(os.sched_getaffinity(0))
        self.outs = [folder / f"machine-pauses-{cpu}.txt" for cpu in cpus]
        self.processes = [
            subprocess.Popen(
                [sys.executable, __file__, str(out), str(cpu), str(pid), str(tid)], stdout=subprocess.PIPE, text=True
            )
            for cpu, out in zip(cpus, self.outs, strict=True)
        ]
        said = [process.stdout.readline().strip() if process.stdout else "" for process in self.processes]
        self.real_time = all(line == "real-time" for line in said)

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()

    def pauses(self) -> list[tuple[float, float]]:
        """The pauses so far of the CPU the watched thread was on (a pause is written when it
        ends, so this waits a moment for the one that ended with the last stall)."""
        time.sleep(0.02)
        return [pause for out in self.outs for pause in watched_pauses(out.read_text().splitlines())]


def watched_pauses(lines: list[str]) -> list[tuple[float, float]]:
    """Of one probe's ``start end cpu watched-cpu`` lines, the pauses of the CPU the watched
    thread was on (a line being written may be cut short)."""
    pauses = []
    for line in lines:
        fields = line.split()
        if len(fields) == 4 and fields[2] == fields[3]:
            pauses.append((float(fields[0]), float(fields[1])))
    return pauses


def paused_seconds(pauses: list[tuple[float, float]], start: float, end: float) -> float:
    """The seconds of ``pauses`` inside ``start``-``end``."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in pauses)


if __name__ == "__main__":
    record(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
