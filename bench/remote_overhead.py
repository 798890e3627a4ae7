"""Remote engine benchmark (issue #14), against servers on loopback, in one run.

1. First-token overhead: llama-cpp-python's own OpenAI-compatible server (``llama_cpp.server``)
   serves a generated model with the layer shape of R1-Distill-Qwen-1.5B (3 layers, F16); the
   same question is asked through Hearth's remote engine and through a bare ``openai`` client,
   alternated, ROUNDS each.  Prints the medians and their ratio (Hearth / bare).  A run where
   either got no token (the random weights ended at once) is left out and counted.
2. Cancel latency: the fault-injecting server stalls after 3 pieces; the time from
   ``request_cancel()`` to the turn's summary, and until the server sees the connection closed.
3. Egress: the network guard is installed for the whole run; the hosts in the network log.

Run: ``.venv/bin/python bench/remote_overhead.py``.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = 15
QUESTION = "Explain in one sentence why the sky is blue."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HEARTH_HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        from dataclasses import replace

        import httpx
        import openai

        from app.core.engine.base import Message, SamplingParams
        from app.core.engine.endpoints import Endpoint
        from app.core.engine.events import GenerationSummary
        from app.core.engine.remote import RemoteEngine
        from app.core.privacy import netguard
        from bench.engine_overhead import SPEC
        from tests.gguf_factory import write_model
        from tests.openai_fakes import FakeServer, Script

        netguard.install()
        model = write_model(Path(tmp) / "bench-F16.gguf", replace(SPEC, quant="F16"))
        port = free_port()
        url = f"http://127.0.0.1:{port}/v1"
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "bench",
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            with netguard.allow(url, "bench: wait for the server"):
                for _ in range(600):
                    try:
                        if httpx.get(url + "/models", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.1)
            endpoint = Endpoint("bench", url)
            engine = RemoteEngine(endpoint, "bench", None)
            params = SamplingParams(temperature=0.0, max_tokens=8, seed=1)
            bare = openai.OpenAI(base_url=url, api_key="none")
            ours: list[float] = []
            theirs: list[float] = []
            skipped = 0
            for _ in range(ROUNDS + 1):  # the first round warms the server's prompt cache and is dropped
                summary = next(e for e in engine.chat([Message("user", QUESTION)], params) if isinstance(e, GenerationSummary))
                started = time.perf_counter()
                first = None
                with netguard.allow(url, "bench: bare openai client"):
                    stream = bare.chat.completions.create(
                        model="bench", messages=[{"role": "user", "content": QUESTION}], stream=True, max_tokens=8,
                        temperature=0.0, seed=1,
                    )  # fmt: skip
                    for chunk in stream:
                        delta = chunk.choices[0].delta if chunk.choices else None
                        if first is None and delta is not None and delta.content:
                            first = time.perf_counter() - started
                if summary.completion_tokens == 0 or first is None:
                    skipped += 1
                    continue
                ours.append(summary.ttft_s)
                theirs.append(first)
            ours, theirs = ours[1:], theirs[1:]
            print(f"first token, llama_cpp.server on loopback ({len(ours)} runs each, {skipped} without a token left out):")
            print(f"  Hearth remote engine {statistics.median(ours) * 1000:.1f} ms (median)")
            print(f"  bare openai client   {statistics.median(theirs) * 1000:.1f} ms (median)")
            print(f"  ratio Hearth/bare    {statistics.median(ours) / statistics.median(theirs):.3f}")
            engine.close()
        finally:
            server.terminate()
            server.wait(30)
            log.close()

        with FakeServer() as fake:
            fake.script = Script(flavour="plain", content=[f"piece {i} " for i in range(10)], stall_after=3)
            stall_engine = RemoteEngine(Endpoint("stall", fake.url), "m", None)
            latencies, noticed = [], []
            for _ in range(10):
                fake.disconnected.clear()
                got: list[float] = []
                ready = threading.Event()

                def consume(engine: RemoteEngine = stall_engine, got: list[float] = got, ready: threading.Event = ready) -> None:
                    for event in engine.chat([Message("user", "hi")]):
                        ready.set()
                        if isinstance(event, GenerationSummary):
                            got.append(time.perf_counter())

                reader = threading.Thread(target=consume)
                reader.start()
                ready.wait(10)
                time.sleep(0.1)
                asked = time.perf_counter()
                stall_engine.request_cancel()
                reader.join(10)
                fake.disconnected.wait(5)
                noticed.append(time.perf_counter() - asked)
                latencies.append(got[0] - asked)
            print("cancel of a stalled stream (10 runs):")
            for label, values in (("turn ended after    ", latencies), ("server saw it closed", noticed)):
                print(f"  {label} {statistics.median(values) * 1000:.2f} ms median, {max(values) * 1000:.2f} ms max")

        hosts = {(e["host"], e["allowed"]) for e in netguard.read_log()}
        print(f"egress: {len(netguard.read_log())} connection records, hosts {sorted(hosts)}")


if __name__ == "__main__":
    main()
