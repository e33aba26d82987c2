"""Turning head outputs into a ``Prediction``: sarcasm correction, severity, language notes, reasons.

Shared by both encoder paths (``classifiers.minilm`` for English, ``classifiers.multilingual`` for the
rest), so a reason reads the same whichever path scored the post.

Sarcasm: the sentiment and complaint heads read "great, another 3 hour delay, love it" literally
(positive 0.84, complaint 0.24). A sarcasm head (``classifiers.train_extra --sarcasm``) tells a
sarcastic complaint from a sincere post with the same positive words: praise, praise naming a problem
the brand fixed, a friendly question. It reads the post's embedding and its hashed n-grams, like the
complaint head, and was fitted on our own hand-written posts (``data/train``), because no public set
has this contrast: TweetEval irony mixes every kind of irony, and the irony head fitted on it gave
0.64-0.92 to every post of our sarcasm dev set, literal praise too. It only scores posts with
positive words (``praise_words``, VADER's lexicon entries of valence >= 1), 0 for the rest: sarcasm
about a brand wraps a complaint in praise (Riloff et al. 2013), and a post without praise has nothing
to read the other way. At ``Gate.sarcasm_on`` or more the complaint score becomes at least the sarcasm
score and that share of the positive sentiment moves to negative, with a reason. English only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from careline.languages import UNDETERMINED, language_name
from classifiers.language import clean_for_language

SARCASM_ON = 0.7  # the gate of models whose manifest names none (below it the head fired mostly on thanks)
SEVERITY_NAMES = {0: "not a complaint", 1: "no explicit reproach", 2: "disapproval", 3: "accusation", 4: "blame"}


_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_praise: frozenset[str] | None = None


def praise_words() -> frozenset[str]:
    """VADER's single words of valence >= 1 ("great", "love", "thanks", "brilliant"; about 2,400)."""
    global _praise
    if _praise is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        lexicon = SentimentIntensityAnalyzer().lexicon
        _praise = frozenset(w for w, v in lexicon.items() if v >= 1.0 and w.isalpha())
    return _praise


#: The complaint head for posts read for sarcasm (``reads_for_sarcasm``); the others keep ``complaint``.
PRAISE_HEAD = "praise_complaint"
#: ...and only where the sarcasm head finds the post sincere: below this, for models whose manifest
#: names no gate (``Gate``; since 2026-12-05 the trainer chooses and records it).
PRAISE_SINCERE_BELOW = 0.2


#: A gate threshold no probability reaches: that part of the gate is off (``Gate(0.0, NEVER)``: no lift).
NEVER = 1.01


@dataclass(frozen=True)
class Gate:
    """The two sarcasm thresholds of the English complaint score, as the model's manifest records them
    (``sarcasm_gate``, chosen by ``classifiers.train_extra --praise-complaint`` on cross-fitted real
    complaint rows and leave-one-annotator-out written posts; model card). They travel with the
    model, not the code, because each refit of the sarcasm and praise heads moves where they belong.

    ``sincere_below``: posts with positive words and a sarcasm score under it take the praise head's
    complaint score. ``sarcasm_on``: from it the complaint score is at least the sarcasm score."""

    sincere_below: float = PRAISE_SINCERE_BELOW
    sarcasm_on: float = SARCASM_ON

    @classmethod
    def of(cls, manifest: Mapping[str, Any]) -> Gate:
        gate = manifest.get("sarcasm_gate") or {}
        return cls(float(gate.get("sincere_below", PRAISE_SINCERE_BELOW)), float(gate.get("sarcasm_on", SARCASM_ON)))


def complaint_with_praise(complaint: np.ndarray, praise_complaint: np.ndarray, sarcasm: np.ndarray,
                          praise: np.ndarray, bound: float = PRAISE_SINCERE_BELOW) -> tuple[np.ndarray, np.ndarray]:
    """The complaint score, and where the praise head gave it: on posts with positive words that the
    sarcasm head reads as sincere. Why the second condition: the praise head learnt that thanks after
    a fix is no complaint, and would read "bag turned up soaked, one wheel snapped off. Brilliant."
    the same way; a sarcastic tone that the sarcasm head only half trusts (from ``bound`` up to the
    gate's ``sarcasm_on``) keeps the complaint head's score. The trainer chooses ``bound`` where it
    costs real complaint rows at most 0.002 macro-F1 (``train_extra.choose_gate``; figures in the
    model card)."""
    use = praise & (sarcasm < bound)  # ``bound``: the model's ``Gate.sincere_below``
    return np.where(use, praise_complaint, complaint), use


def has_praise(text: str) -> bool:
    """Whether a post has a positive word of its author's: with the length bound, which posts are
    read for sarcasm and may take ``PRAISE_HEAD``'s complaint score (``reads_for_sarcasm``).

    Only the author's words count: @handles and links are left out, as for language ID. Until
    2026-12-05 they were read too, so "@united", "@FC_Help" and "@Uber_Support" made a post "positive"
    (VADER scores "united", "help" and "support" >= 1): 117 of the 2,759 real complaint rows and 1,489
    of the airline tweets the sarcasm head draws on matched only through a handle or a link."""
    words = praise_words()
    return any(m.group(0).lower() in words for m in _WORD.finditer(clean_for_language(text)))


#: The longest post the sarcasm head or its gate is read on. The longest of the 5,400 posts the head
#: was fitted on, and of the complaint rows the gate was chosen on, has 327 characters; beyond that
#: both are guessing. On longer posts (2026-12-05, shipped heads, fp32) the correction cost complaint
#: macro-F1 on every real set we hold: CESAMARD's 1,173 reviews over 330 characters 0.745 -> 0.638,
#: X-FINCORP's 78 such tweets 0.753 -> 0.711; with this bound they read 0.729 and 0.765.
SARCASM_MAX_CHARS = 330


def reads_for_sarcasm(text: str) -> bool:
    """Whether the sarcasm head and the praise gate read ``text``: it has a positive word of its
    author's and is no longer than the posts they learnt from (``SARCASM_MAX_CHARS``). Other posts
    take the complaint head's score as it is."""
    return len(text) <= SARCASM_MAX_CHARS and has_praise(text)


#: Emoji whose feeling is plain (written by us, not learnt): a post of nothing but these is read from them.
#: The tokenizer maps every emoji to ``[UNK]``, so the model read "😡😡😡" and an empty post as positive
#: (0.87 and 0.63; an audit, 2026-12-06). Posts that mix words and emoji keep the model's reading: emoji
#: as words cost real tweets with text (model card, "Tried, not shipped", "Emoji as words").
NEGATIVE_EMOJI = frozenset("😡😠🤬😤👎💔😭😢😞😩😫😒🙄🖕😣😖😾🤮🤢💩😑😕😟☹🙁😧😦😨😰😱")
POSITIVE_EMOJI = frozenset("😍🥰😘❤💕💖💗💙💚💛💜🧡🤍👍👏🙏🙌💯😊😀😃😄😁😆☺🙂🥳🎉✨🌟⭐🤩😎💪🤗")
_EMOJI_JOINERS = "\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def wordless_sentiment(text: str) -> tuple[dict[str, float], str] | None:
    """For a post with no words (only emoji, marks, @handles or links): its sentiment from its emoji and
    the reason, or None for a post with words. Emoji of both kinds, or none we know, read as neutral."""
    if any(ch.isalnum() for ch in clean_for_language(text)):
        return None
    marks = [ch for ch in text if ch not in _EMOJI_JOINERS]
    negative = sum(ch in NEGATIVE_EMOJI for ch in marks)
    positive = sum(ch in POSITIVE_EMOJI for ch in marks)
    if negative and not positive:
        return {"negative": 0.8, "neutral": 0.15, "positive": 0.05}, "no words: negative emoji"
    if positive and not negative:
        return {"negative": 0.05, "neutral": 0.15, "positive": 0.8}, "no words: positive emoji"
    return {"negative": 0.1, "neutral": 0.8, "positive": 0.1}, "no words to read: neutral"


def correct_for_sarcasm(sentiment: Mapping[str, float], complaint: float, sarcasm: float | None,
                        on: float = SARCASM_ON) -> tuple[dict[str, float], float]:
    """Sentiment and complaint with the sarcasm correction applied (unchanged below ``on``)."""
    s = dict(sentiment)
    if sarcasm is None or sarcasm < on:
        return s, complaint
    moved = s.get("positive", 0.0) * sarcasm
    s["positive"] -= moved
    s["negative"] = s.get("negative", 0.0) + moved
    return s, max(complaint, sarcasm)


def sarcasm_turn(before: Mapping[str, float], complaint_before: float, after: Mapping[str, float],
                 complaint_after: float) -> str:
    """What the sarcasm correction changed, for its reason line: "" when it changed no decision.

    Why: the sarcasm head learnt sarcastic complaints against literal praise, so on a plain complaint
    that happens to hold a positive word ("was promised 7 working days") it reads near 1. The
    correction then changes nothing, and a "sarcasm" reason would only tell an agent something false
    about the post (26 of the demo's 120 mentions carried one in int8; 11 of them changed a decision,
    10 once posts longer than a tweet were no longer read for sarcasm)."""
    changed = []
    if complaint_before < 0.5 <= complaint_after:
        changed.append(f"complaint {complaint_before:.2f} -> {complaint_after:.2f}")
    top_before, top_after = max(before, key=lambda k: before[k]), max(after, key=lambda k: after[k])
    if top_before != top_after:
        changed.append(f"sentiment {top_before} -> {top_after}")
    return ", ".join(changed)


def severity_level(severity: Mapping[str, float] | None, complaint: float | None = None) -> int | None:
    """The severity level 0-4, None without a head. With the post's ``complaint`` probability, level 0
    ("not a complaint") is the complaint decision's, and a complaint gets the likeliest of 1-4.

    Why: the severity head alone said "severity 0" of posts the complaint score called complaints
    (and levels 1-4 of non-complaints) on 29 of the 552 complaint rows the adapter never saw; the
    complaint head is the better judge of that one question. Cross-fitted on those rows (2026-12-05,
    model card), the gated level scores 0.473 and 0.470 macro-F1 over two complaint draws, against
    0.463 for the head's own argmax."""
    if not severity:
        return None
    if complaint is None:
        return int(max(severity, key=lambda k: severity[k]))
    if complaint < 0.5:
        return 0
    return int(max((k for k in severity if k != "0"), key=lambda k: severity[k]))


def language_reason(language: str, path: str, covered: bool) -> str | None:
    if not language or (language in ("en", UNDETERMINED) and path == "english"):
        return None
    name = language_name(language)
    if not covered and path == "keywords":
        return (f"language not covered: {name} ({language}); no encoder reads it, its scores come from word "
                "n-grams and keywords, so they are rough and the priority has a floor")
    if not covered:  # read through heads trained on other languages (multilingual.BORROWED_GROUP)
        return (f"language not covered: {name} ({language}); no model here was trained on it, so its scores "
                "are rough and the priority has a floor")
    if path == "multilingual":
        return f"language: {name} ({language}); multilingual model"
    return f"language: {name} ({language})"


def reasons(text: str, s: Mapping[str, float], complaint: float, detractor: float, intent: Mapping[str, float],
            words: Mapping[str, Sequence[str]] | None = None, *, sarcasm: float | None = None,
            severity: Mapping[str, float] | None = None, language: str = "", path: str = "english",
            covered: bool = True, sarcasm_on: float = SARCASM_ON, sarcasm_turned: str = "") -> tuple[str, ...]:
    """Short, human-readable lines an agent can check against the text.

    The sarcasm line appears only where the correction changed a decision (``sarcasm_turned``, from
    ``sarcasm_turn``), and says which.

    ``words`` are the n-grams that pushed a binary head up most (``classifiers.ngrams.word_evidence``):
    the encoder's part of a score has no words to quote, so the line says "words" only, not "because".
    """
    words = words or {}
    top_s = max(s, key=lambda k: s[k])
    top_i = max(intent, key=lambda k: intent[k])
    out = [f"sentiment {top_s} ({s[top_s]:.2f})", f"intent {top_i} ({intent[top_i]:.2f})"]

    def quoted(head: str) -> str:
        return "; words: " + ", ".join(f"'{w}'" for w in words[head]) if words.get(head) else ""

    if complaint >= 0.5:
        out.append(f"complaint ({complaint:.2f}{quoted('complaint')})")
    if detractor >= 0.5:
        out.append(f"likely detractor ({detractor:.2f}{quoted('detractor')})")
    if sarcasm is not None and sarcasm >= sarcasm_on and sarcasm_turned:
        out.append(f"sarcasm ({sarcasm:.2f}{quoted('sarcasm')}): positive words around a complaint; "
                   f"{sarcasm_turned}")
    level = severity_level(severity, complaint)
    if severity and level:  # the level's share of the complaint levels: the complaint score decided it is one, and
        # the head's own P(level) ("accusation (0.08)") read as a level chosen at 8 %
        share = severity[str(level)] / (sum(severity.get(str(k), 0.0) for k in range(1, 5)) or 1.0)
        out.append(f"severity {level}/4: {SEVERITY_NAMES[level]} ({share:.2f} of the complaint levels)")
    if (note := language_reason(language, path, covered)) is not None:
        out.append(note)
    if not text.strip():
        out.append("empty text: scores are the model's prior, not evidence")
    elif not any(ch.isalnum() for ch in text):  # the tokenizer maps every emoji to one [UNK] piece
        out.append("no words, only emoji or symbols: the model reads every emoji alike, so this is a guess")
    elif len(text.split()) <= 2 and language not in ("zh", "ja", "ko", "th"):  # these need no spaces
        out.append("very short post: low confidence" if len(text) <= 40 else  # a 5,000-letter "word" is not short
                   "one long string without spaces, not words: low confidence")
    return tuple(out)
