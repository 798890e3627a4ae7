"""Template rendering for each DeepSeek family matches the reference templates,
with reasoning stripped from history; the engine uses the GGUF's own template."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.engine.base import Message
from app.core.engine.llama import Engine, LoadOptions
from app.core.engine.templates import ChatTemplate, TemplateError, guess_family, load_family_template
from tests.conftest import reference_template
from tests.gguf_factory import BOS, EOS, TinySpec

CONVERSATIONS = [
    [Message("user", "2+2?")],
    [Message("system", "Be brief."), Message("user", "2+2?")],
    [
        Message("user", "2+2?"),
        Message("assistant", "4", reasoning="Two plus two is four."),
        Message("user", "and 3+3?"),
    ],
    [
        Message("system", "Sys"),
        Message("user", "a"),
        Message("assistant", "b", reasoning="r1"),
        Message("user", "c"),
        Message("assistant", "d", reasoning="r2"),
        Message("user", "e ünïcødé ✓"),
    ],
]


def render_reference(source: str, messages: list[dict[str, str]]) -> str:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(source).render(messages=messages, bos_token=BOS, eos_token=EOS, add_generation_prompt=True)


def as_history_with_reasoning_inline(conv: list[Message]) -> list[dict[str, str]]:
    """How DeepSeek's reference expects history when a client keeps reasoning inline."""
    out = []
    for m in conv:
        content = f"<think>\n{m.reasoning}\n</think>{m.content}" if m.reasoning else m.content
        out.append({"role": m.role, "content": content})
    return out


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=range(len(CONVERSATIONS)))
def test_r1_family_template_matches_deepseek_reference(conv: list[Message]) -> None:
    reference = reference_template("deepseek-r1-distill.jinja")
    ours = ChatTemplate(load_family_template("deepseek-r1"), BOS, EOS)
    rendered = ours.render([m.for_template() for m in conv])
    assert rendered == render_reference(reference, as_history_with_reasoning_inline(conv))
    assert "Two plus two" not in rendered and "r1" not in rendered.replace("<｜", "")
    assert rendered.endswith("<｜Assistant｜><think>\n")


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=range(len(CONVERSATIONS)))
def test_v3_family_matches_v31_reference_in_non_thinking_mode(conv: list[Message]) -> None:
    reference = reference_template("deepseek-v3.1.jinja")
    ours = ChatTemplate(load_family_template("deepseek-v3"), BOS, EOS)
    expected = render_reference(reference, as_history_with_reasoning_inline(conv))
    # V3.1 marks non-thinking turns with </think>; plain V3 has no such marker.
    assert ours.render([m.for_template() for m in conv]) == expected.replace("<｜Assistant｜></think>", "<｜Assistant｜>")


def test_v2_family_renders_user_assistant_turns() -> None:
    ours = ChatTemplate(load_family_template("deepseek-v2"), BOS, EOS)
    text = ours.render([m.for_template() for m in CONVERSATIONS[2]])
    assert text == f"{BOS}User: 2+2?\n\nAssistant: 4{EOS}User: and 3+3?\n\nAssistant:"
    assert not ours.prefills_reasoning


def test_prefill_detection() -> None:
    assert ChatTemplate(load_family_template("deepseek-r1"), BOS, EOS).prefills_reasoning
    assert not ChatTemplate(load_family_template("deepseek-v3"), BOS, EOS).prefills_reasoning


@pytest.mark.parametrize("family", ["r1-distill-qwen", "r1-distill-llama", "r1-0528-qwen3", "v2-lite"])
def test_engine_prompt_tokens_equal_the_reference_rendering(models, engine: Engine, family: str) -> None:
    path = models.family(family)
    engine.load(str(path), LoadOptions(n_ctx=1024))
    source = engine.loaded.info.chat_template
    assert source is not None and not engine.loaded.template.is_fallback
    conv = CONVERSATIONS[3]
    fitted = engine.fit(conv, max_tokens=64)
    direct = render_reference(source, as_history_with_reasoning_inline(conv))
    assert fitted.tokens == engine.tokenize(direct)
    # The BOS special token is a single token at the start (added by the template, not twice).
    assert fitted.tokens[0] == engine._llama.token_bos()
    assert fitted.tokens[1] != engine._llama.token_bos()


def test_file_without_template_uses_the_family_fallback_and_says_so(models, engine: Engine) -> None:
    path = models(TinySpec(template=None), name="no-template")
    loaded = engine.load(str(path), LoadOptions(n_ctx=512))
    assert loaded.template.is_fallback and loaded.template.family == "deepseek-r1"
    assert any("no chat template" in n for n in loaded.notices)
    assert engine.fit([Message("user", "hi")], 16).tokens[-2:] == engine.tokenize("<｜Assistant｜><think>\n")[-2:]


def test_family_guess_from_header() -> None:
    assert guess_family("deepseek2", 27, "DeepSeek-V2-Lite-Chat") == "deepseek-v2"
    assert guess_family("deepseek2", 61, "DeepSeek V3 0324") == "deepseek-v3"
    assert guess_family("deepseek2", 61, "DeepSeek R1") == "deepseek-r1"
    assert guess_family("qwen2", 28, "DeepSeek-R1-Distill-Qwen-7B") == "deepseek-r1"


def test_sandbox_blocks_template_escapes() -> None:
    evil = ChatTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}", BOS, EOS)
    with pytest.raises((TemplateError, jinja2.exceptions.SecurityError)):
        evil.render([{"role": "user", "content": "x"}])
    mutate = ChatTemplate("{% set _ = messages.append(1) %}", BOS, EOS)
    with pytest.raises((TemplateError, jinja2.exceptions.SecurityError)):
        mutate.render([{"role": "user", "content": "x"}])


def test_broken_template_and_raise_exception_are_typed_errors() -> None:
    with pytest.raises(TemplateError, match="not valid Jinja"):
        ChatTemplate("{% if %}", BOS, EOS).render([])
    with pytest.raises(TemplateError, match="roles must alternate"):
        ChatTemplate("{{ raise_exception('roles must alternate') }}", BOS, EOS).render([])


HOSTILE = {
    "nested loops of 10^10": "{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}",
    "a string times 10^10": "{{ 'x' * 10**10 }}",
    "a list times 10^10": "{{ ([1] * 10**5) * 10**5 }}",
    "a doubling loop (~)": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "a doubling loop (+)": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "range(10^8)": "{% for i in range(10**8) %}{% endfor %}",
    "a method asking 10^10": "{{ 'x'.ljust(10**10) }}",
    "a filter asking 10^10": "{{ 'x'|center(10**10) }}",
    "a huge prompt": "{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_template_is_stopped_with_a_clear_error(name: str) -> None:
    """Bounded in time, memory and output; afterwards the engine's templates render as before."""
    with pytest.raises(TemplateError) as raised:
        ChatTemplate(HOSTILE[name], BOS, EOS).render([{"role": "user", "content": "x"}])
    assert "chat template" in str(raised.value) and ("stopped it" in str(raised.value) or "failed" in str(raised.value))
    assert ChatTemplate(load_family_template("deepseek-v3"), BOS, EOS).render([{"role": "user", "content": "ok"}])


def test_bounds_leave_real_templates_alone() -> None:
    long = [Message("user", "word " * 20000)]  # a 100 kB message renders; the bounds are far above real prompts
    for family in ("deepseek-r1", "deepseek-v3", "deepseek-v2"):
        history = [m.for_template() for m in CONVERSATIONS[-1] + long]
        text = ChatTemplate(load_family_template(family), BOS, EOS).render(history)
        assert "word word" in text


def test_stop_ends_a_template_that_runs_away(models, engine: Engine) -> None:
    """Stop works while the prompt is rendered: the turn ends cancelled, well before the deadline."""
    import threading

    from app.core.engine.base import SamplingParams
    from app.core.engine.events import GenerationSummary, StopReason

    engine.load(str(models(TinySpec(quant="Q8_0", seed=11, template=HOSTILE["nested loops of 10^10"]))), LoadOptions(n_ctx=512))
    events: list[object] = []
    turn = threading.Thread(target=lambda: events.extend(engine.chat([Message("user", "hi")], SamplingParams(max_tokens=4))))
    turn.start()
    threading.Timer(0.2, engine.request_cancel).start()
    turn.join(30)
    summary = events[-1]
    assert isinstance(summary, GenerationSummary) and summary.stop_reason is StopReason.CANCELLED


SWITCHED = (
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% if thinking %}<think>{% else %}<think></think>{% endif %}"
    "{% if reasoning_effort %}[{{ reasoning_effort }}]{% endif %}{% endif %}"
)  # the shape of V3.1's switch: thinking opens a block the model continues, off closes it at once


def test_the_thinking_switch_reaches_the_template_and_the_splitter() -> None:
    from app.core.engine.base import thinking_switches

    template = ChatTemplate(SWITCHED, BOS, EOS)
    asked = [{"role": "user", "content": "x"}]
    assert template.render(asked, extra=thinking_switches("on")).endswith("<assistant><think>")
    assert template.render(asked, extra=thinking_switches("off")).endswith("<think></think>")
    assert template.render(asked, extra=thinking_switches("max")).endswith("<think>[max]")
    assert template.prefills(thinking_switches("on")) and not template.prefills(thinking_switches("off"))
    assert not template.prefills(None)  # the template's own default here: off


def test_hearth_chat_think_changes_the_local_prompt(models, engine: Engine) -> None:
    from app.core.engine.base import SamplingParams
    from app.core.engine.events import GenerationSummary

    engine.load(str(models(TinySpec(quant="Q8_0", seed=11, template=SWITCHED))), LoadOptions(n_ctx=512))
    on = engine.fit([Message("user", "hi")], 8, "on").tokens
    off = engine.fit([Message("user", "hi")], 8, "off").tokens
    assert on != off and len(off) > len(on)  # "off" adds the closing tag
    summary = list(engine.chat([Message("user", "hi")], SamplingParams(max_tokens=2, thinking="off")))[-1]
    assert isinstance(summary, GenerationSummary) and summary.prompt_tokens == len(off)
