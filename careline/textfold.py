"""Text as the keyword rules read it: invisible format characters dropped, compatibility forms folded.

A zero-width space inside "chargeback" (U+200B), a soft hyphen pasted from a word processor (U+00AD) or a
word typed in fullwidth letters ("ｃａｌｍ ｄｏｗｎ") reads the same to a person and to the model, whose tokenizer drops
or folds them, but hid the words from every regular expression: the legal and safety rules, the tone guard and
language identification (fullwidth Latin came out Chinese). :func:`fold` gives the text those rules match, and
where each of its characters came from, so a finding still points into the text as written.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` without format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens,
    bidirectional controls) and with each other character in its NFKC form, and for each character of the result
    the index in ``text`` it came from, plus ``len(text)`` at the end (so an end offset maps too)."""
    if text.isascii():  # the common case: nothing to drop or fold
        return text, tuple(range(len(text) + 1))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            where.append(i)
        elif unicodedata.category(ch) != "Cf":
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded)
            where.extend([i] * len(folded))
    where.append(len(text))
    return "".join(out), tuple(where)


def folded(text: str) -> str:
    """The text of :func:`fold` alone."""
    return fold(text)[0]


def original_span(where: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    """The span of the text as written that the folded span ``start:end`` came from."""
    return where[start], (where[end - 1] + 1 if end > start else where[start])
