"""Responder commands: ``careline sla due``, ``careline sla backfill`` and ``careline tone-check``.

``careline.app.cli`` adds everything in :data:`COMMANDS` to the top-level group. Both commands are thin
shells over the pure functions in ``responder.sla`` and ``responder.tone``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from careline.app.commands import settings_of
from careline.domain import ensure_utc
from careline.languages import looks_like_code
from careline.settings import Settings
from responder.sla import SLAPolicy, due_times, policies_from_settings
from responder.tone import check_tone


def _parse_at(value: str, zone: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            local = parsed.replace(tzinfo=ZoneInfo(zone))
            if ensure_utc(local).astimezone(local.tzinfo).replace(tzinfo=None) != parsed:  # skipped when clocks go on
                raise click.BadParameter(f"{value!r} does not exist in {zone} (the clocks went forward then); give "
                                         "the time with its offset, e.g. +01:00", param_hint="'--at'")
            parsed = local
        return ensure_utc(parsed)
    except ValueError as exc:  # "day is out of range for month": 2026-02-30 has the shape but is no date
        why = f" ({exc})" if "out of range" in str(exc) or "must be in" in str(exc) else ""
        raise click.BadParameter(f"expected an ISO 8601 time, got {value!r}{why}", param_hint="'--at'") from exc
    except OverflowError as exc:  # 0001-01-01 with an offset has no UTC time
        raise click.BadParameter(f"{value!r} is out of range ({exc})", param_hint="'--at'") from exc


def _find_policy(settings: Settings, name: str) -> SLAPolicy:
    policies = policies_from_settings(settings.sla)
    for policy in policies:
        if policy.name == name:
            return policy
    known = ", ".join(p.name for p in policies) or "none configured"
    raise click.BadParameter(f"no policy named {name!r} (known: {known})", param_hint="'--policy'")


@click.group("sla")
def sla() -> None:
    """SLA policies from the settings ([[sla.policies]] and [[sla.calendars]])."""


@sla.command("due")
@click.option("--policy", "policy_name", required=True, help="Name of a policy in [[sla.policies]].")
@click.option("--at", "at", required=True,
              help="When the customer's message arrived, ISO 8601 (e.g. 2026-03-13T16:45). A time without "
                   "an offset is read in the policy calendar's time zone.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.pass_context
def sla_due(ctx: click.Context, policy_name: str, at: str, as_json: bool) -> None:
    """Print the first-response, next-response and resolution due times for a message at --at.

    Times are counted in the policy's business-hours calendar (or around the clock when it has
    none) and printed in that calendar's time zone, with no pauses.
    """
    policy = _find_policy(settings_of(ctx), policy_name)
    zone = ZoneInfo(policy.calendar.timezone)
    start = _parse_at(at, policy.calendar.timezone)
    try:
        due = due_times(policy, start)
    except (ValueError, OverflowError) as exc:  # the calendar runs out of dates near year 1 or 9999
        raise click.BadParameter(f"{at!r} is too far from today to count business hours from ({exc})",
                                 param_hint="'--at'") from None
    rows = {
        "first_response": (policy.first_response_minutes, due.first_response.astimezone(zone)),
        "next_response": (policy.next_response_minutes, due.next_response.astimezone(zone)),
        "resolution": (policy.resolution_minutes, due.resolution.astimezone(zone)),
    }
    if as_json:
        out = {"policy": policy.name, "calendar": policy.calendar.name or None, "timezone": zone.key,
               "at": start.astimezone(zone).isoformat(),
               **{k: {"minutes": m, "due": d.isoformat()} for k, (m, d) in rows.items()}}
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"policy {policy.name}, calendar {policy.calendar.name or 'calendar hours (24/7)'} ({zone.key})")
    click.echo(f"message at      {start.astimezone(zone):%a %Y-%m-%d %H:%M %Z}")
    for key, (minutes, when) in rows.items():
        click.echo(f"{key:<15} {when:%a %Y-%m-%d %H:%M %Z}  ({minutes} min)")


@sla.command("backfill")
@click.option("--batch", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Conversations per write transaction (1-10000).")
@click.pass_context
def sla_backfill(ctx: click.Context, batch: int) -> None:
    """Fill the SLA clock durations (business hours, pauses left out) of conversations decided
    before they were recorded.

    The lead's page and CSV show first-response and resolution times in SLA clock time only for
    conversations whose first reply or resolve happened after migration m006; older ones show
    wall-clock time alone and are left out of the clock medians. This evaluates each one's stored
    SLA snapshot once and writes the two columns. Safe to rerun and to run beside the service:
    each batch is one short write transaction.
    """
    from functools import partial

    from tqdm import tqdm

    from careline.app.service import open_store
    from careline.domain import utcnow
    from responder.history import backfill_clock, missing_clock_ids

    store = open_store(settings_of(ctx), must_exist=True)  # nothing to backfill in a new file
    filled = {"first_response_clock_s": 0, "resolution_clock_s": 0}
    try:
        total = len(store.read_sync(partial(missing_clock_ids, limit=-1)))
        with tqdm(total=total, unit="conv", desc="backfill", disable=total == 0, file=sys.stderr) as bar:
            ids = store.read_sync(partial(missing_clock_ids, after_id=0, limit=batch))
            while ids:
                done = store.write_sync(partial(backfill_clock, ids=ids, now=utcnow()))
                filled = {k: filled[k] + done[k] for k in filled}
                bar.update(len(ids))
                ids = store.read_sync(partial(missing_clock_ids, after_id=ids[-1], limit=batch))
    finally:
        store.close_sync()
    first, resolution = filled["first_response_clock_s"], filled["resolution_clock_s"]
    rest = " (the others are not answered or resolved yet: they have no duration to fill)" if total else ""
    click.echo(f"{total} conversation(s) lacked a duration; filled {first} first-response and {resolution} "
               f"resolution duration(s)" + (rest if total else " (nothing to do)"))


@click.command("tone-check")
@click.argument("text")
@click.option("--language", default="en", show_default=True, metavar="CODE",
              help="The conversation's language (de, fr, ...): what the report says it covers. Every language's "
                   "phrase rules run, as in the reply box, this one's first.")
def tone_check(text: str, language: str) -> None:
    """Check a reply draft's tone; TEXT of "-" reads standard input.

    Prints the findings as JSON: category (defensive, blaming, dismissive, policy_hiding,
    vague_promise), the span and a suggested rewrite. Exits 1 when a finding is defensive (any
    finding except vague_promise), 0 otherwise.

    "checked": false with a "note" means the rules of that language miss half or more of the
    defensive replies written blind (no language reaches the bar today, English included): exit 0
    is "none of the phrasings we know", not a clean bill, so read the reply yourself.
    """
    code = language.strip().lower() or "en"
    if not looks_like_code(code):  # the API's rule: "x!" was taken, as if it were a language
        raise click.BadParameter(f"expected a language code of 2-3 letters (de, fr, pt), got {language!r}",
                                 param_hint="'--language'")
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():  # "no findings" of nothing read as a clean bill (classify refuses an empty text too)
        raise click.BadParameter("the draft is empty: give the reply's text, or - to read it from standard input",
                                 param_hint="TEXT")
    report = check_tone(text, code, every_language=True)
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    if report.defensive:
        # Not ctx.exit(1): careline.app.cli.main runs click with standalone_mode=False, which turns
        # click's Exit into a return value that it drops. SystemExit passes through both.
        sys.exit(1)


COMMANDS: list[click.Command] = [sla, tone_check]
