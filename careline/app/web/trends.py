"""Marketing's read models: the headline figures against the days before, sentiment and complaints by day and
platform, languages, estimated vs survey NPS, intents, terms, complaint topics, spikes and share of voice.

The counts come from ``trend_daily``, ``trend_hourly`` and ``topic_daily``, which triggers keep current
(``careline.store.trending``), so a 90-day page sums a few thousand rows instead of a million
mentions. Windows are whole days of the team's time zone (``service.timezone``, in which the counts are
kept: ``careline.store.trending.day_zone``), so a chart's first bar and the posts behind it agree, and a
day's bar holds what the team calls that day, as the reports do.

Estimated NPS: public posts are not survey answers, so each author is sorted the way a survey would sort
them, by the model's reading of their posts: a *detractor* when the detractor likelihood is >= 0.5, a
*promoter* when the post is positive and the likelihood < 0.3, otherwise passive. The score is then
the survey formula (``responder.metrics.nps_from_counts``). It is an estimate and is labelled so,
next to real survey NPS where answers were imported.

NPS is a measure of people, as a survey asks each customer once: a customer who posts twenty angry
posts is one detractor, not twenty. Each person (an author on a platform, about one brand: "All
brands" adds each brand's) counts once per day in the daily figures, and once over the whole window
in the platform totals, by their *latest* post's reading there. Latest, not the mean or the worst:
NPS asks how likely someone is to recommend us now, and a customer who thanks us after a fix is no
longer the detractor their first complaint made them (survey tools keep a respondent's latest answer
for the same reason). The counts come from ``trend_people_daily`` (``careline.store.trending``).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlite_utils import Database

from careline.domain import Platform, to_iso
from careline.errors import CarelineError
from careline.languages import language_name
from careline.settings import BrandSettings
from careline.store.records import rows
from careline.store.trending import (
    DETRACTOR_AT,
    LANGUAGE_KEYED,
    PROMOTER_BELOW,
    TOPIC_LANGUAGE,
    day_zone,
    language_is,
    local_day,
    name_pattern,
    names_match,
)
from careline.trending import (
    STOPWORDS,
    Spike,
    brand_in,
    day_range,
    detect_spikes,
    first_day,
    first_heard,
    hour_label,
    hourly_volume,
    local_day_of,
    since_iso,
    spikes_in,
    words,
)
from careline.views import CONVERSATION_LANGUAGE
from responder.metrics import NPS, nps, nps_from_counts

__all__ = ["DETRACTOR_AT", "PROMOTER_BELOW", "Spike", "detect_spikes", "hourly_volume", "rising_terms", "trends"]

ZONES = (("critical", -100, 0), ("improvement", 0, 50), ("quality", 50, 75), ("excellence", 75, 100))
PLATFORMS = tuple(p.value for p in Platform)
#: Posts read per day and brand for rising terms: an even sample, so a 90-day page at a million
#: mentions tokenises a few thousand posts, not tens of thousands.
RECENT_PER_DAY, BASELINE_PER_DAY = 150, 50
#: A topic is rising when it has at least this many posts in the window and twice its previous rate.
TOPIC_MIN_COUNT, TOPIC_RISE = 5, 2.0


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
        freq.update(set(words(text, skip)))
    return freq


@dataclass(frozen=True, slots=True)
class Scope:
    """What the page is filtered to: days from ``since`` (``YYYY-MM-DD``, the team's), a brand, a platform, a
    language (``und``: not known); ``own``: our own brands, what "All brands" sums (``brand_in``)."""

    since: str
    brand: str | None = None
    platform: str | None = None
    own: tuple[str, ...] = ()
    language: str | None = None

    def params(self, **extra: Any) -> dict[str, Any]:
        return {"since": self.since, "brand": self.brand, "platform": self.platform, "own": json.dumps(self.own),
                "language": self.language, **extra}

    def source(self, table: str) -> str:
        """Where a chart reads ``table``'s columns: the count table itself, or with a language chosen, its rows
        of that language (``trend_daily``: the language's own counts, ``DAILY_OF_LANGUAGE``)."""
        if self.language is None:
            return table
        if table == "trend_daily":
            return DAILY_OF_LANGUAGE
        if table not in LANGUAGE_KEYED:  # a count table without a language key would count every language
            raise ValueError(f"{table} has no language to filter by")
        return f"(SELECT * FROM {table} WHERE language = :language)"


SCOPE_WHERE = f"day >= :since AND {brand_in()} AND (:platform IS NULL OR platform = :platform)"

#: ``trend_daily``'s columns for one language, from ``trend_languages``, which keeps a language's volume by
#: sentiment and its complaints per day (not its complaints by sentiment: a day's complaints ride on its
#: negative row, and every reader sums them over the sentiments). Why not a language key on ``trend_daily``:
#: ``trend_languages`` is that table already.
DAILY_OF_LANGUAGE = """(SELECT day, brand, platform, 'negative' AS sentiment, negative AS n, complaints
        FROM trend_languages WHERE language = :language
    UNION ALL SELECT day, brand, platform, 'neutral', n - negative - positive, 0
        FROM trend_languages WHERE language = :language
    UNION ALL SELECT day, brand, platform, 'positive', positive, 0
        FROM trend_languages WHERE language = :language)"""


DAILY_SQL = f"""SELECT day, sentiment, sum(n) AS n, sum(complaints) AS complaints
       FROM {{trend_daily}} WHERE {SCOPE_WHERE} GROUP BY day, sentiment ORDER BY day"""


@dataclass(frozen=True, slots=True)
class People:
    """How many people posted, and how many of them read as detractors and as promoters (estimated NPS)."""

    n: int = 0
    detractors: int = 0
    promoters: int = 0

    def nps(self) -> NPS | None:
        """The survey formula over these people; None with nobody."""
        if self.n <= 0:
            return None
        return nps_from_counts(self.promoters, self.n - self.promoters - self.detractors, self.detractors)


#: People per day (each once a day), and per platform over the window (each once, by their latest reading).
PEOPLE_DAILY_SQL = f"""SELECT day, platform, sum(people), sum(detractors), sum(promoters) FROM {{trend_people_daily}}
    WHERE {SCOPE_WHERE} GROUP BY day, platform"""
PEOPLE_WINDOW_SQL = f"""SELECT platform, sum(latest_people), sum(latest_detractors), sum(latest_promoters)
    FROM {{trend_people_daily}} WHERE {SCOPE_WHERE} GROUP BY platform"""


#: What :func:`people` returns: per (day, platform), and per platform over the window.
PeopleCounts = tuple[dict[tuple[str, str], People], dict[str, People]]


def people(db: Database, scope: Scope) -> PeopleCounts:
    """The people behind estimated NPS: per (day, platform), and per platform over the whole window. With a
    language chosen, the people whose latest post (of the day; of all, for the window) is in it."""
    params, source = scope.params(), scope.source("trend_people_daily")
    per_day = {(day, platform): People(*counts)
               for day, platform, *counts in db.conn.execute(PEOPLE_DAILY_SQL.format(trend_people_daily=source),
                                                             params)}
    window = {platform: People(*counts) for platform, *counts in
              db.conn.execute(PEOPLE_WINDOW_SQL.format(trend_people_daily=source), params)}
    return per_day, window


def _figures(counts: Iterable[dict[str, Any]], who: People) -> dict[str, Any]:
    """Volume by sentiment and complaint rate of some ``trend_daily`` sums (posts), and estimated NPS of
    ``who`` (people, each counted once)."""
    d: dict[str, int] = {"negative": 0, "neutral": 0, "positive": 0, "complaints": 0}
    for r in counts:
        d[r["sentiment"]] = d.get(r["sentiment"], 0) + r["n"]
        d["complaints"] += r["complaints"] or 0
    total = d["negative"] + d["neutral"] + d["positive"]
    est = who.nps()
    return {"negative": d["negative"], "neutral": d["neutral"], "positive": d["positive"], "total": total,
            "complaints": d["complaints"], "complaint_rate": round(100 * d["complaints"] / max(1, total), 1),
            "people": who.n, "estimated_nps": est.score if est else None, "zone": est.zone if est else None}


def _sum(parts: list[People]) -> People:
    return People(sum(p.n for p in parts), sum(p.detractors for p in parts), sum(p.promoters for p in parts))


def daily(db: Database, scope: Scope, who: PeopleCounts | None = None) -> list[dict[str, Any]]:
    """Per day: volume by sentiment, complaint rate and estimated NPS (each person once that day); ``who``:
    :func:`people` of ``scope`` when the caller has read it already."""
    days: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows(db, DAILY_SQL.format(trend_daily=scope.source("trend_daily")), scope.params()):
        days[r["day"]].append(r)
    per_day: dict[str, list[People]] = defaultdict(list)
    for (day, _platform), counted in (who or people(db, scope))[0].items():
        per_day[day].append(counted)
    out = []
    for day in sorted(days):
        f = _figures(days[day], _sum(per_day[day]))
        del f["complaints"]
        out.append({"day": day, **f})
    return out


#: The window and the one before it, of as many days: posts by sentiment and complaints in each.
HEADLINE_SQL = f"""SELECT day >= :current AS current, sentiment, sum(n) AS n, sum(complaints) AS complaints
    FROM {{trend_daily}} WHERE {SCOPE_WHERE} GROUP BY 1, 2"""


#: The people of the days before the window (``:since`` to ``:current``), each once by their latest reading there:
#: ``trend_people_daily``'s latest-post counts hold that only for windows that end today, so this reads the
#: per-day state table (a person's latest post of each day) and keeps each person's last day.
PEOPLE_BEFORE_SQL = f"""SELECT count(*), coalesce(sum(detractor), 0), coalesce(sum(promoter), 0) FROM (
    SELECT detractor, promoter, row_number() OVER (PARTITION BY brand, platform, author_key
                                                   ORDER BY at DESC, mention_key DESC) AS nth
    FROM {{trend_people}} WHERE {SCOPE_WHERE} AND day < :current) WHERE nth = 1"""


#: What the days before's people are computed from, summed: any post of those days classified, corrected or
#: deleted moves one of these (``trend_people`` rows come and go with ``trend_people_daily``'s counts).
PEOPLE_BEFORE_SIGNATURE = f"""SELECT count(*), total(people), total(detractors), total(promoters), total(latest_people),
    total(latest_detractors), total(latest_promoters) FROM trend_people_daily WHERE {SCOPE_WHERE} AND day < :current"""
#: Past days' people, by file, scope and signature: the sort behind them took 35-60 ms at 10,000 people (ten times
#: that at a million mentions) on every page load, for days that rarely change (docs/benchmarks.md).
_PEOPLE_BEFORE: OrderedDict[tuple[Any, ...], People] = OrderedDict()
_PEOPLE_BEFORE_LOCK = threading.Lock()


def people_before(db: Database, params: dict[str, Any], source: str = "trend_people") -> People:
    """The days before the window's people (``PEOPLE_BEFORE_SQL`` over ``source``: ``Scope.source``), reused while
    the counts of those days are unchanged. Two changes in one interval that cancel in every sum (a detractor read
    as neutral while another neutral is read as a detractor, on those same days) would keep the old figure until
    their next change. The signature is every language's: a chosen language's figure is read again whenever any
    post of those days changes, which is more often than needed, never less."""
    signature = db.conn.execute(PEOPLE_BEFORE_SIGNATURE, params).fetchone()
    key = (db.conn.execute("PRAGMA database_list").fetchone()[2], tuple(sorted(params.items())), tuple(signature))
    with _PEOPLE_BEFORE_LOCK:
        if key in _PEOPLE_BEFORE:
            _PEOPLE_BEFORE.move_to_end(key)
            return _PEOPLE_BEFORE[key]
    found = People(*db.conn.execute(PEOPLE_BEFORE_SQL.format(trend_people=source), params).fetchone())
    with _PEOPLE_BEFORE_LOCK:
        _PEOPLE_BEFORE[key] = found
        while len(_PEOPLE_BEFORE) > 64:
            _PEOPLE_BEFORE.popitem(last=False)
    return found


def headline(db: Database, scope: Scope, days: int, *, window: dict[str, People], first: str | None,
             zone: tzinfo = UTC) -> dict[str, Any]:
    """The page's first row: the window's mentions, negative share, complaint rate and estimated NPS (of
    ``window``, :func:`people` per platform over it), beside the ``days`` before it (their people each once, by
    their latest reading in those days: ``PEOPLE_BEFORE_SQL``).

    ``heard_since`` is the first day (in ``zone``) Careline counted a post in this scope (``first``, the hour
    ``first_heard`` found), so the page can say when "the days before" were not all listened to (a new install
    or a brand just added compares with less)."""
    before = _day(datetime.fromisoformat(scope.since), days)
    parts: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    wider = dataclasses.replace(scope, since=before)
    params = wider.params(current=scope.since)
    for r in rows(db, HEADLINE_SQL.format(trend_daily=wider.source("trend_daily")), params):
        parts[bool(r["current"])].append(r)
    now = _figures(parts[True], _sum(list(window.values())))
    then = _figures(parts[False], people_before(db, params, wider.source("trend_people")))
    for f in (now, then):
        f["negative_pct"] = round(100 * f["negative"] / f["total"], 1) if f["total"] else None
    return {"since": scope.since, "before_since": before, "heard_since": local_day_of(first, zone) if first else None,
            "now": now, "before": then}


PLATFORM_SQL = f"""SELECT day, platform, sentiment, sum(n) AS n, sum(complaints) AS complaints
FROM {{trend_daily}} WHERE {SCOPE_WHERE} GROUP BY day, platform, sentiment"""


def by_platform(db: Database, scope: Scope,
                who: PeopleCounts | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per day and platform (the stacked volume chart), and per platform over the window (the sentiment
    chart): volume by sentiment, complaint rate and estimated NPS (people: once a day in the first, once
    over the window, by their latest reading, in the second). Every platform is listed in the
    totals, with zeros where it has no posts, so a silent platform is visible as silent. ``who``: as
    :func:`daily`'s."""
    per_day: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    per_platform: dict[str, list[dict[str, Any]]] = {p: [] for p in PLATFORMS if scope.platform in (None, p)}
    for r in rows(db, PLATFORM_SQL.format(trend_daily=scope.source("trend_daily")), scope.params()):
        per_day[(r["day"], r["platform"])].append(r)
        per_platform.setdefault(r["platform"], []).append(r)
    people_days, people_window = who or people(db, scope)
    days = [{"day": day, "platform": platform, **_figures(counts, people_days.get((day, platform), People()))}
            for (day, platform), counts in sorted(per_day.items())]
    totals = [{"platform": platform, **_figures(counts, people_window.get(platform, People()))}
              for platform, counts in per_platform.items()]
    return days, totals


LANGUAGE_SQL = f"""SELECT language, sum(n) AS total, sum(complaints) AS complaints, sum(negative) AS negative,
    sum(positive) AS positive
FROM trend_languages WHERE {SCOPE_WHERE} AND (:language IS NULL OR language = :language)
GROUP BY language HAVING total > 0 ORDER BY total DESC, language LIMIT :top"""


#: The languages the chart shows, most mentions first.
LANGUAGES_SHOWN = 12


def languages(db: Database, scope: Scope, top: int = LANGUAGES_SHOWN) -> list[dict[str, Any]]:
    """Mentions per detected language (``und``: not known), largest first, with complaints and sentiment (each
    market's mood, as the platforms' is shown), each named ("German"): marketing reads names, not ISO codes.
    With a language chosen, that one."""
    out = []
    for r in rows(db, LANGUAGE_SQL, scope.params(top=top)):
        total = max(1, r["total"])
        neutral = r["total"] - r["negative"] - r["positive"]
        out.append({"language": r["language"], "name": language_name(r["language"]), **r, "neutral": neutral,
                    "complaint_rate": round(100 * r["complaints"] / total, 1),
                    "negative_rate": round(100 * r["negative"] / total, 1),
                    "positive_rate": round(100 * r["positive"] / total, 1)})
    return out


def language_choices(heard: list[dict[str, Any]], chosen: str | None) -> list[dict[str, Any]]:
    """The languages the page's filter offers: every one ``heard`` (:func:`languages` of the page's scope with no
    language), most mentions first, named, and ``chosen`` even when nothing in the window is in it (the filter
    still shows what it is set to)."""
    found = [{"language": r["language"], "name": r["name"], "total": r["total"]} for r in heard]
    if chosen and chosen not in {r["language"] for r in found}:
        found.append({"language": chosen, "name": language_name(chosen), "total": 0})
    return found


SURVEY_SQL = f"""SELECT {local_day("answered_at")} AS day, score FROM survey_answers
    WHERE kind = 'nps' AND answered_at >= :since AND {brand_in()}"""
#: A survey's conversation is in ``:language`` (``und``: not known), read as the queue's language filter reads it.
SURVEY_LANGUAGE = f"""(:language IS NULL OR coalesce((SELECT {CONVERSATION_LANGUAGE} FROM conversations c
    WHERE c.id = surveys.conversation_id), 'und') = :language)"""
#: Answers to the surveys the responder sends after resolution, when that table exists.
RESPONDER_SURVEY_SQL = f"""SELECT {local_day("answered_at")} AS day, score FROM surveys
    WHERE kind = 'nps' AND score IS NOT NULL AND answered_at >= :since AND {brand_in()}
    AND (:platform IS NULL OR platform = :platform) AND {SURVEY_LANGUAGE}"""


def survey_nps(db: Database, scope: Scope) -> list[dict[str, Any]]:
    """Survey NPS per day where answers exist: imported answers (no platform and no language: left out when
    either is chosen) plus the responder's own surveys."""
    sql = SURVEY_SQL if scope.platform is None and scope.language is None else ""
    if db.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'surveys'").fetchone():
        sql = f"{sql} UNION ALL {RESPONDER_SURVEY_SQL}" if sql else RESPONDER_SURVEY_SQL
    if not sql:
        return []
    by_day: dict[str, list[int]] = defaultdict(list)
    for r in rows(db, sql, scope.params()):
        if isinstance(r["score"], int) and 0 <= r["score"] <= 10:
            by_day[r["day"]].append(r["score"])
    return [{"day": day, "nps": (s := nps(scores)).score, "answers": s.total, "zone": s.zone}
            for day, scores in sorted(by_day.items())]


def _day(at: datetime, back: int = 0) -> str:
    return (at - timedelta(days=back)).strftime("%Y-%m-%d")


#: The most intents the chart shows: more than the taxonomy and any brand's own together.
INTENTS_SHOWN = 40


def top_intents(db: Database, now: datetime, scope: Scope, days: int = 7) -> list[dict[str, Any]]:
    """The intents of the last ``days`` whole days (today included), most posts first, with the days before: every
    intent with posts (up to ``INTENTS_SHOWN``: the taxonomy's and the brands' own), where the ten most cut a
    brand's own intent tied with the tenth without a word, and the bars no longer summed to the mentions."""
    previous = _day(now, 2 * days - 1)
    return rows(db, f"""
        SELECT intent, sum(CASE WHEN day >= :recent THEN n ELSE 0 END) AS count,
               sum(CASE WHEN day < :recent THEN n ELSE 0 END) AS previous
        FROM {scope.source("trend_intents")} WHERE day >= :previous AND {brand_in()}
          AND (:platform IS NULL OR platform = :platform)
        GROUP BY intent ORDER BY count DESC, intent LIMIT :shown""",
                scope.params(recent=_day(now, days - 1), previous=previous, shown=INTENTS_SHOWN))


def sample_texts(db: Database, first: datetime, last: datetime, scope: Scope, brands: Sequence[str],
                 per_day: int) -> list[str]:
    """Up to ``per_day`` newest posts of each day from ``first`` to ``last`` (the days of their zone) and each
    brand (the brand and time index answers each), so every day weighs the same in the sample."""
    out: list[str] = []
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= last:
        start, end = to_iso(day), to_iso(day + timedelta(days=1))
        for brand in brands:
            out += [r[0] for r in db.conn.execute(
                f"""SELECT m.text FROM mentions m WHERE m.brand = :brand AND m.created_at >= :start
                   AND m.created_at < :end AND (:platform IS NULL OR m.platform = :platform)
                   AND {language_is(scope.language)} ORDER BY m.created_at DESC LIMIT :per_day""",
                {"brand": brand, "start": start, "end": end, "platform": scope.platform,
                 "language": scope.language, "per_day": per_day})]
        day += timedelta(days=1)
    return out


def terms(db: Database, now: datetime, scope: Scope, brands: Sequence[BrandSettings]) -> list[dict[str, Any]]:
    """Rising terms of the last 7 days against the 3 weeks before, on an even sample of posts per day."""
    names = [scope.brand] if scope.brand else [b.name for b in brands if b.kind != "competitor"]
    ignore = [w for b in brands for w in (b.name, *b.display_name.split(), *b.handles, *b.keywords)]
    recent = sample_texts(db, now - timedelta(days=6), now, scope, names, RECENT_PER_DAY)
    baseline = sample_texts(db, now - timedelta(days=27), now - timedelta(days=7), scope, names, BASELINE_PER_DAY)
    return rising_terms(recent, baseline, ignore=ignore)


def share_of_voice(db: Database, brands: Sequence[BrandSettings], since: datetime | str,
                   brand: str | None, platform: str | None = None, *, day: str | None = None,
                   language: str | None = None) -> list[dict[str, Any]]:
    """Mentions of each brand and of its competitors.

    A competitor configured as a brand of kind ``competitor`` is polled for its own keywords, so its
    count is every post about it: a true share of voice (``tracked`` True), listed beside ours
    whatever brand is selected. A name in a brand's ``competitors`` list only counts the posts we
    collected for our brand that name it (comparisons, switching threats): share of voice *in our
    conversations*.

    ``since`` is the window's first instant, ``day`` its first day as the counts are kept (the team's; by
    default ``since``'s UTC date); ``language``: posts in it only.
    """
    since = since if isinstance(since, str) else str(to_iso(since))
    day = day or since[:10]
    counts = "trend_daily" if language is None else "trend_languages"

    def count(name: str) -> int:
        return int(db.conn.execute(
            f"""SELECT coalesce(sum(n), 0) FROM {counts} WHERE brand = :brand AND day >= :day
                AND (:platform IS NULL OR platform = :platform)
                {'' if language is None else 'AND language = :language'}""",
            {"brand": name, "day": day, "platform": platform, "language": language}).fetchone()[0])

    out = []
    for b in brands:
        if b.kind == "competitor":
            out.append({"brand": b.display_name or b.name, "name": b.name, "count": count(b.name), "competitor": True,
                        "tracked": True})
            continue
        if brand and b.name != brand:
            continue
        out.append({"brand": b.display_name or b.name, "name": b.name, "count": count(b.name), "competitor": False,
                    "tracked": True})
        for rival in b.competitors:
            out.append({"brand": rival, "name": b.name,
                        "count": naming(db, b.name, rival, since, platform, day=day, language=language),
                        "competitor": True, "tracked": False})
    return out


NAMING_SQL = f"""SELECT count(*) FROM mentions m JOIN classifications cl ON cl.mention_key = m.key
    WHERE m.brand = :brand AND m.created_at >= :since AND (:platform IS NULL OR m.platform = :platform)
      AND {names_match("m.text", ":like")} AND {{language}}"""
NAMED_SQL = """SELECT coalesce(sum(n), 0) FROM trend_names WHERE name = :name AND brand = :brand AND day >= :day
    AND (:platform IS NULL OR platform = :platform) AND (:language IS NULL OR language = :language)"""


def naming(db: Database, brand: str, rival: str, since: str, platform: str | None, *, day: str | None = None,
           language: str | None = None) -> int:
    """Our brand's posts that name ``rival`` (any case), in ``language`` when one is given: from the daily
    counts the triggers keep for the configured competitors (``trend_names``, from ``day``), else (a name not
    tracked yet) by reading the posts (from ``since``)."""
    if db.conn.execute("SELECT 1 FROM tracked_names WHERE name = ?", (rival,)).fetchone():
        return int(db.conn.execute(NAMED_SQL, {"name": rival, "brand": brand, "day": day or since[:10],
                                               "platform": platform, "language": language}).fetchone()[0])
    return int(db.conn.execute(NAMING_SQL.format(language=language_is(language)),
                               {"brand": brand, "since": since, "platform": platform, "language": language,
                                "like": name_pattern(rival)}).fetchone()[0])


def survey_comments(db: Database, scope: Scope, limit: int = 20) -> list[dict[str, Any]]:
    """The latest answered surveys with a comment: what customers said after we resolved their case."""
    return rows(db, f"""SELECT kind, score, comment, brand, platform, answered_at
        FROM surveys INDEXED BY surveys_answered
        WHERE answered_at IS NOT NULL AND answered_at >= :since AND {brand_in()}
          AND (:platform IS NULL OR platform = :platform) AND {SURVEY_LANGUAGE}
          AND trim(coalesce(comment, '')) != '' ORDER BY answered_at DESC LIMIT :limit""", scope.params(limit=limit))


TOPICS_SQL = f"""SELECT t.id, t.label, t.words, t.size,
       sum(CASE WHEN d.day >= :since THEN d.n ELSE 0 END) AS count,
       sum(CASE WHEN d.day < :since THEN d.n ELSE 0 END) AS previous
FROM {{topic_daily}} d JOIN topics t ON t.id = d.topic_id
WHERE d.day >= :previous AND t.merged_into IS NULL AND {brand_in("d.brand")}
GROUP BY t.id HAVING count > 0 ORDER BY count DESC, t.id LIMIT :limit"""


def is_rising(count: int, previous: int, *, min_count: int = TOPIC_MIN_COUNT, rise: float = TOPIC_RISE) -> bool:
    """At least ``min_count`` posts now and ``rise`` times the previous window (smoothed by one post), so
    a topic going from 0 to 2 posts is noise, not news."""
    return count >= min_count and (count + 1) / (previous + 1) >= rise


def top_topics(db: Database, now: datetime, scope: Scope, days: int, limit: int = 12,
               ignore: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The largest complaint topics of the window, with the equal window before and a rising flag.
    Topics are not split by platform (a topic is about what is said, wherever it is said). With a language
    chosen, each is named by its posts in that language (``named_in``), where its stored name came from every
    language's: a German market read its topics in English words."""
    previous = _day(now, 2 * days - 1)
    out = []
    sql = TOPICS_SQL.format(topic_daily=scope.source("topic_daily"))
    for r in rows(db, sql, scope.params(previous=previous, limit=limit)):
        out.append({"id": r["id"], "label": r["label"], "words": json.loads(r["words"]), "count": r["count"],
                    "previous": r["previous"], "rising": is_rising(r["count"], r["previous"]), "named_in": None})
    if scope.language and out:
        _name_in(db, out, scope.language, ignore)
    return out


#: Posts of a topic in one language read to name it there (the topic job's own sample is 200 in every language). At a
#: million mentions the language-filtered page took 147-177 ms with 200, 83-87 ms with 50 and m139's index (the
#: unfiltered page 54 ms; ``benchmarks/trends.py``, docs/benchmarks.md).
NAMING_SAMPLE = 50


def _name_in(db: Database, topics: list[dict[str, Any]], language: str, ignore: frozenset[str]) -> None:
    """Name ``topics`` by their latest posts in ``language`` (class-based TF-IDF among these topics, as the topic
    job names them among all); a topic whose posts there give no word keeps its name."""
    from classifiers.topics import TopicParams, c_tf_idf, label

    docs = {t["id"]: [r[0] for r in db.conn.execute(
        f"""SELECT m.text FROM mention_topics mt JOIN mentions m ON m.key = mt.mention_key
            WHERE mt.topic_id = ? AND {TOPIC_LANGUAGE} = ? ORDER BY mt.assigned_at DESC LIMIT ?""",
        (t["id"], language, NAMING_SAMPLE))] for t in topics}
    named = c_tf_idf(docs, TopicParams().top_words, ignore)
    for t in topics:
        found = named.get(t["id"])
        if found:
            t.update(words=found, label=label(found), named_in=language)


def _brand_words(brands: Sequence[BrandSettings]) -> frozenset[str]:
    """``classifiers.topics.brand_words``, imported when a page is built (the topics module brings numpy)."""
    from classifiers.topics import brand_words

    return brand_words(brands)


def unread_share(db: Database, language: str, since: str) -> float:
    """The share of the window's posts in ``language`` that no model reads (``language_covered`` 0): their scores are
    the English path's guesses, which the queue says on each row and the trends page must say too (a Swedish
    "card blocked abroad, nobody answers" read as praise gave "complaint rate 0 %, NPS 100")."""
    row = db.conn.execute("SELECT count(*), sum(cl.language_covered = 0) FROM mentions m JOIN classifications cl "
                          "ON cl.mention_key = m.key WHERE m.language = ? AND m.created_at >= ?",
                          (language, since)).fetchone()
    return float(row[1] or 0) / row[0] if row and row[0] else 0.0


def own_brands(brands: Sequence[BrandSettings]) -> tuple[str, ...]:
    """The configured brands that are ours (not those configured as competitors to watch)."""
    return tuple(b.name for b in brands if b.kind != "competitor")


def trends(db: Database, now: datetime, brands: Sequence[BrandSettings], *, brand: str | None = None,
           days: int = 30, platform: str | None = None, language: str | None = None) -> dict[str, Any]:
    """Everything on the marketing page, as JSON-ready data, in the days of the zone the counts are kept in;
    ``language`` (``und``: not known): every figure of the posts in it. ``language_choices``: the languages
    heard in the window (whatever is chosen), for the page's filter."""
    zone = day_zone(db)
    today = now.astimezone(zone)
    since = since_iso(now, days, zone)
    own = own_brands(brands)
    scope = Scope(first_day(now, days, zone).isoformat(), brand, platform, own, language)
    hourly = hourly_volume(db, now - timedelta(days=7), now, brand, platform, own=own, language=language)
    heard = languages(db, dataclasses.replace(scope, language=None), top=200)  # the filter's choices
    who, first = people(db, scope), first_heard(db, brand, platform, own=own)  # read once, used by three parts
    platform_days, platform_totals = by_platform(db, scope, who)
    return {
        "now": to_iso(now), "days": days, "brand": brand, "platform": platform, "timezone": zone.key,
        "language": language, "language_name": language_name(language) if language else None,
        "language_unread": unread_share(db, language, since) if language else 0.0,
        "language_choices": language_choices(heard, language),
        "headline": headline(db, scope, days, window=who[1], first=first, zone=zone),
        "daily": daily(db, scope, who),
        "platforms": platform_days,
        "platform_totals": platform_totals,
        "languages": heard[:LANGUAGES_SHOWN] if language is None else languages(db, scope),
        "survey_nps": survey_nps(db, Scope(since, brand, platform, own, language)),
        "nps_zones": [{"zone": z, "from": lo, "to": hi} for z, lo, hi in ZONES],
        "intents": top_intents(db, today, scope), "intents_since": _day(today, 6),
        "rising_terms": terms(db, today, scope, brands), "terms_per_day": RECENT_PER_DAY,
        "topics": top_topics(db, today, scope, days, ignore=_brand_words(brands)),
        "hourly": [{"hour": h, "label": hour_label(h, zone), "count": c} for h, c in hourly],
        "spikes": [{**asdict(s), "label": hour_label(s.at, zone)} for s in spikes_in(hourly, first)],
        "share_of_voice": share_of_voice(db, brands, since, brand, platform, day=scope.since, language=language),
        "survey_comments": survey_comments(db, Scope(since, brand, platform, own, language)),
    }


# -- the posts behind a chart --------------------------------------------------------------------------
SENTIMENTS = ("negative", "neutral", "positive")
MAX_POSTS = 200


@dataclass(frozen=True, slots=True)
class PostFilter:
    """What a click on a chart selects: the chart's own filters plus the clicked point or bar.

    ``day`` (``YYYY-MM-DD``) is a day of the team's zone and ``hour`` (``YYYY-MM-DDTHH``) a UTC hour, as the
    charts bucket them;
    ``term`` selects posts whose text contains the word (rising terms, a competitor's bar); ``language``
    a detected language (``und``: not known); ``topic`` a complaint topic's id."""

    since: datetime
    brand: str | None = None
    platform: str | None = None
    day: str | None = None
    hour: str | None = None
    #: Only posts before this day (``YYYY-MM-DD``, the team's): "the 7 days before" a window, not the 14 to now.
    before: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    complaint: bool = False
    term: str | None = None
    language: str | None = None
    topic: int | None = None
    brands: tuple[str, ...] = ()  # every configured brand: searched one by one when ``brand`` is None


POSTS_WHERE = f"""{{range}}
  AND (:platform IS NULL OR m.platform = :platform)
  AND (:hour IS NULL OR substr(m.created_at, 1, 13) = :hour)
  AND (:sentiment IS NULL OR cl.sentiment = :sentiment) AND (:intent IS NULL OR cl.intent = :intent)
  AND (:complaint = 0 OR cl.complaint >= 0.5)
  AND (:term IS NULL OR {names_match("m.text", ":term")})
  AND {{language}}
  AND (:topic IS NULL OR m.key IN (SELECT mention_key FROM mention_topics WHERE topic_id = :topic))"""


def _post_params(f: PostFilter) -> dict[str, Any]:
    like = name_pattern(f.term) if f.term else None
    return {"since": to_iso(f.since), "brand": f.brand, "platform": f.platform,
            "hour": f.hour, "sentiment": f.sentiment, "intent": f.intent, "complaint": int(f.complaint),
            "term": like, "language": f.language, "topic": f.topic}


def _range(f: PostFilter, day: tuple[str, str] | None, until: str | None = None) -> tuple[str, dict[str, Any]]:
    """The brands and the time range as conditions the (brand, created_at) index answers: each brand's
    posts from the latest start to the earliest end of the window, the day (its stored times), the hour and
    ``until`` (the first instant of ``f.before``)."""
    starts = [str(to_iso(f.since)), *(x for x in (day[0] if day else None, f.hour) if x)]
    ends = [x for x in (day[1] if day else None, (f.hour + ":99") if f.hour else None, until) if x]
    params: dict[str, Any] = {"lo": max(starts), "hi": min(ends) if ends else None}
    sql = "m.created_at >= :lo" + (" AND m.created_at < :hi" if ends else "")
    brands = (f.brand,) if f.brand else f.brands
    if brands:
        params.update({f"b{i}": b for i, b in enumerate(brands)})
        sql = f"m.brand IN ({', '.join(f':b{i}' for i in range(len(brands)))}) AND {sql}"
    return sql, params


def posts(db: Database, f: PostFilter, *, limit: int = 50, offset: int = 0,
          zone: tzinfo | None = None) -> dict[str, Any]:
    """The posts behind a point or bar, newest first, with how many there are in all (read-only:
    no conversation actions, so marketing sees what customers wrote without touching the queue). ``zone``: the
    days' (``day_zone``), when the caller has read it already."""
    zone = zone or day_zone(db)
    day = day_range(f.day, zone) if f.day else None
    if day and f.hour and not day[0][:13] <= f.hour < day[1][:13]:  # both hold: no post could be in both
        raise CarelineError(f"hour {f.hour} (UTC) is not on day {f.day}: give one of them, or an hour of that day")
    where, extra = _range(f, day, day_range(f.before, zone)[0] if f.before else None)
    language = language_is(f.language)
    params = {**_post_params(f), **extra}
    total = db.conn.execute(f"""SELECT count(*) FROM mentions m JOIN classifications cl ON cl.mention_key = m.key
        WHERE {POSTS_WHERE.format(range=where, language=language)}""", params).fetchone()[0]
    items = rows(db, f"""SELECT m.key, m.platform, m.brand, a.handle, m.text, m.url, m.created_at,
            cl.sentiment, cl.intent, round(cl.complaint, 2) AS complaint
        FROM mentions m JOIN classifications cl ON cl.mention_key = m.key JOIN authors a ON a.key = m.author_key
        WHERE {POSTS_WHERE.format(range=where, language=language)}
        ORDER BY m.created_at DESC LIMIT :limit OFFSET :offset""",
                 {**params, "limit": limit, "offset": offset})
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def current_topic(db: Database, topic: int) -> int | None:
    """The topic that holds ``topic``'s posts now (a merged topic's posts moved to the one it joined),
    or None when there is no such topic."""
    for _ in range(32):  # merges form chains, never cycles; the bound only guards a damaged table
        row = db.conn.execute("SELECT merged_into FROM topics WHERE id = ?", (topic,)).fetchone()
        if row is None:
            return None
        if row[0] is None:
            return topic
        topic = int(row[0])
    return None
