"""The reasoning splitter on every way DeepSeek models emit <think>."""

from __future__ import annotations

import pytest

from app.core.engine.events import ContentDelta, ReasoningDelta
from app.core.engine.reasoning import ReasoningSplitter


def split(pieces: list[str], *, prefilled: bool) -> tuple[str, str, list[object]]:
    s = ReasoningSplitter(prefilled=prefilled)
    events: list[object] = []
    for piece in pieces:
        events += s.feed(piece)
    events += s.flush()
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    content = "".join(e.text for e in events if isinstance(e, ContentDelta))
    assert (reasoning, content) == (s.reasoning, s.content)
    return reasoning, content, events


def every_split(text: str) -> list[list[str]]:
    """The text cut at each position, plus one char at a time."""
    cuts = [[text[:i], text[i:]] for i in range(1, len(text))]
    return [*cuts, list(text)]


@pytest.mark.parametrize("pieces", every_split("Let me think.\n</think>\n\nThe answer is 4."))
def test_prefilled_template_output_has_only_the_closing_tag(pieces: list[str]) -> None:
    reasoning, content, _ = split(pieces, prefilled=True)
    assert reasoning == "Let me think.\n"
    assert content == "The answer is 4."


@pytest.mark.parametrize("pieces", every_split("<think>\nHmm, 2+2.\n</think>\n\n4"))
def test_model_that_emits_the_opening_tag_itself(pieces: list[str]) -> None:
    reasoning, content, _ = split(pieces, prefilled=False)
    assert (reasoning, content) == ("Hmm, 2+2.\n", "4")


@pytest.mark.parametrize("pieces", every_split("<think>\nrepeat\n</think>answer"))
def test_prefilled_but_the_model_repeats_the_opening_tag(pieces: list[str]) -> None:
    assert split(pieces, prefilled=True)[:2] == ("repeat\n", "answer")


@pytest.mark.parametrize("pieces", every_split("Plain V3 answer with a < sign and <b>tags</b>."))
def test_no_think_block_is_all_answer(pieces: list[str]) -> None:
    assert split(pieces, prefilled=False)[:2] == ("", "Plain V3 answer with a < sign and <b>tags</b>.")


def test_empty_reasoning_block_is_skipped() -> None:
    reasoning, content, events = split(["<think>\n\n</think>\n\nHi"], prefilled=True)
    assert (reasoning, content) == ("", "Hi")
    assert all(isinstance(e, ContentDelta) for e in events)


def test_stream_cut_inside_reasoning_keeps_held_back_text() -> None:
    # A cancelled answer: the partial "</thi" must not be lost or misfiled.
    assert split(["thinking </thi"], prefilled=True)[:2] == ("thinking </thi", "")


def test_answer_text_containing_close_tag_later_stays_answer() -> None:
    assert split(["<think>a</think>b</think>c"], prefilled=False)[:2] == ("a", "b</think>c")


def test_events_stream_before_the_end() -> None:
    s = ReasoningSplitter(prefilled=True)
    assert s.feed("abc") == [ReasoningDelta("abc")]
    assert s.feed("</think>x") == [ContentDelta("x")]
