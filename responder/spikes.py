"""Spike alerts: each spike in a brand's hourly volume, sent once to the webhooks that list ``spike``.

The scheduler runs :func:`record_spikes` hourly. It finds spikes with the trends page's own detector
over the same seven days of hourly volume (``careline.trending.spikes_for``), so an alert and the
page never disagree, and keeps the ones in the last :data:`RECENT_HOURS` hours (a service that was
down catches up on a missed run, but never sends last week's news). ``spike_alerts`` is unique per
(brand, hour): the insert and the webhook rows are one transaction on the single writer, so a
restart, an overlapping run or a second process finds the row there and sends nothing. Delivery is
the SLA alerts' (``responder.alerts.deliver_webhooks``): Standard Webhooks signatures, retries with
back-off, at least once with a stable ``webhook-id``.

The payload carries absolute links under ``responder.public_url`` (as survey links do): the trends
page opened on the posts of that hour, and the same posts as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlencode

from sqlite_utils import Database

from careline.domain import to_iso
from careline.settings import Settings, WebhookSettings
from careline.store.trending import day_zone
from careline.trending import HOUR_FORMAT, Spike, hour_label, spikes_for

#: Spikes in hours older than this are not alerted (the job runs hourly; three hours covers a missed run).
RECENT_HOURS = 3
EVENT = "spike"


@dataclass(frozen=True, slots=True)
class SpikeAlert:
    id: int
    brand: str
    spike: Spike


def spike_links(base: str, brand: str, hour: str) -> dict[str, str]:
    """The page link (the drill-down opens on load from the fragment) and the JSON link for one hour."""
    base = base.rstrip("/")
    page = f"{base}/trends?{urlencode({'brand': brand, 'days': 7})}#{urlencode({'hour': hour})}"
    api = f"{base}/api/trends/posts?{urlencode({'brand': brand, 'hour': hour, 'days': 8})}"
    return {"posts_url": page, "posts_api_url": api}


def alert_payload(alert: SpikeAlert, base: str, now: datetime, zone: tzinfo = UTC) -> dict[str, object]:
    """The JSON body receivers get; ``event`` is also sent as ``X-Careline-Event``. ``hour`` is the UTC hour the
    links ask for; the ``summary`` people read names it in ``zone``, the team's (the trends page's clock)."""
    s = alert.spike
    name = str(getattr(zone, "key", zone))
    clock = "UTC" if name in ("UTC", "Etc/UTC") else f"({name})"
    return {"event": "trends.spike", "spike_alert_id": alert.id, "brand": alert.brand, "hour": s.at,
            "hour_start": to_iso(datetime.strptime(s.at, HOUR_FORMAT).replace(tzinfo=now.tzinfo)),
            "count": s.count, "usual": s.mean, "threshold": s.threshold, "at": to_iso(now),
            "summary": f"{s.count} mentions of {alert.brand} in the hour from {hour_label(s.at, zone)[11:]} {clock}, "
                       f"where about {s.mean:.0f} are usual",
            **spike_links(base, alert.brand, s.at)}


def recent(spikes: list[Spike], now: datetime) -> list[Spike]:
    oldest = (now - timedelta(hours=RECENT_HOURS)).strftime(HOUR_FORMAT)
    return [s for s in spikes if s.at >= oldest]


def _hooks(settings: Settings) -> list[WebhookSettings]:
    return [h for h in settings.responder.webhooks if h.url and EVENT in h.events]


def record_spikes(db: Database, settings: Settings, now: datetime, *, base_url: str) -> list[SpikeAlert]:
    """Find each brand's recent spikes and record the new ones with their webhook rows, in the caller's
    write transaction; returns the alerts recorded now (none when another run recorded them first).
    Links are under ``responder.public_url``, else ``base_url`` (the service's own address)."""
    base = settings.responder.public_url or base_url
    zone, out = day_zone(db), []
    for brand in settings.brands:
        for spike in recent(spikes_for(db, now, brand.name), now):
            cur = db.conn.execute(
                "INSERT INTO spike_alerts (brand, hour, count, mean, threshold, at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (brand, hour) DO NOTHING",
                (brand.name, spike.at, spike.count, spike.mean, spike.threshold, to_iso(now)))
            if cur.rowcount != 1:
                continue
            alert = SpikeAlert(int(cur.lastrowid or 0), brand.name, spike)
            body = json.dumps(alert_payload(alert, base, now, zone), sort_keys=True)
            db.conn.executemany("INSERT INTO webhook_deliveries (url, payload, next_attempt_at) VALUES (?, ?, ?)",
                                [(h.url, body, to_iso(now)) for h in _hooks(settings)])
            out.append(alert)
    return out
