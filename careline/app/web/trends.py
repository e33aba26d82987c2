"""Marketing's read models: sentiment and complaints by day, estimated vs survey NPS, intents, terms,
spikes and share of voice. The aggregations are SQL; the judgement calls are small pure functions.

Estimated NPS: public posts are not survey answers, so each classified mention is sorted the way a
survey would sort its author: a *detractor* when the model's detractor likelihood is >= 0.5, a
*promoter* when the post is positive and the likelihood < 0.3, otherwise passive. The score is then
the survey formula (``responder.metrics.nps_from_counts``). It is an estimate and is labelled so,
next to real survey NPS where answers were imported.

Spikes follow Huginn's peak detector: an hour is a spike when its volume exceeds the mean plus three
standard deviations of the preceding window, and no second alert fires within the cooldown.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import to_iso
from careline.settings import BrandSettings
from careline.store.records import rows
from responder.metrics import nps, nps_from_counts

DETRACTOR_AT, PROMOTER_BELOW = 0.5, 0.3
ZONES = (("critical", -100, 0), ("improvement", 0, 50), ("quality", 50, 75), ("excellence", 75, 100))
_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ'\-]{2,}")
_STOP = """the and for you your with this that have has had not but are was were they them their our
out all just get got can cant can't don't dont why what when how who will would should could from been being
its it's i'm im she her his him about into over than then there here any more most some such very too also
only really still again after before now today yesterday because every even much many one two three off
"""
STOPWORDS = frozenset(_STOP.split())


@dataclass(frozen=True, slots=True)
class Spike:
    at: str
    count: int
    mean: float
    threshold: float


def detect_spikes(series: Sequence[tuple[str, int]], *, window: int = 24, k: float = 3.0,
                  cooldown: int = 6, min_count: int = 5) -> list[Spike]:
    """Points above ``mean + k*std`` of the previous ``window`` points; quiet for ``cooldown`` points after."""
    spikes: list[Spike] = []
    quiet_until = -1
    for i in range(window, len(series)):
        history = [c for _, c in series[i - window:i]]
        mean = sum(history) / window
        std = math.sqrt(sum((c - mean) ** 2 for c in history) / window)
        at, count = series[i]
        threshold = mean + k * std
        if i > quiet_until and count > threshold and count >= min_count:
            spikes.append(Spike(at, count, round(mean, 2), round(threshold, 2)))
            quiet_until = i + cooldown
    return spikes


def rising_terms(recent: Iterable[str], baseline: Iterable[str], *, top: int = 10,
                 min_count: int = 3, ignore: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Words used much more in ``recent`` than in ``baseline``, by smoothed ratio of per-post rates."""
    skip = STOPWORDS | {w.lower() for w in ignore}
    rec, base = _doc_freq(recent, skip), _doc_freq(baseline, skip)
    n_rec, n_base = max(1, rec.pop("", 0)), max(1, base.pop("", 0))
    scored: list[dict[str, Any]] = []
    for term, count in rec.items():
        if count < min_count:
            continue
        ratio = (count / n_rec) / ((base.get(term, 0) + 1) / (n_base + 1))
        if ratio > 1.5:
            scored.append({"term": term, "recent": count, "baseline": base.get(term, 0), "ratio": round(ratio, 2)})
    scored.sort(key=lambda t: (-t["ratio"], -t["recent"], t["term"]))
    return scored[:top]


def _doc_freq(texts: Iterable[str], skip: frozenset[str]) -> Counter[str]:
    """Posts containing each word (once per post), with the number of posts under the key ``""``."""
    freq: Counter[str] = Counter()
    for text in texts:
        freq[""] += 1
        words = {w.strip("'-") for w in _WORD.findall(re.sub(r"https?://\S+|@\w+", " ", text.lower()))}
        freq.update(w for w in words if w and w not in skip)
    return freq


DAILY_SQL = """
SELECT substr(m.created_at, 1, 10) AS day, cl.sentiment, count(*) AS n,
       sum(cl.complaint >= 0.5) AS complaints, sum(cl.detractor >= :det) AS detractors,
       sum(cl.sentiment = 'positive' AND cl.detractor < :pro) AS promoters
FROM mentions m JOIN classifications cl ON cl.mention_key = m.key
WHERE m.created_at >= :since AND (:brand IS NULL OR m.brand = :brand)
GROUP BY day, cl.sentiment ORDER BY day
"""


def daily(db: Database, since: datetime, brand: str | None) -> list[dict[str, Any]]:
    """Per day: volume by sentiment, complaint rate and estimated NPS."""
    days: dict[str, dict[str, Any]] = defaultdict(lambda: {"negative": 0, "neutral": 0, "positive": 0,
                                                           "complaints": 0, "detractors": 0, "promoters": 0})
    for r in rows(db, DAILY_SQL, {"since": to_iso(since), "brand": brand, "det": DETRACTOR_AT,
                                  "pro": PROMOTER_BELOW}):
        d = days[r["day"]]
        d[r["sentiment"]] = d.get(r["sentiment"], 0) + r["n"]
        for key in ("complaints", "detractors", "promoters"):
            d[key] += r[key] or 0
    out = []
    for day in sorted(days):
        d = days[day]
        total = d["negative"] + d["neutral"] + d["positive"]
        est = nps_from_counts(d["promoters"], total - d["promoters"] - d["detractors"], d["detractors"])
        out.append({"day": day, "negative": d["negative"], "neutral": d["neutral"], "positive": d["positive"],
                    "total": total, "complaint_rate": round(100 * d["complaints"] / total, 1),
                    "estimated_nps": est.score, "zone": est.zone})
    return out


SURVEY_SQL = """SELECT substr(answered_at, 1, 10) AS day, score FROM survey_answers
    WHERE kind = 'nps' AND answered_at >= :since AND (:brand IS NULL OR brand = :brand)"""
#: Answers to the surveys the responder sends after resolution, when that table exists.
RESPONDER_SURVEY_SQL = """SELECT substr(answered_at, 1, 10) AS day, score FROM surveys
    WHERE kind = 'nps' AND score IS NOT NULL AND answered_at >= :since AND (:brand IS NULL OR brand = :brand)"""


def survey_nps(db: Database, since: datetime, brand: str | None) -> list[dict[str, Any]]:
    """Survey NPS per day where answers exist: imported answers plus the responder's own surveys."""
    sql = SURVEY_SQL
    if db.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'surveys'").fetchone():
        sql += " UNION ALL " + RESPONDER_SURVEY_SQL
    by_day: dict[str, list[int]] = defaultdict(list)
    for r in rows(db, sql, {"since": to_iso(since), "brand": brand}):
        if isinstance(r["score"], int) and 0 <= r["score"] <= 10:
            by_day[r["day"]].append(r["score"])
    return [{"day": day, "nps": (s := nps(scores)).score, "answers": s.total, "zone": s.zone}
            for day, scores in sorted(by_day.items())]


def top_intents(db: Database, now: datetime, brand: str | None, days: int = 7) -> list[dict[str, Any]]:
    recent, previous = now - timedelta(days=days), now - timedelta(days=2 * days)
    return rows(db, """
        SELECT cl.intent, sum(m.created_at >= :recent) AS count, sum(m.created_at < :recent) AS previous
        FROM mentions m JOIN classifications cl ON cl.mention_key = m.key
        WHERE m.created_at >= :previous AND (:brand IS NULL OR m.brand = :brand)
        GROUP BY cl.intent ORDER BY count DESC LIMIT 10""",
        {"recent": to_iso(recent), "previous": to_iso(previous), "brand": brand})


def hourly_volume(db: Database, since: datetime, now: datetime, brand: str | None) -> list[tuple[str, int]]:
    counts = {r["hour"]: r["n"] for r in rows(db, """
        SELECT substr(created_at, 1, 13) AS hour, count(*) AS n FROM mentions
        WHERE created_at >= ? AND (? IS NULL OR brand = ?) GROUP BY hour""", (to_iso(since), brand, brand))}
    hour, series = since.replace(minute=0, second=0, microsecond=0), []
    while hour <= now:
        key = hour.strftime("%Y-%m-%dT%H")
        series.append((key, counts.get(key, 0)))
        hour += timedelta(hours=1)
    return series


def texts(db: Database, start: datetime, end: datetime, brand: str | None, limit: int = 20_000) -> list[str]:
    return [r["text"] for r in rows(db, """SELECT text FROM mentions WHERE created_at >= ? AND created_at < ?
        AND (? IS NULL OR brand = ?) ORDER BY created_at DESC LIMIT ?""",
        (to_iso(start), to_iso(end), brand, brand, limit))]


def share_of_voice(db: Database, brands: Sequence[BrandSettings], since: datetime,
                   brand: str | None) -> list[dict[str, Any]]:
    """Mentions of each brand and of its competitors.

    A competitor configured as a brand of kind ``competitor`` is polled for its own keywords, so its
    count is every post about it: a true share of voice (``tracked`` True), listed beside ours
    whatever brand is selected. A name in a brand's ``competitors`` list only counts the posts we
    collected for our brand that name it (comparisons, switching threats): share of voice *in our
    conversations*.
    """
    out = []
    for b in brands:
        if b.kind == "competitor":
            n = db.conn.execute("SELECT count(*) FROM mentions WHERE brand = ? AND created_at >= ?",
                                (b.name, to_iso(since))).fetchone()[0]
            out.append({"brand": b.display_name or b.name, "name": b.name, "count": n, "competitor": True,
                        "tracked": True})
            continue
        if brand and b.name != brand:
            continue
        own = db.conn.execute("SELECT count(*) FROM mentions WHERE brand = ? AND created_at >= ?",
                              (b.name, to_iso(since))).fetchone()[0]
        out.append({"brand": b.display_name or b.name, "name": b.name, "count": own, "competitor": False,
                    "tracked": True})
        for rival in b.competitors:
            like = "%" + rival.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            n = db.conn.execute("SELECT count(*) FROM mentions WHERE brand = ? AND created_at >= ? "
                                "AND lower(text) LIKE ? ESCAPE '\\'", (b.name, to_iso(since), like)).fetchone()[0]
            out.append({"brand": rival, "name": b.name, "count": n, "competitor": True, "tracked": False})
    return out


def survey_comments(db: Database, since: datetime, brand: str | None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest answered surveys with a comment: what customers said after we resolved their case."""
    return rows(db, """SELECT kind, score, comment, brand, platform, answered_at
        FROM surveys INDEXED BY surveys_answered
        WHERE answered_at IS NOT NULL AND answered_at >= ? AND (? IS NULL OR brand = ?)
          AND trim(coalesce(comment, '')) != '' ORDER BY answered_at DESC LIMIT ?""",
                (to_iso(since), brand, brand, limit))


def trends(db: Database, now: datetime, brands: Sequence[BrandSettings], *, brand: str | None = None,
           days: int = 30) -> dict[str, Any]:
    """Everything on the marketing page, as JSON-ready data."""
    since = now - timedelta(days=days)
    week = now - timedelta(days=7)
    hourly = hourly_volume(db, now - timedelta(days=7), now, brand)
    ignore = [w for b in brands for w in (b.name, *b.display_name.split(), *b.handles, *b.keywords)]
    return {
        "now": to_iso(now), "days": days, "brand": brand,
        "daily": daily(db, since, brand),
        "survey_nps": survey_nps(db, since, brand),
        "nps_zones": [{"zone": z, "from": lo, "to": hi} for z, lo, hi in ZONES],
        "intents": top_intents(db, now, brand),
        "rising_terms": rising_terms(texts(db, week, now, brand), texts(db, now - timedelta(days=28), week, brand),
                                     ignore=ignore),
        "hourly": [{"hour": h, "count": c} for h, c in hourly],
        "spikes": [asdict(s) for s in detect_spikes(hourly)],
        "share_of_voice": share_of_voice(db, brands, since, brand),
        "survey_comments": survey_comments(db, since, brand),
            }


# -- the posts behind a chart --------------------------------------------------------------------------
SENTIMENTS = ("negative", "neutral", "positive")
MAX_POSTS = 200


@dataclass(frozen=True, slots=True)
class PostFilter:
    """What a click on a chart selects: the chart's own filters plus the clicked point or bar.

    ``day`` (``YYYY-MM-DD``) and ``hour`` (``YYYY-MM-DDTHH``) are UTC, as the charts bucket them;
    ``term`` selects posts whose text contains the word (rising terms, a competitor's bar)."""

    since: datetime
    brand: str | None = None
    platform: str | None = None
    day: str | None = None
    hour: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    complaint: bool = False
    term: str | None = None


POSTS_WHERE = """m.created_at >= :since
  AND (:brand IS NULL OR m.brand = :brand) AND (:platform IS NULL OR m.platform = :platform)
  AND (:day IS NULL OR (m.created_at >= :day AND m.created_at < :day || 'T99'))
  AND (:hour IS NULL OR substr(m.created_at, 1, 13) = :hour)
  AND (:sentiment IS NULL OR cl.sentiment = :sentiment) AND (:intent IS NULL OR cl.intent = :intent)
  AND (:complaint = 0 OR cl.complaint >= 0.5)
  AND (:term IS NULL OR lower(m.text) LIKE :term ESCAPE '\\')"""


def _post_params(f: PostFilter) -> dict[str, Any]:
    like = None
    if f.term:
        like = "%" + f.term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return {"since": to_iso(f.since), "brand": f.brand, "platform": f.platform, "day": f.day,
            "hour": f.hour, "sentiment": f.sentiment, "intent": f.intent, "complaint": int(f.complaint),
            "term": like}


def posts(db: Database, f: PostFilter, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The posts behind a point or bar, newest first, with how many there are in all (read-only:
    no conversation actions, so marketing sees what customers wrote without touching the queue)."""
    params = _post_params(f)
    total = db.conn.execute(f"""SELECT count(*) FROM mentions m JOIN classifications cl ON cl.mention_key = m.key
        WHERE {POSTS_WHERE}""", params).fetchone()[0]
    items = rows(db, f"""SELECT m.key, m.platform, m.brand, a.handle, m.text, m.url, m.created_at,
            cl.sentiment, cl.intent, round(cl.complaint, 2) AS complaint
        FROM mentions m JOIN classifications cl ON cl.mention_key = m.key JOIN authors a ON a.key = m.author_key
        WHERE {POSTS_WHERE} ORDER BY m.created_at DESC LIMIT :limit OFFSET :offset""",
                 {**params, "limit": limit, "offset": offset})
    return {"total": total, "limit": limit, "offset": offset, "items": items}
