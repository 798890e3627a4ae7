"""``hearth conversations`` and chat storage as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))


def hearth(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )


def test_chats_are_stored_searchable_exportable_and_deletable(models, env: dict[str, str], tmp_path: Path) -> None:
    model = str(models.family("r1-distill-qwen", quant="Q8_0"))
    first = hearth("chat", "--model", model, "--prompt", "Explain photosynthesis briefly", "--max-tokens", "8", env=env)
    assert first.returncode == 0 and "saved as conversation 1" in first.stderr
    more = hearth("chat", "--model", model, "--conversation", "1", "--max-tokens", "8", env=env, stdin="and chlorophyll?\n")
    assert more.returncode == 0, more.stderr
    private = hearth("chat", "--model", model, "--prompt", "off the record", "--no-save", "--max-tokens", "4", env=env)
    assert private.returncode == 0 and "saved as" not in private.stderr

    listed = json.loads(hearth("conversations", "list", "--json", env=env).stdout)
    assert [c["title"] for c in listed] == ["Explain photosynthesis briefly"]
    shown = json.loads(hearth("conversations", "show", "1", "--json", env=env).stdout)
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant", "user", "assistant"]
    assert shown["messages"][1]["model_id"].startswith("local-")  # a file the catalog does not know
    assert shown["messages"][1]["status"] in ("complete", "truncated")  # ended by the model or by --max-tokens 8
    text = hearth("conversations", "show", "1", env=env).stdout  # a cut-off answer is named as the window names it
    truncated = sum(m["status"] == "truncated" for m in shown["messages"])  # either answer may have been cut off
    assert text.count("[cut off at the length limit]") == truncated
    assert "[truncated]" not in text
    assert shown["settings"] == {"system": "", "sampling": {"temperature": 0.6, "top_p": 0.95}, "thinking": "on"}
    hits = json.loads(hearth("conversations", "search", "chlorophyll", "--json", env=env).stdout)
    assert hits[0]["conversation_id"] == 1 and "[chlorophyll]" in hits[0]["snippet"]

    exported = tmp_path / "export.json"
    assert hearth("conversations", "export", "1", "--format", "json", "-o", str(exported), env=env).returncode == 0
    markdown = hearth("conversations", "export", "--all", env=env).stdout
    assert markdown.startswith("# Explain photosynthesis briefly") and "## You" in markdown
    imported = hearth("conversations", "import", str(exported), "--json", env=env)
    assert json.loads(imported.stdout) == {"imported": [2]}
    plain = tmp_path / "openai.json"
    plain.write_text(json.dumps({"messages": [{"role": "user", "content": "from another app"}]}))
    assert hearth("conversations", "import", str(plain), env=env).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"nope": 1}')
    refused = hearth("conversations", "import", str(bad), env=env)
    assert refused.returncode == 10 and "Traceback" not in refused.stderr

    assert hearth("conversations", "delete", "2", env=env).returncode == 0
    assert len(json.loads(hearth("conversations", "list", "--json", env=env).stdout)) == 2
    assert hearth("conversations", "rekey", env=env).returncode == 0
    assert len(json.loads(hearth("conversations", "list", "--json", env=env).stdout)) == 2
    unconfirmed = hearth("conversations", "purge", "--all", env=env)
    assert unconfirmed.returncode != 0 and "--yes" in unconfirmed.stderr
    assert hearth("conversations", "purge", "--older-than", "30", "--yes", env=env).stdout.startswith("deleted 0")
    assert hearth("conversations", "retention", "90", env=env).returncode == 0
    settings = json.loads((Path(env["HEARTH_HOME"]) / "config" / "settings.json").read_text())
    assert settings["retention_days"] == 90
    assert hearth("conversations", "retention", "never", env=env).returncode == 1
    assert hearth("conversations", "purge", "--all", "--yes", env=env).returncode == 0
    assert not (Path(env["HEARTH_HOME"]) / "data" / "conversations.db").exists()
    assert hearth("conversations", "list", "--json", env=env).stdout.strip() == "[]"


def test_wrong_passphrase_from_the_cli(env: dict[str, str]) -> None:
    env = dict(env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HEARTH_PASSPHRASE="first secret")
    assert hearth("conversations", "list", env=env).returncode == 0
    wrong = hearth("conversations", "list", env=dict(env, HEARTH_PASSPHRASE="guess"))
    assert wrong.returncode == 9 and "passphrase does not open" in wrong.stderr and "Traceback" not in wrong.stderr
    missing = hearth("conversations", "list", env={k: v for k, v in env.items() if k != "HEARTH_PASSPHRASE"})
    assert missing.returncode == 9 and "HEARTH_PASSPHRASE" in missing.stderr


def test_retention_setting_deletes_old_conversations(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.store.database import Store

    monkeypatch.setenv("HEARTH_HOME", env["HEARTH_HOME"])  # the same home (and test keyring) as the CLI
    store = Store()
    old, recent = store.create_conversation("old one"), store.create_conversation("recent one")
    store.query("UPDATE conversations SET updated_at = updated_at - 40 * 86400 WHERE id = ?", (old,))
    store.close()
    result = hearth("conversations", "retention", "30", env=env)
    assert result.returncode == 0 and "deleted 1 conversation(s) older than 30" in result.stderr.lower()
    assert [c["id"] for c in json.loads(hearth("conversations", "list", "--json", env=env).stdout)] == [recent]
    assert hearth("conversations", "retention", "off", env=env).returncode == 0
