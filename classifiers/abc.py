"""The classifier seam: a batch of texts in, one ``Prediction`` per text out, model version recorded.

Implementations are synchronous and CPU-bound on purpose: the caller (``classifiers.worker``) runs
them in a bounded thread pool so the event loop never waits on a forward pass, and batching is the
caller's choice. Everything is loaded once in ``load()``; ``predict`` must not touch disk or network.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from careline.domain import INTENTS, SENTIMENTS

__all__ = ["INTENTS", "SENTIMENTS", "Classifier", "Prediction"]


@dataclass(frozen=True, slots=True)
class Prediction:
    """Calibrated scores for one text. Probabilities are in [0, 1]; dicts sum to 1."""

    sentiment: Mapping[str, float]
    complaint: float
    detractor: float
    intent: Mapping[str, float]
    reasons: tuple[str, ...] = field(default=())
    #: ISO 639-1 code of the post's language, ``und`` when undetermined, "" when not detected.
    language: str = ""
    #: Which path scored it: ``english`` (fine-tuned MiniLM), ``multilingual`` (USE + heads trained on
    #: English labels), ``keywords`` (a cue lexicon for a language no encoder covers) or ``lexicon`` (VADER).
    path: str = ""
    #: False when no path reads this language: its scores are a guess and the priority gives it a floor.
    language_covered: bool = True
    #: Complaint severity, P(level) for "0" (not a complaint) to "4" (blame); empty when the model has no head.
    severity: Mapping[str, float] = field(default_factory=dict)
    #: Probability that the post is a sarcastic complaint (0 for posts not read for sarcasm: no positive words,
    #: or longer than a tweet); None without a sarcasm head.
    sarcasm: float | None = None

    @property
    def sentiment_label(self) -> str:
        return max(self.sentiment, key=lambda k: self.sentiment[k])

    @property
    def intent_label(self) -> str:
        return max(self.intent, key=lambda k: self.intent[k])

    @property
    def severity_level(self) -> int | None:
        """Severity level 0-4 that agrees with the complaint decision (``postprocess.severity_level``),
        or None without a severity head."""
        from classifiers.postprocess import severity_level

        return severity_level(self.severity, self.complaint)


class Classifier(ABC):
    """Contract: ``load()`` once, then ``predict`` any number of batches from one thread at a time."""

    #: Stored with every classification so a score can always be traced to the model that made it.
    version: str = "unversioned"

    @abstractmethod
    def load(self) -> None:
        """Load weights; slow, so the app calls it off the event loop at start."""

    @abstractmethod
    def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
        """Score a batch; ``len(result) == len(texts)``, order preserved. ``tags``: each post's language tag
        from its platform (None where it gave none), a prior for the language identifier."""
