"""Cue lexicons for languages no encoder here reads (Hungarian today): a labelled guess, never a model.

USE-multilingual does not cover Hungarian (a sentence and its translation: cosine 0.02) and the
MiniLM tokenizer is English, so for such a language the scores come from a short list of complaint
and praise cues written by us from general Hungarian customer-care vocabulary (money back, charged
twice, still not arrived, nobody answers, cancelled, lost, broken, consumer protection...). The
row says the language is not covered and the priority gives it a floor either way; the cues only
decide whether it also reads as a complaint. Matching is on lower-cased text, by word prefix, so
suffixed forms ("visszatérítést", "visszatérítésre") match their stem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: language -> (complaint cues, praise cues, question cues), as regular expressions on lower-cased text.
CUES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "hu": (
        (r"\bnem (?:működik|működött|érkezett|jött|kaptam|kaptuk|válaszol|veszi fel|segít|tud)",
         r"\bmég mindig\b", r"\bsenki\b", r"\bsoha\b", r"\bkétszer\b", r"\bvisszatérít", r"\bpénzem",
         r"\bvissza(?:kérem|akarom)", r"\bpanasz", r"\bfelháborító", r"\bbotrány", r"\bborzalmas",
         r"\brossz\b", r"\bszörnyű", r"\bhibás", r"\bhiba\b", r"\belveszt", r"\belveszett", r"\btörölt",
         r"\btörölték", r"\bkésik", r"\bkésés", r"\bletilt", r"\bösszeomlik", r"\blefagy", r"\bfogyasztóvédel",
         r"\bügyvéd", r"\bcsalás", r"\bátverés", r"\bvárok\b", r"\bvárunk\b", r"\bnapja\b", r"\bhete\b",
         r"\bleveszik|\blevonták|\blevonta", r"\bterhelt", r"\bmegoldás nélkül", r"\bsehol\b",
         r"\bnem lehet\b", r"\belfogadhatatlan", r"\bkatasztrófa",
         # added 2026-12-04 (general vocabulary, after the second dev set was scored: see the model card)
         r"\bnincs (?:net|internet|áram|víz|meleg víz|térerő|jel|hálózat|szolgáltatás|válasz|tévé|tv)\b",
         r"\bnem (?:indul|tölt|kapcsol|jelentkez|reagál|hajlandó|elérhető|kaptunk|jött meg|érkezett meg)",
         r"\b(?:össze)?tört(?:ek|ük|ék|e|ött)?\b", r"\bsérült", r"\bhiányz(?:ik|ott)", r"\bkésett",
         r"\bvártam\b", r"\bvárakoz", r"\b(?:órák|napok|hetek|hónapok) óta\b", r"\bmár megint\b",
         r"\b(?:letették|bontották|kinyomták)\b", r"\breklamáci", r"\bkártérítés", r"\bcsalód",
         r"\bpocsék", r"\bgyalázat", r"\bfelháborod", r"\bnevetséges"),
        (r"\bköszön", r"\bkedves\b", r"\bszuper\b", r"\bnagyszerű", r"\bremek\b", r"\bgratulál",
         r"\bkiváló", r"\bimád", r"\btetszik", r"\bgyors(?:an)?\b", r"\bkorábban megjött", r"\bélmény"),
        (r"\?", r"\btudja valaki", r"\bmikor\b", r"\bhogyan\b", r"\bhol\b", r"\blehet-e\b"),
    ),
}
SUPPORTED = frozenset(CUES)
_COMPILED = {lang: tuple(tuple(re.compile(p) for p in group) for group in groups) for lang, groups in CUES.items()}


@dataclass(frozen=True, slots=True)
class CueScores:
    complaint: float
    sentiment: dict[str, float]
    question: bool
    matched: tuple[str, ...]


def cue_scores(text: str, language: str) -> CueScores:
    """Complaint probability and sentiment from the cue counts of ``language`` (must be in ``SUPPORTED``)."""
    complaint_rx, praise_rx, question_rx = _COMPILED[language]
    low = text.lower()
    bad = [m.group(0) for rx in complaint_rx if (m := rx.search(low))]
    good = [m.group(0) for rx in praise_rx if (m := rx.search(low))]
    question = any(rx.search(low) for rx in question_rx)
    # Each distinct complaint cue counts, praise counts against; a question without cues leans neutral.
    evidence = len(bad) - 1.5 * len(good)
    complaint = min(0.9, 0.3 + 0.25 * evidence) if evidence > 0 else max(0.05, 0.25 + 0.1 * evidence)
    if bad and not good:
        sentiment = {"negative": 0.7, "neutral": 0.25, "positive": 0.05}
    elif good and not bad:
        sentiment = {"negative": 0.05, "neutral": 0.25, "positive": 0.7}
    else:
        sentiment = {"negative": 0.3, "neutral": 0.45, "positive": 0.25}
    return CueScores(round(complaint, 4), sentiment, question, tuple(dict.fromkeys(bad + good))[:3])
