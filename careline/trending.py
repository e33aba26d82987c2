"""Hourly volume and spike detection: read by the trends page and by the scheduler's spike-alert job.

Spikes follow Huginn's peak detector: an hour is a spike when its volume exceeds the mean plus three
standard deviations of the preceding window, and no second alert fires within the cooldown. Volume is
classified mentions per UTC hour, summed from ``trend_hourly`` (``careline.store.trending``), so the
page and the alert job see the same numbers. History starts at the first hour anything was heard
(:func:`spikes_in`): before it the volume is unknown, not zero.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlite_utils import Database

from careline.domain import to_iso
from careline.store.trending import language_is

HOUR_FORMAT = "%Y-%m-%dT%H"
#: Combining marks that are part of a word (Latin accents typed apart, Hebrew and Arabic points, Devanagari, Thai,
#: Lao, Myanmar and Khmer vowels and tones): Python's ``\w`` leaves them out, which cut "ไม่มี" at its tone mark.
_MARKS = ("\u0300-\u036F\u0483-\u0489\u0591-\u05C7\u0610-\u061A\u064B-\u065F\u0670\u0900-\u0903\u093A-\u094F"
          "\u0E31\u0E34-\u0E3A\u0E47-\u0E4E\u0EB1\u0EB4-\u0EBC\u0EC8-\u0ECD\u102B-\u103E\u17B4-\u17D3\u3099\u309A")
#: A run of letters of any script, with its marks and inner apostrophes and hyphens ("don't", "e-mail", "bőrönd",
#: "задержка", "ไม่มีใครตอบ").
_TOKEN = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}]|['’\-](?=[^\W\d_]))*")
#: A pair with hiragana in it: in Japanese the particles and endings ("です", "ない"), and where they meet a word
#: ("が届", "物が"), which named topics "が届 · が繋"; the words are the kanji and katakana ("荷物", "電話").
_GRAMMAR = re.compile(r".?[\u3040-\u309F].?")
#: Katakana (with its long-vowel mark): Japanese loanwords, each run one word ("アカウント", "ロック").
_KATAKANA = re.compile(r"[\u30A0-\u30FF]+")
_ASCII_TOKEN = re.compile(r"[a-z]+(?:['\-][a-z]+)*")
#: Chinese and Japanese, written without spaces between words: a run there is a phrase, so its character pairs
#: stand for its words ("退款" in "申请退款三天了"). Thai runs, split by spaces into phrases, stay whole.
_UNSPACED = re.compile(r"[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+")
#: Hangul words are often two syllables ("환불", refund); Latin, Cyrillic or Arabic ones need three letters.
_HANGUL = re.compile(r"[\uAC00-\uD7AF]")
_NOISE = re.compile(r"https?://\S+|@\w+|&amp;|&lt;|&gt;")
_STOP = """the and for you your with this that have has had not but are was were they them their our
out all just get got can cant can't don't dont why what when how who will would should could from been being
its it's i'm im she her his him about into over than then there here any more most some such very too also
only really still again after before now today yesterday because every even much many one two three off
new see like know need want make going way thing things lol yes yet ever did does doing done said says
"""
#: The same in the other languages the classifier reads (three letters or more: shorter ones are no word here).
#: A complaint topic was named "horas · nadie · que" and Spanish rising terms led with "que".
_STOP_OTHER = """
que los las por para con una uno del como pero más mas sus muy sin sobre este esta esto ese esa hay fue
ser está estoy todo todos nos les ya
des les une est pas pour dans avec sur qui que mais vous nous ils elle sont ont fait été très tout plus
cette ces aux par sans même leur
der die das und ist nicht ein eine einen dem den mit von auf für sich ich sie wir ihr aber auch noch nur
schon wie was wenn bei aus nach oder mein mir mich uns
não com uma por para mais como mas foi são está tem seu sua dos das nos pelo pela isso este esta
che non per una con del della dei gli sono come più anche questo questa nel alla mio mia
het een dat die niet met voor zijn maar ook nog wel bij naar dan als wat mijn
что это как все так его она они мне меня уже для вот нет было быть есть или еще ещё когда только может тоже
очень уже
nie jest się jak ale tak już dla czy przez tylko jestem może bardzo
bir için ama çok gibi daha kadar sonra olan olarak değil var yok ben siz
nem egy hogy meg van már még csak azt ezt mint vagy volt nagyon
على في من إلى عن هذا هذه التي الذي لا مع كان
"""
#: Words that say nothing about what a post is about (rising terms and topic names skip them).
STOPWORDS = frozenset(_STOP.split()) | frozenset(_STOP_OTHER.split())


def clean(text: str) -> str:
    """A post without links, @handles and HTML entities: what it says, for embedding and naming."""
    return " ".join(_NOISE.sub(" ", text).split())


def words(text: str, skip: frozenset[str] = STOPWORDS) -> list[str]:
    """A post's content words, lower case, without links, @handles and stop words (repeats kept), in any script:
    the Latin letters alone named a topic of Thai and Japanese complaints nothing at all (an empty link), and
    split Hungarian and Polish words at "ő" and "ł"."""
    lowered = _NOISE.sub(" ", text.lower())
    if lowered.isascii():  # most posts, and the same tokens as _TOKEN finds in them, at half the cost
        return [t for t in _ASCII_TOKEN.findall(lowered) if len(t) >= 3 and t not in skip]
    tokens = _TOKEN.findall(lowered)
    if not _UNSPACED.search(lowered) and not _HANGUL.search(lowered):  # words between spaces
        return [t for t in tokens if len(t) >= 3 and t not in skip]
    out: list[str] = []
    for token in tokens:
        for part in _UNSPACED.split(token):
            if len(part) >= (2 if _HANGUL.search(part) else 3) and part not in skip:
                out.append(part)
        for run in _UNSPACED.findall(token):
            out += [w for w in _KATAKANA.findall(run) if len(w) >= 2]  # a loanword whole: "アカウント", not "アカ"
            for part in _KATAKANA.split(run):
                out += [pair for i in range(len(part) - 1) if not _GRAMMAR.fullmatch(pair := part[i:i + 2])]
    return out


@dataclass(frozen=True, slots=True)
class Spike:
    """An hour (``YYYY-MM-DDTHH``, UTC) with ``count`` mentions where ``mean`` were usual."""

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


def brand_in(column: str = "brand") -> str:
    """The chosen brand (``:brand``), or, with none chosen, our own brands (``:own``, a JSON list; all when it
    is empty).

    Why not every brand: the trend tables also count the brands configured as competitors and brands
    since removed, and "All brands" summed them into our volume, complaints and estimated NPS, while the
    posts behind a chart searched the configured brands only."""
    return (f"({column} = :brand OR (:brand IS NULL AND (:own = '[]' OR {column} IN "
            "(SELECT value FROM json_each(:own)))))")


#: ``trend_hourly``'s rows for the posts in one language (``{language}``: ``language_is``), counted from the posts:
#: the hourly table has no language, and seven days of one language's posts are found by its index.
HOURLY_OF_LANGUAGE = """(SELECT substr(m.created_at, 1, 13) AS hour, m.brand AS brand, m.platform AS platform, 1 AS n
    FROM mentions m JOIN classifications c ON c.mention_key = m.key WHERE {language} AND m.created_at >= :since)"""


def hourly_volume(db: Database, since: datetime, now: datetime, brand: str | None,
                  platform: str | None = None, *, own: Sequence[str] = (),
                  language: str | None = None) -> list[tuple[str, int]]:
    """Classified mentions per UTC hour from ``since`` to ``now``, hours without any included as 0; with no
    ``brand``, those of the ``own`` brands (every brand when none are named); ``language``: only posts in it."""
    source = "trend_hourly" if language is None else HOURLY_OF_LANGUAGE.format(language=language_is(language))
    counts = {r[0]: r[1] for r in db.conn.execute(
        f"""SELECT hour, sum(n) FROM {source} WHERE hour >= :since AND hour <= :now AND {brand_in()}
           AND (:platform IS NULL OR platform = :platform) GROUP BY hour""",
        {"since": since.strftime(HOUR_FORMAT), "now": now.strftime(HOUR_FORMAT), "brand": brand,
         "own": json.dumps(list(own)), "platform": platform, "language": language})}
    hour, series = since.replace(minute=0, second=0, microsecond=0), []
    while hour <= now:
        key = hour.strftime(HOUR_FORMAT)
        series.append((key, counts.get(key, 0)))
        hour += timedelta(hours=1)
    return series


def first_heard(db: Database, brand: str | None, platform: str | None = None, *,
                own: Sequence[str] = ()) -> str | None:
    """The first hour (``YYYY-MM-DDTHH``) with a classified mention of the brand (``hourly_volume``'s scope),
    or ``None`` while there is none: walks ``trend_hourly``'s key in hour order and stops at the first match."""
    row = db.conn.execute(
        f"""SELECT hour FROM trend_hourly WHERE {brand_in()} AND (:platform IS NULL OR platform = :platform)
           ORDER BY hour LIMIT 1""",
        {"brand": brand, "own": json.dumps(list(own)), "platform": platform}).fetchone()
    return row[0] if row else None


def spikes_in(series: Sequence[tuple[str, int]], first: str | None) -> list[Spike]:
    """The spikes of ``series`` (``hourly_volume``), reading history only from ``first``, the hour anything was
    first heard in its scope (:func:`first_heard`; ``None``: nothing yet). Why: the hours before it are unknown,
    not quiet; counted as zeros, the first hour of a new install or of a brand just added was alerted as a spike
    "where there are usually none"."""
    return [] if first is None else detect_spikes([point for point in series if point[0] >= first])


def spikes_for(db: Database, now: datetime, brand: str | None, *, days: int = 7) -> list[Spike]:
    """The spikes of the last ``days`` days of hourly volume (what the page marks and the job alerts on)."""
    return spikes_in(hourly_volume(db, now - timedelta(days=days), now, brand), first_heard(db, brand))


def first_day(now: datetime, days: int, zone: tzinfo = UTC) -> date:
    """The first day of a window of ``days`` whole days that ends with ``now``'s, in ``zone`` (the days the counts
    are kept in, ``careline.store.trending.day_zone``)."""
    return now.astimezone(zone).date() - timedelta(days=days - 1)


def since_iso(now: datetime, days: int, zone: tzinfo = UTC) -> str:
    """The start of :func:`first_day`, as stored times: windows are whole days, so the first bar of a chart and
    the posts behind it count the same mentions."""
    return str(to_iso(day_start(first_day(now, days, zone), zone)))


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC. Where the clocks skip midnight, the hour after the
    skip (the first that exists that day)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_range(day: str, zone: tzinfo) -> tuple[str, str]:
    """``day`` (``YYYY-MM-DD`` in ``zone``) as stored times, from its first instant to the next day's."""
    first = date.fromisoformat(day)
    return str(to_iso(day_start(first, zone))), str(to_iso(day_start(first + timedelta(days=1), zone)))


def hour_label(hour: str, zone: tzinfo) -> str:
    """A UTC hour key (``YYYY-MM-DDTHH``) as the team reads it in ``zone`` ("2026-12-06 15:00"). The hour the
    clocks go back comes twice: each of the two carries its zone's abbreviation ("2026-10-25 01:00 BST", then
    "... 01:00 GMT"), so the chart and its table do not show one hour twice."""
    at = datetime.strptime(hour, HOUR_FORMAT).replace(tzinfo=UTC)
    local = at.astimezone(zone)
    twice = local.replace(fold=1 - local.fold).astimezone(UTC) != at
    return f"{local:%Y-%m-%d %H:%M}" + (f" {local:%Z}" if twice else "")


def local_day_of(hour: str, zone: tzinfo) -> str:
    """The day (``YYYY-MM-DD`` in ``zone``) of a UTC hour key."""
    return hour_label(hour, zone)[:10]
