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

    @property
    def sentiment_label(self) -> str:
        return max(self.sentiment, key=lambda k: self.sentiment[k])

    @property
    def intent_label(self) -> str:
        return max(self.intent, key=lambda k: self.intent[k])


class Classifier(ABC):
    """Contract: ``load()`` once, then ``predict`` any number of batches from one thread at a time."""

    #: Stored with every classification so a score can always be traced to the model that made it.
    version: str = "unversioned"

    @abstractmethod
    def load(self) -> None:
        """Load weights; slow, so the app calls it off the event loop at start."""

    @abstractmethod
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Score a batch; ``len(result) == len(texts)``, order preserved."""
