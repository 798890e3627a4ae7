"""Real generated GGUFs validate; every kind of broken file is a typed error
raised before llama.cpp sees it."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.core.engine.llama import Engine, LoadOptions
from app.core.errors import (
    CorruptModelError,
    HearthError,
    ModelFileMissingError,
    NotAGGUFError,
    UnsupportedArchitectureError,
)
from app.core.models.gguf_header import read_header
from app.core.models.info import inspect_model
from tests.gguf_factory import TinySpec, arch_spec

ARCHS = ["qwen2", "llama", "qwen3", "deepseek2"]
QUANTS = ["F32", "F16", "Q8_0", "Q4_0"]


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("quant", QUANTS)
def test_generated_models_validate_and_describe_themselves(models, arch: str, quant: str) -> None:
    path = models(arch_spec(arch, quant=quant))
    info = inspect_model(path)
    assert info.architecture == arch
    assert info.n_layers == 2
    assert all(b > 0 for b in info.layer_bytes)
    assert info.weight_bytes <= path.stat().st_size
    assert info.weight_bytes > path.stat().st_size * 0.5  # the header is small next to the weights
    assert info.chat_template is not None
    assert ("User: " if arch == "deepseek2" else "<｜User｜>") in info.chat_template
    assert info.n_vocab > 256


def test_split_model_is_found_from_its_first_shard(models) -> None:
    first = models(TinySpec(quant="Q8_0"), split=8)
    assert "-00001-of-" in first.name
    info = inspect_model(first)
    assert len(info.shards) > 1
    single = inspect_model(models(TinySpec(quant="Q8_0")))
    assert info.weight_bytes == single.weight_bytes


def test_split_model_with_missing_shard_names_the_missing_file(models, tmp_path: Path) -> None:
    first = models(TinySpec(quant="F16"), split=8)
    copy_dir = tmp_path / "partial"
    copy_dir.mkdir()
    shards = sorted(first.parent.glob("*-of-*.gguf"))
    for shard in shards[:-1]:
        (copy_dir / shard.name).write_bytes(shard.read_bytes())
    with pytest.raises(ModelFileMissingError, match=shards[-1].name):
        inspect_model(copy_dir / first.name)


# ---- the corpus of broken files -------------------------------------------------


def _good_bytes(models) -> bytes:
    return models(TinySpec(quant="Q8_0")).read_bytes()


def _first_tensor_offset_field(path: Path) -> int:
    """File position of the first tensor's offset field (found by parsing)."""
    header = read_header(path)
    raw = path.read_bytes()
    name = header.tensors[0].name.encode()
    pos = raw.index(struct.pack("<Q", len(name)) + name)
    n_dims = struct.unpack_from("<I", raw, pos + 8 + len(name))[0]
    return pos + 8 + len(name) + 4 + 8 * n_dims + 4


def _broken(models, tmp_path: Path, kind: str) -> Path:
    good_path = models(TinySpec(quant="Q8_0"))
    data = bytearray(_good_bytes(models))
    if kind == "truncated":
        data = data[: len(data) // 2]
    elif kind == "truncated-header":
        data = data[:200]
    elif kind == "bad-magic":
        data[0:4] = b"GGML"
    elif kind == "bad-version":
        data[4:8] = struct.pack("<I", 99)
    elif kind == "absurd-tensor-count":
        data[8:16] = struct.pack("<Q", 2**60)
    elif kind == "absurd-kv-count":
        data[16:24] = struct.pack("<Q", 2**40)
    elif kind == "absurd-string-length":
        data[24:32] = struct.pack("<Q", 2**62)  # length of the first key
    elif kind == "offset-past-end":
        pos = _first_tensor_offset_field(good_path)
        data[pos : pos + 8] = struct.pack("<Q", len(data) * 4 // 32 * 32)
    elif kind == "unknown-tensor-type":
        pos = _first_tensor_offset_field(good_path)
        data[pos - 4 : pos] = struct.pack("<I", 250)
    elif kind == "misaligned":
        pos = _first_tensor_offset_field(good_path)
        old = struct.unpack_from("<Q", data, pos)[0]
        data[pos : pos + 8] = struct.pack("<Q", old + 3)
    elif kind == "empty":
        data = bytearray()
    elif kind == "text-file":
        data = bytearray(b"this is not a model, just some text that is long enough\n" * 4)
    path = tmp_path / f"{kind}.gguf"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("truncated", CorruptModelError),
        ("truncated-header", CorruptModelError),
        ("bad-magic", NotAGGUFError),
        ("bad-version", CorruptModelError),
        ("absurd-tensor-count", CorruptModelError),
        ("absurd-kv-count", CorruptModelError),
        ("absurd-string-length", CorruptModelError),
        ("offset-past-end", CorruptModelError),
        ("unknown-tensor-type", CorruptModelError),
        ("misaligned", CorruptModelError),
        ("empty", NotAGGUFError),
        ("text-file", NotAGGUFError),
    ],
)
def test_broken_files_are_typed_errors_before_llama_cpp(models, tmp_path: Path, engine: Engine, kind: str, error: type) -> None:
    path = _broken(models, tmp_path, kind)
    with pytest.raises(error) as info:
        inspect_model(path)
    message = str(info.value)
    assert path.name in message or "GGUF" in message
    assert "Traceback" not in message
    # The engine refuses it the same way (llama.cpp would otherwise abort the process).
    with pytest.raises(error):
        engine.load(str(path), LoadOptions(n_ctx=256))


def test_unknown_architecture_is_refused(models) -> None:
    path = models(TinySpec(arch="qwen2"), name="arch-src")
    data = path.read_bytes().replace(b"qwen2", b"dsv41", 1)
    bad = path.with_name("dsv41.gguf")
    bad.write_bytes(data)
    with pytest.raises(UnsupportedArchitectureError, match=r"dsv41.*cannot run"):
        inspect_model(bad)


def test_missing_file_directory_and_byte_split_parts(tmp_path: Path) -> None:
    with pytest.raises(ModelFileMissingError):
        inspect_model(tmp_path / "nope.gguf")
    with pytest.raises(NotAGGUFError):
        inspect_model(tmp_path)
    part = tmp_path / "Model.Q6_K.gguf.part1of2"
    part.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(NotAGGUFError, match="cat "):
        inspect_model(part)


def test_errors_carry_user_facing_text() -> None:
    err = CorruptModelError("'x.gguf' is damaged: it is short.", "Download it again.")
    assert str(err) == "'x.gguf' is damaged: it is short. Download it again."
    assert isinstance(err, HearthError)


def test_a_long_token_list_is_skipped_and_its_damage_still_found(models, tmp_path: Path) -> None:
    """The tokenizer's strings are stepped over, not read; a cut or an absurd length inside them is
    still a typed error."""
    good = models(TinySpec(quant="Q8_0", extra_vocab=5000))
    assert inspect_model(good).n_layers == 2
    data = good.read_bytes()
    marker = b"tok2500"  # a token in the middle of the list
    where = data.index(struct.pack("<Q", len(marker)) + marker)
    cut = tmp_path / "cut-in-tokens.gguf"
    cut.write_bytes(data[: where + 4])
    with pytest.raises(CorruptModelError, match="damaged"):
        inspect_model(cut)
    absurd = tmp_path / "absurd-token.gguf"  # full length, but one string claims to run past the end
    absurd.write_bytes(data[:where] + struct.pack("<Q", 2**40) + data[where + 8 :])
    with pytest.raises(CorruptModelError, match="runs past the end"):
        inspect_model(absurd)


def test_a_changed_file_is_inspected_again(models, tmp_path: Path) -> None:
    """Summaries are remembered per file, but a file that changed (a damaged copy, a re-download)
    is read again, never answered from memory."""
    path = tmp_path / "model.gguf"
    path.write_bytes(models(TinySpec(quant="Q8_0")).read_bytes())
    first = inspect_model(path)
    assert inspect_model(path) is first  # unchanged: remembered
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptModelError):
        inspect_model(path)
