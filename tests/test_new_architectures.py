"""V3.2 (``deepseek32``) and V4 (``deepseek4``) run in-process, any architecture llama.cpp runs
loads (with a notice when it is not DeepSeek), and the list comes from llama.cpp itself."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.core import paths
from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.events import StopReason
from app.core.engine.llama import Engine, LoadOptions
from app.core.errors import UnsupportedArchitectureError
from app.core.models import architectures
from app.core.models.info import inspect_model
from tests.gguf_factory import TinySpec, family_spec, write_model

LONG = SamplingParams(temperature=0.8, max_tokens=40, seed=3, ignore_eos=True)


@pytest.mark.parametrize("family", ["v3.2", "v4"])
def test_new_architectures_chat_over_several_turns(models, engine: Engine, family: str) -> None:
    path = models(family_spec(family, quant="Q8_0"))
    loaded = engine.load(str(path), LoadOptions(n_ctx=1024))
    assert loaded.info.architecture == {"v3.2": "deepseek32", "v4": "deepseek4"}[family]
    assert not any("not a DeepSeek model" in n for n in loaded.notices)
    history = [Message("system", "Be brief."), Message("user", "first question " * 30)]
    for turn in range(3):
        for thinking in ("off", "on"):
            reasoning, content, summary = collect(engine.chat(history, replace(LONG, thinking=thinking)))
            assert summary.completion_tokens == 40 and summary.stop_reason is StopReason.LENGTH
            assert summary.prompt_tokens > 60
        history += [Message("assistant", content or "ok", reasoning), Message("user", f"follow-up {turn}")]


def test_the_v4_prompt_reaches_the_model_as_its_template_says(models, engine: Engine) -> None:
    engine.load(str(models(family_spec("v4"))), LoadOptions(n_ctx=512))
    template = engine.model.template
    for thinking, ending in (("on", "<｜Assistant｜><think>"), ("off", "<｜Assistant｜></think>")):
        prompt = template.render([{"role": "user", "content": "hi"}], extra={"thinking": thinking == "on"})
        assert prompt.endswith(ending)
    assert template.prefills({"thinking": True}) and not template.prefills({"thinking": False})


def test_a_non_deepseek_file_loads_with_a_notice(models, engine: Engine) -> None:
    chatml = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    path = models(TinySpec(arch="llama", n_head_kv=4, template=chatml, name="Tiny Llama Chat"))
    loaded = engine.load(str(path), LoadOptions(n_ctx=512))
    notices = [n for n in loaded.notices if "not a DeepSeek model" in n]
    assert notices and "Tiny Llama Chat" in notices[0] and "llama architecture" in notices[0]
    _, _, summary = collect(engine.chat([Message("user", "hello")], replace(LONG, max_tokens=8)))
    assert summary.completion_tokens == 8


def test_a_deepseek_file_on_a_shared_architecture_gets_no_notice(models, engine: Engine) -> None:
    loaded = engine.load(str(models.family("r1-distill-llama")), LoadOptions(n_ctx=512))
    assert not any("not a DeepSeek model" in n for n in loaded.notices)


def test_runnable_architectures_come_from_llama_cpp_and_are_cached(tmp_path) -> None:
    architectures._answers.clear()
    cache = paths.user_dirs().cache / "architectures.json"
    cache.unlink(missing_ok=True)
    for name in ("deepseek4", "deepseek32", "gemma3", "mamba", "qwen2"):
        assert architectures.is_runnable(name), name
    for name in ("deepseek41", "no-such-arch"):
        assert not architectures.is_runnable(name), name
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert data["llama_cpp_python"] == architectures.llama_cpp_version()
    assert data["architectures"]["deepseek41"] is False and data["architectures"]["gemma3"] is True
    # A cache from another llama-cpp-python version is not trusted.
    data["llama_cpp_python"] = "0.0.1"
    data["architectures"]["deepseek41"] = True
    cache.write_text(json.dumps(data), encoding="utf-8")
    architectures._answers.clear()
    assert not architectures.is_runnable("deepseek41")


def test_an_architecture_llama_cpp_does_not_know_is_refused_with_the_reason(tmp_path) -> None:
    path = write_model(tmp_path / "src.gguf", TinySpec(arch="qwen2"))
    bad = tmp_path / "V4.1-Flash.gguf"
    bad.write_bytes(path.read_bytes().replace(b"qwen2", b"dsv41", 1))
    with pytest.raises(UnsupportedArchitectureError) as info:
        inspect_model(bad)
    assert "'dsv41'" in str(info.value) and "llama-cpp-python" in str(info.value)
    assert "fork" in info.value.hint
