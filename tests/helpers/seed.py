"""Synthetic but realistic rows for tests, screenshots and ``benchmarks/web.py``.

Writes authors, mentions, classifications and conversations the way the listener and the intake
step would (same columns, same ISO timestamps), deterministically from ``seed``, so a test can
assert exact numbers and the benchmark can fill 100,000 conversations in seconds.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import to_iso
from responder.sla import SLAPolicy

TEXTS = (
    ("delivery", "negative", "@{b} my parcel was due on Monday and still nothing. Third time I've chased this."),
    ("refund_return", "negative", "@{b} still waiting on my refund after 3 weeks, this is ridiculous"),
    ("billing", "negative", "@{b} you charged me twice this month?? sort it out"),
    ("outage_bug", "negative", "@{b} is the app down again? can't log in since this morning"),
    ("service_experience", "negative", "@{b} on hold for 45 minutes and then cut off. Switching to a competitor"),
    ("question", "neutral", "@{b} do you fly to Lisbon in winter?"),
    ("praise", "positive", "@{b} crew on my flight today were brilliant, thank you!"),
    ("other", "neutral", "saw an ad for {b} on the train, anyone tried them?"),
)
HOSTILE = ('@{b} <script>alert("pwned")</script> <img src=x onerror=alert(1)> my bag is lost',
           '=HYPERLINK("http://evil.example","click") @{b} refund please')


# Round the clock, as the due times above assume (first response 60 min, resolution 24 h), so the
# SLA clock durations equal the wall-clock ones.
SNAPSHOT = json.dumps(SLAPolicy("standard", first_response_minutes=60, resolution_minutes=1440).to_dict())


def _seconds(end: datetime | None, start: datetime) -> float | None:
    return None if end is None else (end - start).total_seconds()


def _mention(i: int, brand: str, author: str, text: str, at: datetime, platform: str) -> tuple[Any, ...]:
    key = f"{platform}:seed{i}"
    thread = f"{platform}:{brand}:seed{i}"
    return (key, platform, f"seed{i}", brand, f"{platform}-search", author, text, f"https://example.invalid/{i}",
            to_iso(at), to_iso(at), f"seed{i}", thread, None, "en", "{}", "routed")


def seed(db: Database, n: int, now: datetime, *, brands: tuple[str, ...] = ("skylark", "brightwave"),
         days: float = 10.0, seed: int = 7, answered: float = 0.5, hostile: bool = True) -> list[int]:
    """Insert ``n`` one-message conversations spread over the last ``days``; returns their ids.

    About ``answered`` of those older than their due time got a first reply (half of them late),
    the rest are open, so the lead's page has hits, misses and breaches. Runs in the caller's txn.
    """
    rnd = random.Random(seed)
    start = db.conn.execute("SELECT coalesce(max(id), 0) FROM conversations").fetchone()[0]
    authors, mentions, classes, convs = [], [], [], []
    for j in range(n):
        i = start + j + 1
        brand, platform = brands[i % len(brands)], "x" if i % 4 else "reddit"
        intent, sentiment, text = TEXTS[rnd.randrange(len(TEXTS))]
        if hostile and j < len(HOSTILE):
            intent, sentiment, text = "other", "negative", HOSTILE[j]
        age = timedelta(seconds=rnd.uniform(60, days * 86400)) if j >= len(HOSTILE) else timedelta(minutes=5 + j)
        at = now - age
        author = f"{platform}:a{i % max(1, n // 3)}"
        authors.append((author, platform, author.split(":")[1], f"user_{i % max(1, n // 3)}",
                        f"<b>User</b> {i % 97}" if j == 0 and hostile else f"User {i % 97}",
                        rnd.choice((12, 340, 2100, 25_000)), 0, to_iso(at), to_iso(at)))
        mentions.append(_mention(i, brand, author, text.format(b=brand.capitalize()), at, platform))
        complaint = 0.85 if sentiment == "negative" else 0.1
        detractor = round(rnd.uniform(0.55, 0.95) if sentiment == "negative" else rnd.uniform(0.0, 0.3), 3)
        runner_up = "question" if intent == "other" else "other"
        classes.append((f"{platform}:seed{i}", "seed-1", sentiment, json.dumps({sentiment: 0.8}), complaint,
                        detractor, intent, json.dumps({intent: 0.7, runner_up: 0.1}), 0.4 if complaint > 0.5 else 0.0,
                        json.dumps(["seeded"] if complaint > 0.5 else []), to_iso(at)))
        priority = round(35 * detractor + 30 * complaint + rnd.uniform(0, 20), 2)
        due = at + timedelta(minutes=60)
        responded = resolved = None
        status = "new"
        if due < now and rnd.random() < answered:
            responded = at + timedelta(minutes=rnd.choice((10, 30, 50, 90, 150)))
            status = rnd.choice(("pending", "resolved", "resolved"))
            resolved = responded + timedelta(minutes=30) if status == "resolved" else None
        convs.append((i, f"{platform}:{brand}:seed{i}", platform, brand, author, status, priority,
                      json.dumps([f"complaint ({complaint:.0%})"] if complaint > 0.5 else []),
                      "agent" if responded else None, to_iso(at), to_iso(at), to_iso(at), to_iso(due),
                      to_iso(responded), to_iso(at + timedelta(hours=24)), to_iso(resolved), "standard",
                      SNAPSHOT, _seconds(responded, at), _seconds(resolved, at)))
    db.conn.executemany("INSERT OR IGNORE INTO authors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", authors)
    db.conn.executemany("""INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url,
        created_at, fetched_at, conversation_id, thread_key, in_reply_to_id, language, raw, stage)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", mentions)
    db.conn.executemany("""INSERT INTO classifications (mention_key, model_version, sentiment, sentiment_scores,
        complaint, detractor, intent, intent_scores, urgency, reasons, classified_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", classes)
    db.conn.executemany("""INSERT INTO conversations (id, thread_key, platform, brand, author_key, status, priority,
        priority_reasons, assignee, created_at, updated_at, last_customer_at, first_response_due,
        first_responded_at, resolution_due, resolved_at, sla_policy, sla_snapshot, first_response_clock_s,
        resolution_clock_s)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", convs)
    return [c[0] for c in convs]
