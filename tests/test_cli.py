"""``hearth`` as a user runs it: a real subprocess on a real generated model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app import __version__

ROOT = Path(__file__).resolve().parents[1]


def hearth(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # carries HEARTH_HOME = the temp home
    return subprocess.run(
        [sys.executable, "-m", "app", *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )


def test_version() -> None:
    result = hearth("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"hearth {__version__}"


def test_the_desktop_app_starts_without_the_cli_commands_and_download_clients() -> None:
    """``hearth`` / ``hearth gui`` parse their own arguments and the window imports the model
    manager on first use: the CLI commands' modules and the download and Hub clients (~120 ms of
    imports) are not loaded to open the window, nor the local API's server until it is turned on."""
    probe = (
        "import sys\n"
        "import app.ui.launch as launch\n"
        "def shown(smoke_test=False):\n"
        "    import app.ui.main_window  # what building the window imports\n"
        "    heavy = ('app.cli.models', 'app.cli.serve', 'app.core.models.downloads', 'app.core.models.hub', 'urllib3',\n"
        "             'app.server.app', 'app.server.runner')\n"
        "    print(sorted(name for name in heavy if name in sys.modules), smoke_test)\n"
        "    return 0\n"
        "launch.run_gui = shown\n"
        "from app.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for args in ([], ["gui", "--smoke-test"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"[] {args == ['gui', '--smoke-test']}"
    assert hearth("gui", "--help").stdout.startswith("usage: hearth gui")


def test_one_shot_json_stream(models) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    result = hearth("chat", "--model", str(path), "--prompt", "hello", "--json", "--max-tokens", "20", "--seed", "3")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["type"] == "done"
    for key in ("prompt_tokens", "completion_tokens", "ttft_s", "tokens_per_s", "stop_reason", "gpu_layers"):
        assert key in lines[-1]
    assert lines[-1]["stop_reason"] in ("eos", "length")
    assert {line["type"] for line in lines[:-1]} <= {"reasoning", "content"}
    assert all(isinstance(line["text"], str) for line in lines[:-1])
    assert "Traceback" not in result.stderr
    assert "llama_" not in result.stderr  # llama.cpp's log goes to the log file, not the terminal


def test_interactive_chat_keeps_history_and_quits_on_eof(models) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    result = hearth("chat", "--model", str(path), "--max-tokens", "8", stdin="first\nsecond\n")
    assert result.returncode == 0, result.stderr
    stats = [line for line in result.stderr.splitlines() if line.startswith("[") and "tok/s" in line]
    assert len(stats) == 2  # two answers, then Ctrl-D (EOF) quit cleanly


def test_missing_model_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = hearth("chat", "--model", str(tmp_path / "absent.gguf"), "--prompt", "hi")
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_model_and_bad_option(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + b"\xff" * 64)  # version 3, absurd counts
    result = hearth("chat", "--model", str(bad), "--prompt", "hi")
    assert result.returncode == 3 and "damaged" in result.stderr and "Traceback" not in result.stderr
    result = hearth("chat", "--model", str(bad), "--gpu-layers", "lots")
    assert result.returncode == 2 and "GPU layers" in result.stderr


def test_prompt_too_long_for_context(models) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    result = hearth("chat", "--model", str(path), "--ctx", "64", "--prompt", "word " * 200)
    assert result.returncode == 5 and "too long for the context" in result.stderr


def test_ctrl_c_stops_the_answer_and_the_chat_goes_on(models) -> None:
    """SIGINT during an answer cancels just that answer; the next one runs; Ctrl-D quits.

    ``--ignore-eos`` makes the answer run its full 4000 tokens whatever the random weights would
    say, so the interrupt always lands mid-answer."""
    path = models.family("r1-distill-qwen", quant="Q8_0", n_embd=256, n_ff=512)  # slow enough to interrupt
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "chat", "--model", str(path), "--json", "--ctx", "4096", "--max-tokens", "4000",
         "--ignore-eos", "--temperature", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ),
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    with proc:
        _interrupt_twice(proc)


def _interrupt_twice(proc: Any) -> None:
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("tell me a long story\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # the answer is streaming
        assert first["type"] in ("reasoning", "content")
        for _ in range(5):  # an impatient user: every press lands somewhere else in the printing loop
            proc.send_signal(signal.SIGINT)
            time.sleep(0.005)
        done = _next_done(proc)
        assert done["stop_reason"] == "cancelled" and done["completion_tokens"] < 4000
        proc.send_signal(signal.SIGINT)  # one more press after the answer ended: ignored, or clears the prompt
        time.sleep(0.5)  # the presses are handled before the next line is typed, as on a terminal
        proc.stdin.write("and another\n")
        proc.stdin.close()  # Ctrl-D after the second message
        second = _next_done(proc)
        assert second["stop_reason"] in ("eos", "length", "cancelled")
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
    assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def _next_done(proc: Any) -> dict[str, Any]:
    for line in proc.stdout:
        payload = json.loads(line)
        if payload["type"] == "done":
            return payload
    raise AssertionError(f"the stream ended without a done line (exit {proc.wait(10)}): {proc.stderr.read()[-2000:]}")


def test_ctrl_c_goes_where_the_chat_is() -> None:
    """The SIGINT router of `hearth chat`: stop the answer while one streams, clear the line at the
    prompt, quit while loading, and ignore presses between an answer and the next prompt (where a
    KeyboardInterrupt used to end the chat with a traceback)."""
    import pytest

    from app.cli.chat import _CtrlC

    class Worker:
        cancelled = 0

        def cancel(self) -> None:
            self.cancelled += 1

    router, worker = _CtrlC(), Worker()
    with pytest.raises(KeyboardInterrupt):
        router(2, None)  # loading the model: Ctrl-C quits
    with router.during("answer", worker):  # type: ignore[arg-type]
        router(2, None)
        router(2, None)
    assert worker.cancelled == 2
    router(2, None)  # after the answer, before the prompt: nothing happens
    with pytest.raises(KeyboardInterrupt), router.during("prompt"):
        router(2, None)
    router(2, None)
    assert worker.cancelled == 2


def test_think_flag_and_command_show_and_change_the_mode(models) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    result = hearth("chat", "--model", str(path), "--think", "off", "--max-tokens", "4", stdin="/think\n/think on\n/think loud\n")
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if line.startswith("hearth: thinking") or "thinking mode" in line]
    assert notices[0] == "hearth: thinking: off (this model offers: off, on)"  # --think off, as asked
    assert notices[1] == "hearth: thinking: on (this model offers: off, on)"
    assert "There is no thinking mode 'loud'" in notices[2]
    v3 = models.family("v3")
    plain = hearth("chat", "--model", str(v3), "--max-tokens", "4", stdin="/think\n")
    assert "this model's template has no thinking switch" in plain.stderr


def test_conversation_settings_commands_change_and_show_them(models) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    stdin = "/system Be brief.\n/temperature 0.3\n/temperature hot\n/top_p 7\n/settings\n"
    result = hearth("chat", "--model", str(path), "--max-tokens", "4", stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("hearth: system prompt") or "/temperature" in line]
    assert "hearth: /temperature takes a number" in lines
    assert lines[-1] == "hearth: system prompt: Be brief.; temperature 0.3; top_p 0.95"
    assert "'top_p' must be a number above 0, at most 1" in result.stderr
