"""Text as the keyword rules read it: invisible format characters dropped, compatibility forms folded.

A zero-width space inside "chargeback" (U+200B), a soft hyphen pasted from a word processor (U+00AD) or a
word typed in fullwidth letters ("ｃａｌｍ ｄｏｗｎ") reads the same to a person and to the model, whose tokenizer drops
or folds them, but hid the words from every regular expression: the legal and safety rules, the tone guard and
language identification (fullwidth Latin came out Chinese); so did a Cyrillic "а" inside a Latin word, or marks
stacked on its letters (zalgo). :func:`fold` gives the text those rules match, and
where each of its characters came from, so a finding still points into the text as written.
"""

from __future__ import annotations

import re
import unicodedata

#: Cyrillic and Greek letters drawn like Latin ones: inside a word that holds Latin letters too ("Cаlm" with a
#: Cyrillic а) they stand for those, and hid the phrase from every rule. A word wholly in Cyrillic or Greek keeps them.
LOOKALIKES = str.maketrans("аеорсхуіјѕԁАВЕКМНОРСТХУІЈЅοαινκρτυχΟΑΒΕΖΗΙΚΜΝΡΤΥΧ",
                           "aeopcxyijsdABEKMHOPCTXYIJSoaivkptuxOABEZHIKMNPTYX")
#: Combining marks a letter may carry: a longer stack ("z̸̢̛a̵l̴g̷o̶") is noise heaped to break matching, and goes whole.
MARKS_KEPT = 2
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z]")


def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` without format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens,
    bidirectional controls) or combining marks past :data:`MARKS_KEPT` on one letter, with each other character in
    its NFKC form and :data:`LOOKALIKES` read as Latin inside words with Latin letters, and for each character of the
    result the index in ``text`` it came from, plus ``len(text)`` at the end (so an end offset maps too)."""
    if text.isascii():  # the common case: nothing to drop or fold
        return text, tuple(range(len(text) + 1))
    out: list[str] = []
    where: list[int] = []
    noise = _stacked_marks(text)
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            where.append(i)
        elif i not in noise and unicodedata.category(ch) != "Cf":
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded)
            where.extend([i] * len(folded))
    where.append(len(text))
    read = _WORD.sub(_as_latin, "".join(out))  # one character for one: ``where`` still holds
    return read, tuple(where)


def _stacked_marks(text: str) -> set[int]:
    """Indexes of the combining marks in runs longer than :data:`MARKS_KEPT` on one letter (the whole stack goes),
    and of the overlay marks (a tilde or a stroke drawn through a letter, U+0334-U+0338), which no orthography uses
    and zalgo text is made of."""
    noise = {i for i, ch in enumerate(text) if "\u0334" <= ch <= "\u0338"}
    run: list[int] = []
    for i, ch in enumerate((*text, "")):
        if ch and unicodedata.combining(ch):
            run.append(i)
            continue
        if len(run) > MARKS_KEPT:
            noise.update(run)
        run = []
    return noise


def _as_latin(word: re.Match[str]) -> str:
    """A word holding Latin letters with :data:`LOOKALIKES` read as the Latin letters they are drawn as."""
    text = word.group(0)
    return text.translate(LOOKALIKES) if _LATIN.search(text) else text


def folded(text: str) -> str:
    """The text of :func:`fold` alone."""
    return fold(text)[0]


def original_span(where: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    """The span of the text as written that the folded span ``start:end`` came from."""
    return where[start], (where[end - 1] + 1 if end > start else where[start])
