"""VADER plus complaint keyword rules: the explicit no-weights fallback (``classifier.kind = "vader"``).

It is fast and needs nothing but the lexicon inside the vaderSentiment wheel, but it misreads
sarcasm and most complaints that use neutral words ("on hold for 2 hours"), so it is never chosen
silently: only when the configuration asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classifiers.abc import INTENTS, Classifier, Prediction

COMPLAINT_WORDS = re.compile(
    r"\b(refund|cancel+ed|charged twice|on hold|never again|not working|doesn'?t work|broken|"
    r"down again|still waiting|worst|useless|ridiculous|delayed|lost|missing|late|outage|"
    r"no one|nobody|third time|fix this|unacceptable|disappointed)\b",
    re.IGNORECASE,
)
INTENT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("delivery", re.compile(r"\b(deliver\w*|parcel|package|courier|tracking|shipp\w*|arriv\w*)\b", re.I)),
    ("refund_return", re.compile(r"\b(refund\w*|return\w*|money back|reimburs\w*)\b", re.I)),
    ("billing", re.compile(r"\b(bill\w*|charg\w*|invoice|payment|overcharg\w*|fee)\b", re.I)),
    ("account_login", re.compile(r"\b(log ?in|password|account|locked out|sign ?in|2fa|verif\w*)\b", re.I)),
    ("outage_bug", re.compile(r"\b(down|outage|crash\w*|bug|error|not working|broken|app)\b", re.I)),
    ("product_quality", re.compile(r"\b(quality|faulty|defect\w*|broke|cheap|damaged)\b", re.I)),
    ("service_experience", re.compile(r"\b(staff|rude|hold|agent|support|service|queue|wait\w*)\b", re.I)),
    ("praise", re.compile(r"\b(thank\w*|love|great|amazing|awesome|best|kudos)\b", re.I)),
    ("question", re.compile(r"\?|\b(how do|how can|can i|is there|does anyone)\b", re.I)),
)


class LexiconClassifier(Classifier):
    version = "vader-3.3.2+rules-1"

    def __init__(self) -> None:
        self._vader: SentimentIntensityAnalyzer | None = None

    def load(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
        if self._vader is None:
            self.load()
        assert self._vader is not None
        return [self._one(self._vader, t) for t in texts]

    def _one(self, vader: SentimentIntensityAnalyzer, text: str) -> Prediction:
        s = vader.polarity_scores(text)
        total = s["neg"] + s["neu"] + s["pos"] or 1.0
        sentiment = {"negative": s["neg"] / total, "neutral": s["neu"] / total, "positive": s["pos"] / total}
        hits = COMPLAINT_WORDS.findall(text)
        complaint = min(1.0, 0.15 + 0.3 * len(hits) + max(0.0, -s["compound"]) * 0.4)
        detractor = min(1.0, max(0.0, 0.5 - s["compound"] / 2 + 0.1 * len(hits)))
        intent = dict.fromkeys(INTENTS, 0.0)
        matched = [name for name, rx in INTENT_RULES if rx.search(text)]
        for name in matched:
            intent[name] = 1.0 / len(matched)
        if not matched:
            intent["other"] = 1.0
        reasons = tuple(f"keyword: {h.lower()}" for h in hits[:3])
        return Prediction(sentiment, complaint, detractor, intent, reasons)
