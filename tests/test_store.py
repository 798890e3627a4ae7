"""The encrypted conversation store: encryption on disk, keys and passphrases,
migrations from every older schema, branches, streaming persistence across a
SIGKILL, disk full, read-only folders, deletion, export/import and rotation."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlcipher3 import dbapi2 as sqlcipher

from app.core.chat.recorder import StreamRecorder
from app.core.errors import StoreFullError, StoreKeyError, StoreReadOnlyError, StoreTooNewError, WrongKeyError
from app.core.store import key as store_key
from app.core.store.database import Store
from app.core.store.export import ImportFormatError, conversation_json, conversation_markdown, import_data
from app.core.store.schema import CURRENT_VERSION, migrate

ROOT = Path(__file__).resolve().parents[1]
MARKER = "zebra-quartz-MARKER-7319 the secret launch code"


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data" / "conversations.db"
    yield path
    store_key.KeyManager(path).forget()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def raw_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_nothing_is_in_clear_on_disk(db_path: Path) -> None:
    store = Store(db_path)
    conversation = store.create_conversation(f"Title {MARKER}")
    store.add_message(conversation, "user", f"Remember {MARKER}", reasoning=MARKER)
    assert db_path.with_name("conversations.db-wal").stat().st_size > 0  # the WAL is scanned too
    assert [h.message_id for h in store.search("zebra quartz")][-1] is not None  # the text is really stored
    data = raw_bytes(db_path)
    for needle in (b"zebra-quartz", "zebra-quartz".encode("utf-16-le"), b"secret launch", b"SQLite format 3"):
        assert needle not in data
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db_path).execute("SELECT * FROM sqlite_master").fetchall()
    marker = json.loads(db_path.with_name("store.json").read_text())
    assert set(marker) == {"key_source", "store_id"} and marker["key_source"] == "keyring"  # no key in any file
    store.close()


def test_missing_or_wrong_key_is_a_clear_error(db_path: Path) -> None:
    Store(db_path).close()
    manager = store_key.KeyManager(db_path)
    accounts = (manager._accounts()[0], manager._path_account())  # the key and its copy under the path's name
    good = keyring.get_password(store_key.SERVICE, accounts[0])
    assert good and keyring.get_password(store_key.SERVICE, accounts[1]) == good
    for account in accounts:
        keyring.set_password(store_key.SERVICE, account, "ab" * 32)
    with pytest.raises(WrongKeyError, match="does not open the conversation store"):
        Store(db_path)
    for account in accounts:
        keyring.delete_password(store_key.SERVICE, account)
    with pytest.raises(StoreKeyError, match="missing from the OS keyring"):
        Store(db_path)
    keyring.set_password(store_key.SERVICE, accounts[0], good)
    Store(db_path).close()


def test_passphrase_where_there_is_no_keyring(db_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StoreKeyError, match="never stores it in a plain file"):
        Store(db_path)
    assert not db_path.exists()  # no silent fallback to an unencrypted database
    monkeypatch.setenv("HEARTH_PASSPHRASE", "correct horse battery staple")
    store = Store(db_path)
    store.add_message(store.create_conversation("t"), "user", MARKER)
    store.close()
    assert b"zebra-quartz" not in raw_bytes(db_path) and b"horse" not in db_path.with_name("store.json").read_bytes()
    monkeypatch.setenv("HEARTH_PASSPHRASE", "wrong")
    with pytest.raises(WrongKeyError, match="passphrase does not open"):
        Store(db_path)
    monkeypatch.delenv("HEARTH_PASSPHRASE")
    with pytest.raises(StoreKeyError, match="protected by a passphrase"):
        Store(db_path)
    store = Store(db_path, passphrase="correct horse battery staple")
    store.rotate_key("new passphrase")
    store.close()
    assert Store(db_path, passphrase="new passphrase").count() == (1, 1)
    with pytest.raises(WrongKeyError):
        Store(db_path, passphrase="correct horse battery staple")


def _in_a_new_thread(store: Store) -> tuple[int, int]:
    """What the streaming flusher does: use the store from a thread of its own (a new connection)."""
    result: list[tuple[int, int]] = []
    thread = threading.Thread(target=lambda: result.append(store.count()))
    thread.start()
    thread.join()
    return result[0]


def test_a_passphrase_is_stretched_once_not_per_connection(
    db_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(db_path, passphrase="it's a secret")
    store.add_message(store.create_conversation("t"), "user", "hello")
    assert _in_a_new_thread(store) == (1, 1)
    assert store._fast_key is not None and store._fast_key.source == "derived"  # SQLCipher accepted our derivation
    for _ in range(5):
        assert _in_a_new_thread(store) == (1, 1)
    store.close()
    # A derivation SQLCipher would not accept is dropped for the passphrase itself; nothing breaks.
    monkeypatch.setattr(store_key, "KDF_ROUNDS", 1000)
    other = Store(db_path, passphrase="it's a secret")
    assert _in_a_new_thread(other) == (1, 1)
    assert other._fast_key is not None and other._fast_key.source == "passphrase"
    assert _in_a_new_thread(other) == (1, 1)  # the cost of each path: bench/store_bench.py (connection open)
    other.rotate_key("changed")
    other.close()
    assert Store(db_path, passphrase="changed").count() == (1, 1)


def test_a_passphrase_key_derived_at_launch_opens_the_store_without_deriving_again(
    db_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The window's launch starts the passphrase's key derivation on a thread before importing Qt;
    the store's first open then takes that raw key instead of running the KDF itself."""
    from app.core.store import database

    monkeypatch.setenv("HEARTH_PASSPHRASE", "launch secret")
    first = Store(db_path)
    first.add_message(first.create_conversation("t"), "user", "hello")
    first.close()
    derivations: list[object] = []
    real = database.derived_raw_key
    monkeypatch.setattr(database, "derived_raw_key", lambda *args: derivations.append(args) or real(*args))
    store_key.derive_ahead(db_path)
    assert len(store_key._ahead) == 1
    store = Store(db_path)
    assert store._key is not None and store._key.source == "passphrase" and not store_key._ahead
    assert store._fast_key is not None and store._fast_key.source == "derived"
    assert _in_a_new_thread(store) == (1, 1) and store.count() == (1, 1)
    assert derivations == []  # neither the first open nor the thread's connection derived it again
    store.close()
    # A derivation SQLCipher does not take (here: too few rounds) falls back to the passphrase.
    monkeypatch.setattr(store_key, "KDF_ROUNDS", 1000)
    store_key.derive_ahead(db_path)
    other = Store(db_path)
    assert other.count() == (1, 1) and other._key is not None and other._key.source == "passphrase"
    other.close()
    # Nothing is derived ahead without a passphrase, nor for a store whose key is in the keyring.
    monkeypatch.delenv("HEARTH_PASSPHRASE")
    store_key.derive_ahead(db_path)
    monkeypatch.setenv("HEARTH_PASSPHRASE", "launch secret")
    keyring_store = tmp_path / "elsewhere" / "conversations.db"
    keyring_store.parent.mkdir()
    keyring_store.with_name("store.json").write_text('{"key_source": "keyring", "store_id": ""}', encoding="utf-8")
    store_key.derive_ahead(keyring_store)
    assert not store_key._ahead


def _old_database(path: Path, version: int) -> None:
    """A store at schema ``version`` with data written the way that version would."""
    key = store_key.KeyManager(path).create()
    db = sqlcipher.connect(str(path), isolation_level=None)
    db.execute(f"PRAGMA key = {key.pragma_value}")
    migrate(db, target=version)
    if version >= 1:
        db.execute("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (1, 'Old chat about tides', 1, 1)")
        parent = "NULL"
        for i, (role, text) in enumerate(
            [("user", "Why are there tides? 为什么有潮汐？"), ("assistant", "The moon pulls the oceans.")], 1
        ):
            columns, values = (
                "id, conversation_id, role, content, created_at, updated_at",
                f"{i}, 1, '{role}', '{text}', {i}, {i}",
            )
            if version >= 2:
                columns, values = columns + ", parent_id", values + f", {parent}"
            db.execute(f"INSERT INTO messages ({columns}) VALUES ({values})")
            parent = str(i)
        if version >= 2:
            db.execute("UPDATE conversations SET active_leaf = 2")
    db.close()


@pytest.mark.parametrize("version", range(CURRENT_VERSION))
def test_migrates_from_every_older_schema(db_path: Path, version: int) -> None:
    db_path.parent.mkdir(parents=True)
    _old_database(db_path, version)
    store = Store(db_path)
    assert store.query("PRAGMA user_version")[0][0] == CURRENT_VERSION
    if version >= 1:
        thread = store.thread(1)
        assert [m.content for m in thread] == ["Why are there tides? 为什么有潮汐？", "The moon pulls the oceans."]
        assert thread[1].parent_id == thread[0].id
        assert {h.message_id for h in store.search("moon")} == {2}
        assert store.search("tides")[0].message_id is None  # the title is indexed too
        store.update_message(2, status="truncated", content="The moon and the sun pull the oceans.")  # v5 statuses
        assert {h.message_id for h in store.search("sun")} == {2}  # the rebuilt table's triggers keep the index
        assert {h.message_id for h in store.search("潮汐")} == {1}  # v7 indexed the CJK text already there
        store.update_message(2, content="月亮和太阳拉动海洋。")
        assert {h.message_id for h in store.search("太阳")} == {2} and not store.search("sun")
        store.update_message(2, status="interrupted")
        assert store.thread(1)[1].status == "interrupted"
    new = store.create_conversation("after migration")
    store.add_message(new, "user", "works")
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    store.close()


def test_a_newer_database_is_refused_untouched(db_path: Path) -> None:
    Store(db_path).close()
    key = store_key.KeyManager(db_path).candidates()[0]
    db = sqlcipher.connect(str(db_path), isolation_level=None)
    db.execute(f"PRAGMA key = {key.pragma_value}")
    db.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with pytest.raises(StoreTooNewError, match="newer Hearth"):
        Store(db_path)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_branches_from_regenerate_and_edit(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("branches")
    q1 = store.add_message(c, "user", "first question")
    a1 = store.add_message(c, "assistant", "first answer")
    a2 = store.add_message(c, "assistant", "regenerated answer", parent_id=q1)
    assert [m.id for m in store.siblings(a1)] == [a1, a2]
    q2 = store.add_message(c, "user", "edited question", parent_id=None)  # edit and resend the first question
    store.add_message(c, "assistant", "answer to the edit")
    assert [m.content for m in store.thread(c)] == ["edited question", "answer to the edit"]
    assert [m.id for m in store.siblings(q2)] == [q1, q2]
    store.select_branch(a1)
    store.close()
    reopened = Store(db_path)
    assert [m.content for m in reopened.thread(c)] == ["first question", "first answer"]  # the active branch is remembered


def test_streaming_flushes_twice_a_second_without_new_tokens(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("flush")
    question = store.add_message(c, "user", "hello")
    stream = StreamRecorder.start(store, c, question, model_id="m", quant="Q4_0")
    assert store.message(stream.message_id).status == "partial"  # exists before the first token
    stream.add_reasoning("thinking ")
    stream.add_content("partial text")
    deadline = time.monotonic() + 30
    while store.message(stream.message_id).content != "partial text":  # no token for a while: the flusher saves what came
        assert time.monotonic() < deadline, "the flusher never wrote the streamed text"
        time.sleep(0.05)
    assert stream.finish(status="cancelled") == "cancelled"
    assert [(m.role, m.content, m.reasoning, m.status) for m in store.thread(c)] == [
        ("user", "hello", "", "complete"),
        ("assistant", "partial text", "thinking ", "cancelled"),
    ]


def test_a_partial_answer_without_a_writer_becomes_interrupted(db_path: Path) -> None:
    """Crash hygiene: a row a dead process left ``partial`` is marked ``interrupted`` at the next
    open; one whose writer is alive (it touches the row every couple of seconds) is left alone."""
    from app.core.store.upkeep import STALE_AFTER_S, after_open

    store = Store(db_path)
    c = store.create_conversation("crash")
    question = store.add_message(c, "user", "q")
    dead = store.add_message(c, "assistant", "half an ans", parent_id=question, status="partial")
    alive = StreamRecorder.start(store, c, question)
    store.query("UPDATE messages SET updated_at = updated_at - ? WHERE id IN (?, ?)", (STALE_AFTER_S + 1, dead, alive.message_id))
    alive.add_content("still streaming")
    deadline = time.monotonic() + 30
    while store.message(alive.message_id).content != "still streaming":  # its flusher touches the row
        assert time.monotonic() < deadline
        time.sleep(0.05)
    notices = after_open(store)
    assert store.message(dead).status == "interrupted" and store.message(alive.message_id).status == "partial"
    assert any("interrupted" in n for n in notices)
    alive.finish(status="complete")


def test_answer_streamed_by_a_killed_process_survives_partial(models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kill ``hearth chat`` with SIGKILL mid-answer: the stored answer misses at most ~0.5 s of text."""
    home = tmp_path / "home"
    env = dict(os.environ, HEARTH_HOME=str(home))
    path = models.family("r1-distill-qwen", quant="Q8_0", n_embd=1024, n_ff=4096, n_layer=4)  # ~400 tok/s: 4000 take ~10 s
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "chat", "--model", str(path), "--json", "--ctx", "4096", "--max-tokens", "4000",
         "--ignore-eos", "--temperature", "0", "--prompt", "Tell me a long story"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    monkeypatch.setenv("HEARTH_HOME", str(home))  # the child's test keyring lives in its home
    received: list[str] = []
    db = home / "data" / "conversations.db"
    for line in proc.stdout:  # --ignore-eos: the answer streams for its whole budget, whatever the weights say
        event = json.loads(line)
        assert event["type"] != "done", "the answer ended before the test could kill it"
        received.append(event.get("text", ""))
        if len(received) % 20 == 0 and db.exists():
            reader = Store(db)
            rows = reader.query("SELECT length(reasoning) + length(content) FROM messages WHERE role = 'assistant'")
            reader.close()
            if rows and rows[0][0] > 0:
                break  # the flusher has written some of the answer: kill now, mid-stream
    proc.kill()
    rest, _ = proc.communicate(timeout=10)  # reaps it and closes its pipes
    for line in rest.splitlines():  # what it had written but this loop had not read yet (the store may hold it)
        try:
            received.append(json.loads(line).get("text", ""))
        except json.JSONDecodeError:
            break  # a line cut by the kill: nothing after it was written
    env_store = Store(db)
    message = env_store.message(env_store.thread(1)[-1].id)
    streamed = "".join(received)
    stored = message.reasoning + message.content
    assert message.status == "partial" and message.role == "assistant"
    assert stored and streamed.startswith(stored)  # what was stored is exactly what was streamed up to a point
    assert env_store.query("PRAGMA integrity_check")[0][0] == "ok"


def test_disk_full_keeps_what_was_saved(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("keep me")
    store.add_message(c, "user", "saved before the disk filled up")
    pages = store.query("PRAGMA page_count")[0][0]
    store.query(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreFullError, match="full"):
        store.add_message(c, "assistant", "x" * 2_000_000)
    assert [m.content for m in store.thread(c)] == ["saved before the disk filled up"]
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"


def test_a_transaction_opened_inside_another_is_part_of_it(db_path: Path) -> None:
    store = Store(db_path)
    kept = store.create_conversation("kept")
    with pytest.raises(RuntimeError), store.transaction():
        inner = store.create_conversation("undone with the outer one")  # its own transaction() joins
        store.add_message(inner, "user", "also undone")
        raise RuntimeError
    assert [c.id for c in store.list_conversations()] == [kept] and store.count() == (1, 0)


def test_warming_the_writes_up_keeps_nothing(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The window runs a question's writes once after start-up, rolled back, so its first Send
    does not pay a connection's first writes (~7.5 ms instead of ~2.7 here)."""
    from app.core.store.upkeep import warm_store, warm_writes

    store = Store(db_path)
    before = store.create_conversation("before")
    question = store.add_message(before, "user", "an unusual word: zyzzogeton")
    warm_writes(store)
    assert store.count() == (1, 1) and [c.title for c in store.list_conversations()] == ["before"]
    assert len(store.search("zyzzogeton")) == 1 and not store.search("warm")
    after = store.create_conversation("after")
    assert after == before + 1 and store.add_message(after, "user", "as before") == question + 1  # no ids used up
    assert store.count() == (2, 2)
    store.query("PRAGMA query_only = ON")  # a store that cannot be written: only logged, at an idle moment
    with caplog.at_level("INFO", logger="app.core.store.upkeep"):
        warm_store(store)
    assert "not warmed up" in caplog.text and store.count() == (2, 2)


def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder, existing = tmp_path / "locked", tmp_path / "existing"
    folder.mkdir()
    store = Store(existing / "conversations.db")
    store.add_message(store.create_conversation("before"), "user", "written before the folder became read-only")
    store.close()
    if subprocess.run(["chattr", "+i", str(folder), str(existing)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needed because root ignores permission bits)")
    try:
        with pytest.raises(StoreReadOnlyError, match="cannot be written"):
            Store(folder / "conversations.db")  # a new store
        with pytest.raises(StoreReadOnlyError, match="cannot be written"):
            Store(existing / "conversations.db")  # an existing one: its WAL cannot be created
    finally:
        subprocess.run(["chattr", "-i", str(folder), str(existing)], check=True)
        store_key.KeyManager(folder / "conversations.db").forget()
    assert Store(existing / "conversations.db").thread(1)[0].content == "written before the folder became read-only"
    store_key.KeyManager(existing / "conversations.db").forget()


def test_delete_really_deletes(db_path: Path) -> None:
    store = Store(db_path)
    keep = store.create_conversation("keep")
    store.add_message(keep, "user", "harmless")
    gone = store.create_conversation("remove me")
    store.add_message(gone, "user", MARKER)
    assert store.query("PRAGMA secure_delete")[0][0] == 1
    store.delete_conversation(gone)
    assert db_path.with_name("conversations.db-wal").stat().st_size == 0  # checkpointed and truncated
    assert store.search("zebra") == [] and store.count() == (1, 1)
    old = store.create_conversation("ancient")
    pinned = store.create_conversation("ancient but pinned")
    store.update_conversation(pinned, pinned=True)
    store.query("UPDATE conversations SET updated_at = 0 WHERE id IN (?, ?)", (old, pinned))
    assert store.delete_older_than(30) == 1 and {c.title for c in store.list_conversations()} == {"keep", "ancient but pinned"}
    store.close()
    account = store_key.KeyManager(db_path)._accounts()[0]
    removed = Store.delete_everything(db_path)
    assert str(db_path) in removed and not db_path.exists()
    assert keyring.get_password(store_key.SERVICE, account) is None
    assert Store(db_path).count() == (0, 0)  # a fresh store with a fresh key


def test_a_very_long_conversation_can_be_deleted(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("long")
    with store.transaction() as db:
        parent = None
        for i in range(1500):  # deeper than SQLite's trigger recursion limit
            parent = db.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, created_at, updated_at)"
                " VALUES (?, ?, 'user', ?, 0, 0)",
                (c, parent, f"message {i}"),
            ).lastrowid
    store.delete_conversation(c)
    assert store.count() == (0, 0) and store.search("message") == []


def test_key_rotation_survives_an_interruption(db_path: Path) -> None:
    store = Store(db_path)
    store.add_message(store.create_conversation("rotate"), "user", "still here")
    account = store.keys._accounts()[0]
    old = keyring.get_password(store_key.SERVICE, account)
    store.rotate_key()
    store.close()
    assert keyring.get_password(store_key.SERVICE, account) not in (old, None)
    assert Store(db_path).thread(1)[0].content == "still here"
    # Interrupted between re-keying and promoting the new key: the pending one still opens it.
    store = Store(db_path)
    pending = store.keys.begin_rotation()
    store._db().execute(f"PRAGMA rekey = {pending.pragma_value}")
    store.close()
    assert Store(db_path).count() == (1, 1)


def test_one_connection_per_thread_under_concurrent_writes(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("busy")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(30):
                store.add_message(c, "user", f"thread {n} message {i}", parent_id=None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and store.count() == (1, 120)


def test_export_and_import_round_trip(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("What is 2+2?", "r1-distill-qwen-7b", "Q4_K_M", {"system": "Be brief."})
    question = store.add_message(c, "user", "What is 2+2?")
    stream = StreamRecorder.start(store, c, question, model_id="r1-distill-qwen-7b", quant="Q4_K_M")
    stream.add_reasoning("Adding.")
    stream.add_content("4")
    stream.finish(status="complete")
    store.add_message(c, "assistant", "four", parent_id=store.thread(c)[0].id, status="cancelled")
    exported = conversation_json(store, c)
    markdown = conversation_markdown(store, c)
    assert "## You" in markdown and "four" in markdown and "(cancelled)" in markdown
    [copy] = import_data(store, json.loads(json.dumps(exported)))
    again = conversation_json(store, copy)
    strip = lambda d: [{k: v for k, v in m.items() if k not in ("id", "parent_id", "created_at")} for m in d["messages"]]  # noqa: E731
    assert strip(again) == strip(exported) and again["settings"] == {"system": "Be brief."}
    assert [m.content for m in store.thread(copy)] == ["What is 2+2?", "four"]
    [plain] = import_data(store, {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    assert [m.role for m in store.thread(plain)] == ["user", "assistant"]
    with pytest.raises(ImportFormatError, match="role"):
        import_data(store, [{"role": "wizard", "content": "x"}])
    with pytest.raises(ImportFormatError, match="neither"):
        import_data(store, {"something": "else"})


def test_stream_recorder_standalone_finish_with_summary(db_path: Path) -> None:
    from app.core.engine.events import GenerationSummary, StopReason

    store = Store(db_path)
    c = store.create_conversation("stats")
    user = store.add_message(c, "user", "q")
    stream = StreamRecorder.start(store, c, user)
    stream.add_content("answer")
    summary = GenerationSummary(10, 10, 5, 0.1, 50.0, 0.2, StopReason.LENGTH, 0)
    assert stream.finish(summary) == "truncated"  # the budget ran out: it can be continued
    message = store.message(stream.message_id)
    assert (message.status, message.completion_tokens, message.tokens_per_s) == ("truncated", 5, 50.0)


def test_each_answer_thread_closes_its_connection(db_path: Path) -> None:
    """A long session must not pile up one open database connection (and its files) per answer."""
    store = Store(db_path)
    c = store.create_conversation("many answers")
    parent = store.add_message(c, "user", "q")
    for i in range(30):
        stream = StreamRecorder.start(store, c, parent, interval=0.01)
        stream.add_content(f"answer {i}")
        time.sleep(0.03)  # the flusher writes at least once, from its own connection
        stream.finish(status="complete")
        parent = stream.message_id
    assert len(store._all) == 1  # only this thread's connection is left open
    assert store.message(parent).content == "answer 29"
    fds = len(os.listdir("/proc/self/fd"))
    for _ in range(10):
        stream = StreamRecorder.start(store, c, parent, interval=0.01)
        time.sleep(0.02)
        stream.add_content("x")
        time.sleep(0.02)
        stream.finish(status="complete")
    assert len(os.listdir("/proc/self/fd")) <= fds + 1


def test_an_answer_remembers_how_long_it_thought(db_path: Path) -> None:
    store = Store(db_path)
    c = store.create_conversation("thinking")
    user = store.add_message(c, "user", "q")
    stream = StreamRecorder.start(store, c, user)
    stream.add_reasoning("Let me think.")
    time.sleep(0.2)
    stream.add_content("The answer.")
    stream.add_content(" More.")
    stream.finish(status="complete")
    thought = store.message(stream.message_id).thought_s
    assert thought is not None and 0.2 <= thought < 2
    plain = StreamRecorder.start(store, c, user)  # no reasoning: nothing to remember
    plain.add_content("Direct.")
    plain.finish(status="complete")
    assert store.message(plain.message_id).thought_s is None
    copy = import_data(store, conversation_json(store, c))[0]  # an export keeps it
    rows = store.query("SELECT id FROM messages WHERE conversation_id = ? AND content = ?", (copy, "The answer. More."))
    assert store.message(rows[0][0]).thought_s == thought


def test_losing_store_json_does_not_lock_an_intact_database(db_path: Path) -> None:
    store = Store(db_path)
    conversation = store.create_conversation("kept")
    store.add_message(conversation, "user", "still here")
    store.close()
    (db_path.parent / "store.json").unlink()  # a backup tool skipped it, or someone tidied up
    again = Store(db_path)
    assert [m.content for m in again.thread(conversation)] == ["still here"]
    again.close()
    assert (db_path.parent / "store.json").exists()  # written again for the next start
    assert [m.content for m in Store(db_path).thread(conversation)] == ["still here"]


def test_every_connection_keeps_temporary_data_in_memory_and_wipes_it(db_path: Path) -> None:
    store = Store(db_path)
    seen: list[tuple[int, str]] = []

    def read() -> None:
        seen.append((store.query("PRAGMA temp_store")[0][0], str(store.query("PRAGMA cipher_memory_security")[0][0])))
        store.close_thread()

    read()
    worker = threading.Thread(target=read)  # another thread's connection (the streaming writer's kind)
    worker.start()
    worker.join()
    assert seen == [(2, "1"), (2, "1")]


def test_a_connection_that_would_spill_to_disk_is_refused(db_path: Path) -> None:
    from sqlcipher3 import dbapi2 as sqlcipher

    from app.core.errors import StoreError
    from app.core.store.connection import _require_private

    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlcipher.connect(str(db_path.with_name("probe.db")))
    db.execute("PRAGMA key = 'x'")
    db.execute("PRAGMA temp_store = FILE")
    with pytest.raises(StoreError, match=r"temporary data .* unencrypted"):
        _require_private(db, db_path)


def test_a_deleted_word_is_gone_from_the_full_text_index_and_the_wal(db_path: Path) -> None:
    store = Store(db_path)
    keep = store.create_conversation("keep")
    for i in range(50):
        store.add_message(keep, "user", f"ordinary words {i}")
    secret = store.create_conversation("secret")
    store.add_message(secret, "user", "the password is quokkamarmalade")

    def in_index() -> bool:
        return any(b"quokkamarmalade" in bytes(r[0] or b"") for r in store.query("SELECT block FROM messages_fts_data"))

    assert in_index()  # the scan can see the word while it is stored
    store.delete_conversation(secret)
    assert not in_index() and not store.search("quokkamarmalade")
    assert db_path.with_name(db_path.name + "-wal").stat().st_size == 0  # checkpointed and truncated


def test_a_checkpoint_that_a_reader_blocks_is_reported_and_done_later(db_path: Path) -> None:
    store = Store(db_path)
    store.add_message(store.create_conversation("c"), "user", "x")
    reading, done = threading.Event(), threading.Event()

    def reader() -> None:
        other = Store(db_path)
        db = other._db()
        db.execute("BEGIN")
        db.execute("SELECT count(*) FROM messages").fetchone()  # a read transaction pins the WAL
        reading.set()
        done.wait(10)
        db.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=reader)
    thread.start()
    reading.wait(10)
    store.add_message(store.create_conversation("d"), "user", "y")
    assert store.checkpoint(attempts=2, pause_s=0.01) is False
    done.set()
    thread.join(10)
    assert store.checkpoint() is True


def test_chinese_and_japanese_words_are_found_inside_sentences(db_path: Path) -> None:
    """CJK text has no spaces; a two-character word is found anywhere in a sentence, and the
    index follows edits and deletions."""
    store = Store(db_path)
    chat = store.create_conversation("上海港口的历史")
    question = store.add_message(chat, "user", "请介绍一下上海港口的历史和咖啡文化。Also a Python教程.")
    answer = store.add_message(chat, "assistant", "東京の港はとても大きいです。")
    other = store.add_message(store.create_conversation("tides"), "user", "No Chinese here.")
    assert [(h.message_id, h.snippet) for h in store.search("咖啡")] == [
        (question, "请介绍一下上海港口的历史和[咖啡]文化。Also a Python教程.")
    ]
    assert {h.message_id for h in store.search("港口")} == {None, question}  # the title, and the sentence
    assert {h.message_id for h in store.search("港")} == {None, question, answer}  # one character, Japanese too
    assert {h.message_id for h in store.search("Python教程")} == {question}
    assert {h.message_id for h in store.search("港口 咖啡")} == {question}  # every word must match
    assert store.search("咖港") == []  # the characters, in order, next to each other
    assert {h.message_id for h in store.search("chinese")} == {other}  # the other index as before
    store.update_message(answer, content="大阪の港。")
    assert {h.message_id for h in store.search("大阪")} == {answer} and not store.search("東京")
    store.delete_conversation(chat)
    assert store.search("港口") == [] and store.search("大阪") == []
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    store.close()


def test_deleting_a_message_takes_its_replies_and_keeps_a_branch(db_path: Path) -> None:
    store = Store(db_path)
    chat = store.create_conversation("tree")
    q1 = store.add_message(chat, "user", "first question")
    a1 = store.add_message(chat, "assistant", "first answer", parent_id=q1)
    q2 = store.add_message(chat, "user", "second question zebra", parent_id=a1)
    store.add_message(chat, "assistant", "second answer zebra", parent_id=q2)
    q2b = store.add_message(chat, "user", "edited second question", parent_id=a1)  # a sibling (edit and resend)
    a2b = store.add_message(chat, "assistant", "edited answer", parent_id=q2b)
    store.select_branch(q2)
    assert store.replies_to(q2) == 1 and store.replies_to(q1) == 5 and store.replies_to(a2b) == 0
    leaf = store.delete_message(q2)  # the shown branch goes: the sibling's branch is shown
    assert leaf == a2b and [m.content for m in store.thread(chat)][-1] == "edited answer"
    assert store.search("zebra") == []  # the deleted text is out of the index too
    assert store.delete_message(a2b) == q2b  # no sibling: its question is the end of the branch now
    assert [m.id for m in store.thread(chat)] == [q1, a1, q2b]
    store.delete_message(q1)
    assert store.thread(chat) == [] and store.count() == (1, 0)
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    store.close()
