"""Split a DeepSeek token stream into reasoning and answer text.

DeepSeek-R1 style models think inside ``<think>…</think>`` before answering.
Three cases occur in real files and all are handled while streaming:

* the template pre-fills ``<think>\\n`` so the output holds only the closing
  ``</think>`` (current R1 distill templates);
* the model writes ``<think>`` itself (older GGUFs, R1-0528);
* there is no think block at all (V2/V3 chat): everything is answer;
* thinking was switched off with a pre-filled ``<think></think>`` (V3.2) or
  a bare ``</think>`` (V3.1, V4) and the model echoes the ``</think>``: dropped.

A tag may arrive split over several tokens (``</``, ``think``, ``>``), so text
that could be the start of a tag is held back until it is decided.
"""

from __future__ import annotations

from app.core.engine.events import ContentDelta, ReasoningDelta

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"

_PENDING, _REASONING, _ANSWER = "pending", "reasoning", "answer"


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ReasoningSplitter:
    """Feed decoded text pieces; get reasoning/answer deltas back in order."""

    def __init__(self, *, prefilled: bool) -> None:
        # With a pre-filled think block we are inside reasoning from the first
        # token, but the model may still repeat the opening tag: strip it.
        self._state = _REASONING if prefilled else _PENDING
        self._buffer = ""
        self._at_section_start = True
        self._may_open = True
        self.reasoning = ""
        self.content = ""

    @classmethod
    def resuming(cls, *, in_reasoning: bool) -> ReasoningSplitter:
        """A splitter that picks up an interrupted answer: inside its reasoning, or in its answer."""
        splitter = cls(prefilled=in_reasoning)
        if not in_reasoning:
            splitter._state, splitter._may_open = _ANSWER, False
        splitter._at_section_start = False  # the text goes on mid-sentence: keep its leading spaces
        return splitter

    @property
    def in_reasoning(self) -> bool:
        """Whether the text now streaming is reasoning (the think block is open)."""
        return self._state == _REASONING

    def feed(self, text: str) -> list[ReasoningDelta | ContentDelta]:
        self._buffer += text
        out: list[ReasoningDelta | ContentDelta] = []
        while True:
            if self._may_open and not self._consume_open_tag():
                break  # not enough text yet to know whether a <think> is coming
            if self._state == _ANSWER:
                self._emit(out, self._buffer)
                self._buffer = ""
                break
            # Reasoning: emit up to the closing tag, holding back a possible partial tag.
            end = self._buffer.find(CLOSE_TAG)
            if end < 0:
                keep = _partial_tag_suffix(self._buffer, CLOSE_TAG)
                self._emit(out, self._buffer[: len(self._buffer) - keep])
                self._buffer = self._buffer[len(self._buffer) - keep :]
                break
            self._emit(out, self._buffer[:end])
            self._buffer = self._buffer[end + len(CLOSE_TAG) :]
            self._state = _ANSWER
            self._at_section_start = True
        return out

    def flush(self) -> list[ReasoningDelta | ContentDelta]:
        """End of stream: whatever is held back is plain text of the current section."""
        out: list[ReasoningDelta | ContentDelta] = []
        if self._state == _PENDING:
            self._state = _ANSWER
        self._may_open = False
        self._emit(out, self._buffer)
        self._buffer = ""
        return out

    def _consume_open_tag(self) -> bool:
        """Decide whether the output opens with <think>; False = need more text."""
        stripped = self._buffer.lstrip()
        if stripped.startswith(OPEN_TAG):
            self._buffer = stripped[len(OPEN_TAG) :]
            self._state = _REASONING
        elif self._state == _PENDING and stripped.startswith(CLOSE_TAG):
            self._buffer = stripped[len(CLOSE_TAG) :]  # the close of a think block the prompt already closed
            self._state = _ANSWER
        elif OPEN_TAG.startswith(stripped) or (self._state == _PENDING and CLOSE_TAG.startswith(stripped)):
            return False  # empty, whitespace, or a partial "<thi" / "</thi"
        elif self._state == _PENDING:
            self._state = _ANSWER
        self._may_open = False
        return True

    def _emit(self, out: list[ReasoningDelta | ContentDelta], text: str) -> None:
        if self._at_section_start:
            text = text.lstrip()
            if not text:
                return
            self._at_section_start = False
        if not text:
            return
        if self._state == _REASONING:
            self.reasoning += text
            out.append(ReasoningDelta(text))
        else:
            self.content += text
            out.append(ContentDelta(text))
