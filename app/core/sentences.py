"""Sentences core writes for people (errors, their hints, the policy's reasons), kept translatable.

Core is Qt-free and its clients differ: the CLI prints English, the window speaks the user's
language through Qt's catalogue.  So a sentence is made with :func:`say` from an English
template and its values: it *is* the English text (a ``str``: the CLI, the logs and every
``str()`` of an error are unchanged), and it keeps the template and the values, which the
window translates and fills in (``app.ui.i18n.sentence``).  Values may be sentences themselves.
``resources/i18n/update.py`` finds every ``say("…")`` in core and puts its template in the
catalogue.  Why not gettext in core: the window already has one catalogue, Qt's, with its
tools (lupdate, Linguist); a second system would split the translators' work in two.
"""

from __future__ import annotations

from typing import Any


class Sentence(str):
    """English text that remembers the template and values it was made from."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any]) -> Sentence:
        sentence = super().__new__(cls, template.format(**values))
        sentence.template, sentence.values = template, values
        return sentence

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (a worker process's errors) as a sentence
        return (Sentence, (self.template, self.values))


def say(template: str, /, **values: Any) -> Sentence:
    """``template`` (``str.format`` syntax) with ``values``, translatable by a client."""
    return Sentence(template, values)


def translated(text: str, translate: Any) -> str:
    """``text`` in a client's language: a sentence's template through ``translate`` (template ->
    translated template), its values filled in (sentences among them translated too); any other
    text as it is.  A translation whose placeholders do not match falls back to the English."""
    if not isinstance(text, Sentence):
        return text
    values = {key: translated(value, translate) if isinstance(value, str) else value for key, value in text.values.items()}
    try:
        return str(translate(text.template)).format(**values)
    except (KeyError, IndexError, ValueError):
        return text.template.format(**values)
