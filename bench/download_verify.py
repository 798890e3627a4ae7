"""Download and verify throughput (issue #3).

1. Download a 1 GiB file from the loopback Hub server with Hearth's
   downloader (Range, .part file, sha256 while streaming, atomic rename) vs
   ``curl -o`` of the same URL from the same server.  Target: >= 0.9x.
2. ``verify`` (sha256 of an installed file) vs ``sha256sum``.  Target: >= 0.9x.

Both sides run alternately in one process, best of N (noise on a shared
machine only ever slows a run down).  The file is generated once into
Hearth's cache dir.  Run: ``.venv/bin/python bench/download_verify.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import paths  # noqa: E402
from app.core.models.hashing import sha256_file  # noqa: E402
from app.core.models.transfer import FileRequest, fetch_file, make_client  # noqa: E402

SIZE = 1 << 30
ROUNDS = 6
NAME = "bench-1gib.gguf"


def payload() -> Path:
    path = paths.user_dirs().cache / "bench" / "serve" / NAME
    if not path.exists() or path.stat().st_size != SIZE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(SIZE))
    return path


def report(base_name: str, base: list[float], ours_name: str, ours: list[float], ratio_name: str) -> None:
    """Throughput best and median of each side; ratios > 1 mean Hearth is faster."""
    mib = SIZE / 2**20
    for name, times in ((base_name, base), (ours_name, ours)):
        runs = ", ".join(f"{t:.2f}s" for t in times)
        print(f"{name:38}: {mib / min(times):7.1f} MiB/s best, {mib / statistics.median(times):7.1f} median  (runs: {runs})")
    print(f"{'ratio ' + ratio_name + ', best runs':38}: {min(base) / min(ours):7.3f}   (target >= 0.9)")
    print(f"{'ratio ' + ratio_name + ', medians':38}: {statistics.median(base) / statistics.median(ours):7.3f}")


def main() -> None:
    source = payload()
    sha = sha256_file(source)
    # The server runs in its own process, as a real mirror would: in this
    # process it would compete with Hearth's client for the GIL but not with curl.
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.hub_server", str(source.parent), str(1 << 20)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    url = f"{server.stdout.readline().strip()}/local/models/resolve/main/{NAME}"
    out = paths.user_dirs().cache / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    target = out / NAME
    curl_t, hearth_t = [], []

    def run_curl() -> None:
        subprocess.run(["curl", "-s", "-f", "-o", str(target), url], check=True)

    with make_client() as client:

        def run_hearth() -> None:
            fetch_file(client, FileRequest(url, target, SIZE, sha, {}))

        for round_no in range(ROUNDS):
            order = [(run_curl, curl_t), (run_hearth, hearth_t)]
            for run, times in order if round_no % 2 == 0 else order[::-1]:
                target.unlink(missing_ok=True)
                os.sync()  # no dirty pages of the previous run left to throttle this one
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
    server.terminate()
    server.wait()
    report("download 1 GiB, curl -o", curl_t, "download 1 GiB, Hearth (Range+sha256)", hearth_t, "Hearth / curl")
    sum_t, verify_t = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = subprocess.run(["sha256sum", str(target)], check=True, capture_output=True, text=True)
        sum_t.append(time.perf_counter() - start)
        assert result.stdout.split()[0] == sha
        start = time.perf_counter()
        assert sha256_file(target) == sha
        verify_t.append(time.perf_counter() - start)
    report("verify 1 GiB, sha256sum", sum_t, "verify 1 GiB, Hearth", verify_t, "Hearth / sha256sum")
    target.unlink()


if __name__ == "__main__":
    main()
