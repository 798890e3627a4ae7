"""V3.1, V3.2 and V4 prompts: Hearth renders what the reference templates render.

The expected prompts below are written out by hand from DeepSeek's formats (turn markers,
thinking switch, reasoning kept or dropped, V3.1's tool tokens, DSML markup).  Each reference
template (the Hub's V3.1 from ../shared, llama.cpp's V3.1, V3.2 and V4 from the vendored tree)
and Hearth's own family template for files without one must produce exactly that text from
the same multi-turn conversation with reasoning and a tool call.
"""

from __future__ import annotations

import json

import pytest

from app.core.engine.base import Message, ToolCall, thinking_switches
from app.core.engine.template_limits import TemplateError
from app.core.engine.templates import ChatTemplate, guess_family, load_family_template
from tests.gguf_factory import REFERENCE_DIR
from tests.llama_cpp_sources import vendored_template

BOS, EOS = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"
U, A = "<｜User｜>", "<｜Assistant｜>"
D = "｜DSML｜"
ARGS = '{"city": "Paris", "days": 2}'

CONVERSATION = [
    Message("system", "Be brief."),
    Message("user", "What is 2+2?"),
    Message("assistant", "4.", reasoning="Add them."),
    Message("user", "Weather in Paris?"),
    Message("assistant", "", reasoning="Need tool.", tool_calls=(ToolCall("get_weather", ARGS, "call_1"),)),
    Message("tool", "Sunny, 21°C", tool_call_id="call_1"),
    Message("assistant", "Sunny.", reasoning="Got it."),
    Message("user", "Thanks! <b>&</b>"),
]
PLAIN = [*CONVERSATION[:3], Message("user", "And 3+3?")]


def _dsml(wrapper: str) -> str:
    return (
        f'\n\n<{D}{wrapper}>\n<{D}invoke name="get_weather">\n'
        f'<{D}parameter name="city" string="true">Paris</{D}parameter>\n'
        f'<{D}parameter name="days" string="false">2</{D}parameter>\n'
        f"</{D}invoke>\n</{D}{wrapper}>"
    )


def expected_v31(thinking: bool, no_think: str = "</think>") -> str:
    calls = f"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{ARGS}<｜tool▁call▁end｜><｜tool▁calls▁end｜>"
    return (
        f"{BOS}Be brief.{U}What is 2+2?{A}{no_think}4.{EOS}{U}Weather in Paris?{A}{no_think}{calls}{EOS}"
        f"<｜tool▁output▁begin｜>Sunny, 21°C<｜tool▁output▁end｜>Sunny.{EOS}{U}Thanks! <b>&</b>{A}"
        + ("<think>" if thinking else no_think)
    )


def expected_v32(thinking: bool) -> str:
    return (
        f"{BOS}Be brief.{U}What is 2+2?{A}</think>4.{EOS}{U}Weather in Paris?{A}</think>{_dsml('function_calls')}{EOS}"
        f"\n\n<function_results>\n<result>Sunny, 21°C</result>\n</function_results>\n\n</think>Sunny.{EOS}"
        f"{U}Thanks! <b>&</b>{A}" + ("<think>" if thinking else "<think></think>")
    )


MAX_PREAMBLE_START = "Reasoning Effort: Absolute maximum with no shortcuts permitted.\n"


def expected_v4(thinking: bool) -> str:
    def said(reasoning: str) -> str:  # tools were used, so thinking keeps every turn's reasoning
        return f"<think>{reasoning}</think>" if thinking else "</think>"

    return (
        f"{BOS}Be brief.{U}What is 2+2?{A}{said('Add them.')}4.{EOS}{U}Weather in Paris?{A}{said('Need tool.')}"
        f"{_dsml('tool_calls')}{EOS}{U}<tool_result>Sunny, 21°C</tool_result>{A}{said('Got it.')}Sunny.{EOS}"
        f"{U}Thanks! <b>&</b>{A}" + ("<think>" if thinking else "</think>")
    )


def render(source: str, messages: list[Message], thinking: str | None) -> str:
    template = ChatTemplate(source, BOS, EOS)
    return template.render([m.for_template() for m in messages], extra=thinking_switches(thinking))


def references(family: str) -> list[tuple[str, str]]:
    found = [("hearth", load_family_template(family))]
    if family == "deepseek-v3.2":
        found.append(("llama.cpp", vendored_template("deepseek-ai-DeepSeek-V3.2.jinja")))
    if family == "deepseek-v4":
        found.append(("llama.cpp", vendored_template("deepseek-ai-DeepSeek-V4.jinja")))
        found.append(("llama.cpp 0731", vendored_template("deepseek-ai-DeepSeek-V4-Flash-0731.jinja")))
    return found


@pytest.mark.parametrize("thinking", [None, "off", "on"])
@pytest.mark.parametrize(
    ("family", "expected"),
    [("deepseek-v3.1", expected_v31), ("deepseek-v3.2", expected_v32), ("deepseek-v4", expected_v4)],
)
def test_each_template_renders_the_reference_prompt(family, expected, thinking) -> None:
    want = expected(thinking == "on")
    for source_name, source in references(family):
        assert render(source, CONVERSATION, thinking) == want, source_name


def test_the_hubs_v31_template_renders_the_same() -> None:
    hub = REFERENCE_DIR / "deepseek-v3.1.jinja"
    if not hub.is_file():
        pytest.skip("../shared/reference is not beside this checkout")
    for thinking in ("off", "on"):
        assert render(hub.read_text(encoding="utf-8"), CONVERSATION, thinking) == expected_v31(thinking == "on")


def test_llama_cpps_v31_copy_marks_no_thinking_with_an_empty_think_block() -> None:
    """llama.cpp's V3.1 copy differs from DeepSeek's in one place, rendered as it is."""
    source = vendored_template("deepseek-ai-DeepSeek-V3.1.jinja")
    assert render(source, CONVERSATION, "off") == expected_v31(False, no_think="<think></think>")
    assert render(source, CONVERSATION, "on").endswith(f"{A}<think>")


def test_v4_drops_older_reasoning_without_tools_and_max_effort_adds_the_preamble() -> None:
    for _, source in references("deepseek-v4"):
        on = render(source, PLAIN, "on")
        assert on == f"{BOS}Be brief.{U}What is 2+2?{A}</think>4.{EOS}{U}And 3+3?{A}<think>"
        high_or_max = render(source, PLAIN, "max")
        assert high_or_max.startswith(BOS + "Reasoning Effort: ")
    assert render(load_family_template("deepseek-v4"), PLAIN, "max").startswith(BOS + MAX_PREAMBLE_START)
    assert render(load_family_template("deepseek-v4"), PLAIN, "off").endswith(f"{A}</think>")


def test_tool_arguments_that_are_not_json_are_a_clear_error() -> None:
    broken = [*CONVERSATION[:4], Message("assistant", "", tool_calls=(ToolCall("f", "{city: Paris"),)), Message("user", "?")]
    with pytest.raises(TemplateError, match="not valid JSON"):
        render(load_family_template("deepseek-v4"), broken, "on")


def test_tojson_is_plain_json_with_non_ascii_kept() -> None:
    source = "{{ value | tojson }}|{{ value | tojson(indent=2) }}"
    value = {"q": "<b>&'é"}
    out = ChatTemplate(source, "", "").render([], add_generation_prompt=False, extra={"value": value})
    assert out == json.dumps(value, ensure_ascii=False) + "|" + json.dumps(value, ensure_ascii=False, indent=2)


def test_files_without_a_template_get_their_familys() -> None:
    assert guess_family("deepseek4", 43, "DeepSeek V4 Flash") == "deepseek-v4"
    assert guess_family("deepseek32", 61, "DeepSeek V3.2") == "deepseek-v3.2"
    assert guess_family("deepseek2", 61, "DeepSeek-V3.1-Terminus") == "deepseek-v3.1"
    assert guess_family("deepseek2", 61, "DeepSeek-V3-0324") == "deepseek-v3"
