"""One typed, validated settings object, read from TOML and overridable from the environment.

Every key has a default and a help text (``careline config`` prints them), so the example file and
the code cannot drift apart silently: a test renders the documentation from these dataclasses and
compares it with ``config/careline.example.toml``. Secrets (API tokens) are never read from the file,
only from ``CARELINE_*`` environment variables, so a config file can be committed or pasted safely.

Environment overrides use ``CARELINE_<SECTION>__<KEY>`` (double underscore between levels), for
example ``CARELINE_SERVICE__PORT=9000`` or ``CARELINE_SOURCES__X__INTERVAL_SECONDS=30``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import math
import os
import re
import tomllib
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from careline.domain import CONTROL, INTENTS, PRIORITY_BANDS, Platform
from careline.errors import FILE, ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")
ENV_PREFIX = "CARELINE_"


def opt(default: Any, help: str, **kw: Any) -> Any:
    """A settings field with its help text; lists and dicts get fresh copies per instance."""
    if isinstance(default, list | dict):
        factory: Callable[[], Any] = functools.partial(copy.deepcopy, default)
        return field(default_factory=factory, metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


@dataclass(frozen=True)
class ServiceSettings:
    database: str = opt("data/careline.db", "SQLite file; relative paths are relative to the working dir.")
    host: str = opt("127.0.0.1", "Address the web app binds to. Keep 127.0.0.1 unless behind a proxy.")
    port: int = opt(8080, "Port of the web app and JSON API.", min=0, max=65535)
    log_level: str = opt("INFO", "Logging level.", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    timezone: str = opt("UTC", "The team's time zone: dates shown in the UI and the days that reports and trends "
                               "count by (source budgets count UTC days).")


@dataclass(frozen=True)
class BrandSettings:
    name: str = opt("", "Short id of the brand, used in URLs and the database.", max_length=40)
    display_name: str = opt("", "Name shown to people and used in reply templates.", max_length=80)
    keywords: list[str] = opt([], "Words and phrases to listen for (quoted phrases allowed).")
    handles: list[str] = opt([], "The brand's own X handles: their posts are never tickets.")
    x_user_id: str = opt("", "Numeric X id of the brand account, for its mentions timeline.")
    exclude: list[str] = opt([], "Words that rule a post out (e.g. 'hiring').")
    languages: list[str] = opt([], "Languages to keep (ISO 639-1); empty keeps every language (the classifier "
                                   "reads de, fr, es, pt, it, nl, zh and more beside English).")
    subreddits: list[str] = opt([], "Subreddits to search (keyword search restricted to them).")
    own_subreddits: list[str] = opt([], "The brand's own subreddits: every new post/comment is a mention.")
    reddit_username: str = opt("", "The brand's Reddit account: its posts are never tickets.")
    competitors: list[str] = opt([], "Competitor brand names, for share of voice.")
    intents: dict[str, list[str]] = opt({}, "Extra intents: name -> a few example phrases (nearest prototype).")
    greeting: str = opt("Hi", "How replies open (reply templates' {{ greeting }}).", max_length=60)
    sign_off: str = opt("", "Appended to replies, e.g. ' ^JS' or ' - The Acme team'.", max_length=60)
    promise: str = opt("within 2 hours", "When replies promise a follow-up: keep it concrete.", max_length=100)
    bluesky_handle: str = opt("", "The brand's Bluesky account (e.g. 'acme.bsky.social'): its posts are never "
                              "tickets; enables its mention and reply notifications and replying.")
    mastodon_account: str = opt("", "The brand's Mastodon account as username@instance (e.g. 'acme@mastodon.social'): "
                                "its posts are never tickets; enables its mention notifications and replying.")
    mastodon_instance: str = opt("", "Base URL of the brand account's Mastodon server; empty: "
                                 "https://<the instance in mastodon_account>.")
    kind: str = opt("own", "own: our brand, its mentions become conversations; competitor: polled, trended "
                    "and counted in share of voice, never queued for a reply.", choices=["own", "competitor"])
    survey_in_reply: bool = opt(False, "'Send and resolve' adds the survey link (responder.survey) to the closing "
                                "reply, where it fits the platform's length limit.")


@dataclass(frozen=True)
class XSourceSettings:
    enabled: bool = opt(True, "Poll X (Twitter) through tweepy's AsyncClient.")
    api_base_url: str = opt("https://api.twitter.com", "X API base URL (a proxy, or the simulator).")
    interval_seconds: int = opt(60, "Seconds between polls of each brand.", min=1, max=86_400)
    jitter_seconds: int = opt(5, "Random delay added to each poll, so brands do not poll in lock-step.", min=0,
                                max=3600)
    max_pages: int = opt(10, "Most pages fetched in one poll (100 posts each).", min=1, max=100)
    daily_budget_usd: float = opt(10.0, "Keyword search stops for the UTC day at this estimated spend.", min=0,
                                   max=100_000)
    cost_per_post_usd: float = opt(0.005, "X's price per post read (pay per use).", min=0, max=10)
    mentions_cost_per_post_usd: float = opt(
        0.005, "Price per post of the mentions timeline. X bills GET /2/users/{id}/mentions as an Owned Read "
        "($0.001) when {id} is the app owner's own account: set 0.001 when each brand polls with its own app.",
        min=0, max=10)
    bearer_token: str = opt("", "App bearer token: set CARELINE_X_BEARER_TOKEN.", secret=True)


@dataclass(frozen=True)
class RedditSourceSettings:
    enabled: bool = opt(False, "Poll Reddit through asyncpraw.")
    oauth_url: str = opt("https://oauth.reddit.com", "Reddit API base URL (a proxy, or the simulator).")
    reddit_url: str = opt("https://www.reddit.com", "Reddit auth base URL (token endpoint).")
    interval_seconds: int = opt(120, "Seconds between polls of each brand.", min=1, max=86_400)
    jitter_seconds: int = opt(10, "Random delay added to each poll.", min=0, max=3600)
    user_agent: str = opt("careline/0.1 (social care)", "User agent sent to Reddit (they require one).")
    client_id: str = opt("", "Set CARELINE_REDDIT_CLIENT_ID.", secret=True)
    client_secret: str = opt("", "Set CARELINE_REDDIT_CLIENT_SECRET.", secret=True)
    username: str = opt("", "Set CARELINE_REDDIT_USERNAME (script app login).", secret=True)
    password: str = opt("", "Set CARELINE_REDDIT_PASSWORD.", secret=True)


@dataclass(frozen=True)
class BlueskySourceSettings:
    enabled: bool = opt(False, "Poll Bluesky through the atproto SDK (keyword search and the brand's notifications).")
    service_url: str = opt("https://bsky.social", "The accounts' PDS / entryway (a proxy, or the simulator).")
    interval_seconds: int = opt(60, "Seconds between polls of each brand.", min=1, max=86_400)
    jitter_seconds: int = opt(5, "Random delay added to each poll.", min=0, max=3600)
    max_pages: int = opt(10, "Most pages fetched in one poll (100 posts each).", min=1, max=100)
    app_password: str = opt("", "App password of the brand accounts: set CARELINE_BLUESKY_APP_PASSWORD_<BRAND> "
                            "(or CARELINE_BLUESKY_APP_PASSWORD for all).", secret=True)


@dataclass(frozen=True)
class MastodonSourceSettings:
    enabled: bool = opt(False, "Poll Mastodon through Mastodon.py (the brand's mentions and hashtag timelines).")
    interval_seconds: int = opt(60, "Seconds between polls of each brand.", min=1, max=86_400)
    jitter_seconds: int = opt(5, "Random delay added to each poll.", min=0, max=3600)
    max_pages: int = opt(10, "Most pages fetched in one poll (40 statuses or 80 notifications each).",
                         min=1, max=100)
    hashtags: bool = opt(True, "Also read the hashtag timelines of the brand's '#' keywords (what that server "
                         "has seen of the tag; keyword search does not reach other people's posts on Mastodon).")
    max_characters: int = opt(500, "Reply length limit when the server's instance info does not give one.",
                               min=1, max=100_000)
    access_token: str = opt("", "Access token of the brand accounts: set CARELINE_MASTODON_TOKEN_<BRAND> "
                            "(or CARELINE_MASTODON_TOKEN for all).", secret=True)


@dataclass(frozen=True)
class SourcesSettings:
    x: XSourceSettings = field(default_factory=XSourceSettings, metadata={"help": "X / Twitter."})
    reddit: RedditSourceSettings = field(default_factory=RedditSourceSettings, metadata={"help": "Reddit."})
    bluesky: BlueskySourceSettings = field(default_factory=BlueskySourceSettings, metadata={"help": "Bluesky."})
    mastodon: MastodonSourceSettings = field(default_factory=MastodonSourceSettings, metadata={"help": "Mastodon."})


@dataclass(frozen=True)
class SimulatorSettings:
    enabled: bool = opt(False, "Serve the built-in platform simulator on 127.0.0.1 and point sources at it.")
    scenario: str = opt("data/demo/scenario.json", "Scenario file the simulator publishes from.")
    port: int = opt(0, "Simulator port; 0 picks a free one.", min=0, max=65535)


@dataclass(frozen=True)
class ClassifierSettings:
    kind: str = opt("minilm", "'minilm' (the trained model) or 'vader' (lexicon fallback, explicit only).",
                    choices=["minilm", "vader"])
    model_dir: str = opt("data/models/careline-tagger", "Directory of our trained heads/adapters (a relative path "
                                                        "is read from the Careline folder, as the shipped one is).")
    batch_size: int = opt(32, "Mentions per forward pass.", min=1, max=512)
    threads: int = opt(2, "Torch intra-op threads.", min=1, max=64)
    precision: str = opt("auto", "'auto' (int8 in ONNX Runtime, the fastest, built once per adapter; else bf16 "
                         "where the CPU has native bf16, else fp32), 'fp32', 'bf16' or 'int8'. int8 moves ~3 % "
                         "of labels; on every labelled set its scores stay within noise of bf16 (model card).",
                         choices=["auto", "fp32", "bf16", "int8"])


@dataclass(frozen=True)
class CalendarSettings:
    name: str = opt("", "Calendar id, referred to by SLA policies.")
    timezone: str = opt("UTC", "IANA time zone of the team.")
    hours: dict[str, str] = opt({}, "Opening hours per weekday, e.g. mon = '09:00-17:00'; empty = 24/7.")
    holidays: list[str] = opt([], "Closed dates, YYYY-MM-DD.")


#: The longest SLA target, a year: beyond it due times overflow the calendar (10**30 minutes did).
MAX_TARGET_MINUTES = 366 * 24 * 60


@dataclass(frozen=True)
class SLAPolicySettings:
    name: str = opt("", "Policy id.")
    priorities: list[str] = opt([], "Priorities it applies to (urgent, high, normal, low); empty = all.")
    platforms: list[str] = opt([], "Platforms it applies to; empty = all.")
    brands: list[str] = opt([], "Brands it applies to; empty = all.")
    first_response_minutes: int = opt(60, "Target for the first reply.", min=1, max=MAX_TARGET_MINUTES)
    next_response_minutes: int = opt(120, "Target for each reply after a customer message.", min=1,
                                     max=MAX_TARGET_MINUTES)
    resolution_minutes: int = opt(1440, "Target for resolution.", min=1, max=MAX_TARGET_MINUTES)
    calendar: str = opt("", "Business-hours calendar name; empty = calendar hours (24/7).")


@dataclass(frozen=True)
class SLASettings:
    calendars: list[CalendarSettings] = opt([], "Business-hours calendars.")
    policies: list[SLAPolicySettings] = opt([], "Policies in order; the first that matches wins, a catch-all (no "
                                                "priorities, platforms or brands) only after every other.")


@dataclass(frozen=True)
class WebhookSettings:
    url: str = opt("", "Where SLA warnings, breaches and escalations are POSTed (JSON).")
    events: list[str] = opt(["warning", "breach", "escalation", "spike"],
                            "Which events to send: SLA warning, breach, escalation; spike (a brand's hourly volume "
                            "spike, trends.spike_alerts).")
    min_level: int = opt(0, "Only escalations at or above this level (0-3).", min=0, max=3)
    secret_env: str = opt("CARELINE_WEBHOOK_SECRET",
                          "Environment variable holding the Standard Webhooks signing secret (whsec_<base64>, "
                          "or any text, used as its UTF-8 bytes).")


@dataclass(frozen=True)
class ResponderSettings:
    approval_priorities: list[str] = opt([], "Replies to conversations of these priorities need a lead's approval.")
    approval_agents: list[str] = opt([], "Agents whose replies always need a lead's approval.")
    round_robin: bool = opt(True, "Assign new conversations to available agents in turn.")
    reassign_after_minutes: int = opt(30, "An assignee silent this long loses the conversation; 0 = never.",
                                      min=0, max=43_200)
    warn_before_minutes: int = opt(15, "Pre-breach warning this many minutes before an SLA target is due.",
                                   min=0, max=10_080)
    escalation_minutes: list[int] = opt([0, 60, 240],
                                        "Minutes after a breach for escalation levels 1-3 (up to three).")
    survey: str = opt("nps", "After resolution, offer a one-question survey: nps, csat, ces or none.",
                      choices=["nps", "csat", "ces", "none"])
    public_url: str = opt("", "Public base URL of this app for survey links sent to customers, e.g. "
                          "https://care.example.com (default: http://<service.host>:<service.port>).")
    templates_dir: str = opt("config/templates", "Per-brand reply templates: <dir>/<brand>/<intent>.j2.")
    webhooks: list[WebhookSettings] = opt([], "SLA alert receivers.")
    webhook_allow: list[str] = opt([], "Hosts, IPs or CIDR ranges webhooks may reach although private, loopback "
                                       "or link-local (an internal receiver); everything else such is refused.")
    templates: dict[str, str] = opt({}, "Reply templates kept in the settings (set in the browser or here): "
                                    "'<brand>/<intent>' or '<brand>/<language>/<intent>' -> Jinja text; each "
                                    "overrides the file of the same name in templates_dir.")


@dataclass(frozen=True)
class RetentionSettings:
    raw_payload_days: int = opt(90, "Days the platforms' raw JSON of each post is kept (text and scores stay); "
                                    "0 = for ever.", min=0, max=36_500)
    closed_conversation_days: int = opt(730, "Days a resolved or dismissed conversation is kept after its last "
                                             "change, with its posts, replies and notes; 0 = for ever.", min=0,
                                        max=36_500)
    audit_event_days: int = opt(730, "Days audit events are kept (a kept conversation keeps its own); 0 = for ever.",
                                min=0, max=36_500)
    batch_size: int = opt(500, "Rows purged per short write transaction by the daily retention job.", min=1,
                          max=10_000)
    run_at_hour: int = opt(3, "UTC hour at which the daily purge runs.", min=0, max=23)


@dataclass(frozen=True)
class TrendsSettings:
    topics: bool = opt(True, "Group complaints into topics by meaning (sentence embeddings) as they are classified.")
    topic_encoder: str = opt("minilm", "Encoder for topics: minilm (English, groups best) or use (multilingual, "
                             "puts translations together). Changing it starts new topics.", choices=["minilm", "use"])
    topic_join: float = opt(0.35, "A complaint joins the topic whose posts it is most alike on average when that "
                            "average cosine is at least this; lower gives fewer, broader topics.", min=0.05, max=0.95)
    topic_interval_seconds: int = opt(60, "How often the topic job places new complaints.", min=5,
                                        max=86_400)
    topic_backfill_days: int = opt(30, "Complaints older than this when the topic job first sees them are left "
                                   "out (the first run after an upgrade does not embed years of posts).", min=1,
                                   max=3650)
    spike_alerts: bool = opt(True, "Check each brand's hourly volume for spikes every hour and send each spike once "
                             "to the webhooks that list the event 'spike'.")


@dataclass(frozen=True)
class AccountsSettings:
    session_hours: int = opt(12, "A login session ends this many hours after it started, active or not.", min=1,
                             max=24 * 30)
    idle_minutes: int = opt(30, "A session unused this long ends (idle timeout).", min=1, max=24 * 60)
    min_password_length: int = opt(12, "Shortest password accepted; never below 12.", min=12, max=128)
    account_attempts: str = opt("5/minute;20/hour;100/day",
                                "Login attempts allowed per username (limits syntax); past any, 429 + Retry-After.")
    address_attempts: str = opt("20/minute;200/hour;1000/day",
                                "Login attempts allowed per client address (limits syntax).")
    totp_roles: list[str] = opt([], "Roles that must use two-factor (TOTP) codes, e.g. ['admin', 'lead'].")
    hash_threads: int = opt(1, "Threads that check password hashes (scrypt); a login flood uses only these.",
                            min=1, max=8)
    token_days: int = opt(90, "Default lifetime of a new API token in days; 0 = no expiry.", min=0, max=3650)
    leads_manage_team: bool = opt(False, "Leads may add agents to their own team and disable, log out or reset "
                                  "the password of its agents (at /admin).")


@dataclass(frozen=True)
class Settings:
    service: ServiceSettings = field(default_factory=ServiceSettings, metadata={"help": "The service."})
    brands: list[BrandSettings] = opt([], "Brands to listen for.")
    sources: SourcesSettings = field(default_factory=SourcesSettings, metadata={"help": "Platforms."})
    simulator: SimulatorSettings = field(default_factory=SimulatorSettings, metadata={"help": "Simulator."})
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings, metadata={"help": "Model."})
    sla: SLASettings = field(default_factory=SLASettings, metadata={"help": "SLA policies."})
    responder: ResponderSettings = field(default_factory=ResponderSettings,
                                         metadata={"help": "Queue, approvals, alerts, surveys."})
    accounts: AccountsSettings = field(default_factory=AccountsSettings,
                                       metadata={"help": "Logins, sessions, passwords, two-factor, API tokens."})
    retention: RetentionSettings = field(default_factory=RetentionSettings,
                                         metadata={"help": "How long data is kept (daily purge)."})
    trends: TrendsSettings = field(default_factory=TrendsSettings,
                                   metadata={"help": "Marketing's trends: complaint topics and spike alerts."})

    def brand(self, name: str) -> BrandSettings:
        found = self.find_brand(name)
        if found is None:
            raise KeyError(name)
        return found

    def find_brand(self, name: str) -> BrandSettings | None:
        """The brand named ``name``, or None (a conversation may outlive a brand deleted in the browser)."""
        return next((b for b in self.brands if b.name == name), None)

    def brand_intents(self) -> dict[str, list[str]]:
        """Every brand's own intents with their example phrases: what the classifier reads posts with, in the
        service and on the command line alike."""
        return {name: list(phrases) for b in self.brands for name, phrases in b.intents.items()}


def brand_env(prefix: str, brand: str) -> str:
    """The per-brand variant of a secret's variable: ``CARELINE_X_REPLY_TOKEN`` -> ``..._SKYLARK``."""
    return f"{prefix}_{brand.upper().replace('-', '_')}"


# -- loading -----------------------------------------------------------------------------------
SECRET_ENV = {
    "sources.x.bearer_token": "CARELINE_X_BEARER_TOKEN",
    "sources.reddit.client_id": "CARELINE_REDDIT_CLIENT_ID",
    "sources.reddit.client_secret": "CARELINE_REDDIT_CLIENT_SECRET",
    "sources.reddit.username": "CARELINE_REDDIT_USERNAME",
    "sources.reddit.password": "CARELINE_REDDIT_PASSWORD",
    "sources.bluesky.app_password": "CARELINE_BLUESKY_APP_PASSWORD",
    "sources.mastodon.access_token": "CARELINE_MASTODON_TOKEN",
}


def _coerce_scalar(key: str, tp: Any, value: Any) -> Any:
    if tp is bool:  # as lenient as a number is: "8080" is a port, so 1 and "1" are true (2 is refused)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(key, f"expected true or false, got {value!r}")
    if tp is int:
        if isinstance(value, bool):
            raise ConfigError(key, f"expected an integer, got {value!r}")
        try:
            return int(value) if not isinstance(value, float) or value.is_integer() else _bad(key, value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"expected an integer, got {value!r}") from None
    if tp is float:
        if isinstance(value, bool):
            raise ConfigError(key, f"expected a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"expected a number, got {value!r}") from None
        if not math.isfinite(number):  # nan passed every range check, and a budget of nan never ran out
            raise ConfigError(key, f"expected a finite number, got {value!r}")
        return number
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"expected a string, got {value!r}")
        return value
    raise ConfigError(key, f"unsupported type {tp!r}")


def _bad(key: str, value: Any) -> Any:
    raise ConfigError(key, f"expected an integer, got {value!r}")


def _build(cls: type[T], data: Any, prefix: str) -> T:
    if not isinstance(data, Mapping):
        raise ConfigError(prefix or "<root>", f"expected a table, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ConfigError(f"{prefix}.{unknown[0]}".lstrip("."), f"unknown key (known: {', '.join(names)})")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}.{name}".lstrip(".")
        meta = names[name].metadata
        if meta.get("secret") and value not in ("", None):
            raise ConfigError(key, f"a secret is not a setting, in the file or as CARELINE_<SECTION>__<KEY>: give it "
                                   f"as ${SECRET_ENV.get(key, 'its own variable')} in the environment")
        kwargs[name] = _check(key, _convert(key, hints[name], value), meta)
    return cls(**kwargs)


def _convert(key: str, tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key)  # type: ignore[arg-type]
    if origin is list:
        (item,) = typing.get_args(tp)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, Mapping) and dataclasses.is_dataclass(item):  # [brands] where [[brands]] was meant
            raise ConfigError(key, f"expected a list of tables: write [[{key}]] (double brackets) for each one")
        if not isinstance(value, list):
            raise ConfigError(key, f"expected a list, got {value!r}"[:300])
        return [_convert(f"{key}[{i}]", item, v) for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(tp)
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"expected a table, got {value!r}")
        return {str(k): _convert(f"{key}.{k}", item, v) for k, v in value.items()}
    if isinstance(tp, types.UnionType):
        raise ConfigError(key, "unsupported union type")
    return _coerce_scalar(key, tp, value)


def _check(key: str, value: Any, meta: Mapping[str, Any]) -> Any:
    if "max_length" in meta and len(value) > meta["max_length"]:  # a 5,000-character promise went into every reply
        raise ConfigError(key, f"at most {meta['max_length']} characters, got {len(value)}")
    if "choices" in meta and value not in meta["choices"]:
        raise ConfigError(key, f"must be one of {', '.join(meta['choices'])}, got {value!r}")
    if "min" in meta and value < meta["min"]:
        raise ConfigError(key, f"must be at least {meta['min']}, got {value!r}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(key, f"must be at most {meta['max']}, got {value!r}")
    return value


def _env_overrides(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    merged = _deep_copy(data)
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = name[len(ENV_PREFIX):].lower().split("__")
        node = merged
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(".".join(path), f"cannot override a non-table from {name}")
        node[path[-1]] = value
    for key, env in SECRET_ENV.items():
        if environ.get(env):
            *parents, leaf = key.split(".")
            node = merged
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = ("__env__", environ[env])
    return merged


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def _inject_secrets(settings: Settings, data: dict[str, Any]) -> Settings:
    """Secrets arrive tagged from the environment; strip the tag after validation of the rest."""

    def walk(obj: Any, node: Any, prefix: str) -> Any:
        if not dataclasses.is_dataclass(obj) or not isinstance(node, dict):
            return obj
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            sub = node.get(f.name)
            if isinstance(sub, tuple) and sub and sub[0] == "__env__":
                changes[f.name] = sub[1]
            elif isinstance(sub, dict):
                changes[f.name] = walk(getattr(obj, f.name), sub, f"{prefix}.{f.name}")
        return dataclasses.replace(obj, **changes) if changes else obj  # type: ignore[type-var]

    return walk(settings, data, "")  # type: ignore[no-any-return]


def _strip_secret_tags(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_secret_tags(v) for k, v in node.items() if not _is_tag(v)}
    return node


def _is_tag(v: Any) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and v[0] == "__env__"


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (or ``$CARELINE_CONFIG``, or built-in defaults), apply the environment, validate."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("CARELINE_CONFIG")
    data: dict[str, Any] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(FILE, f"config file {str(p)!r} does not exist")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(FILE, f"{p} is not valid TOML: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(FILE, f"{p} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
        except OSError as exc:
            raise ConfigError(FILE, f"{p} cannot be read: {exc.strerror}") from exc
    merged = _env_overrides(data, environ)
    settings = _build(Settings, _strip_secret_tags(merged), "")
    settings = _inject_secrets(settings, merged)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Cross-field checks that a single key's type cannot express."""
    names = [b.name for b in settings.brands]
    for i, b in enumerate(settings.brands):
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", b.name):
            raise ConfigError(f"brands[{i}].name", "use 1-40 lower-case letters, digits, '-' or '_'")
        if b.name in names[:i]:  # named where the second one is: that is the one to rename or remove
            raise ConfigError(f"brands[{i}].name", f"brand {b.name!r} is defined twice")
        if not (b.keywords or b.handles or b.x_user_id or b.subreddits or b.own_subreddits
                or b.bluesky_handle or b.mastodon_account):
            raise ConfigError(f"brands[{i}]", "a brand needs keywords, handles, subreddits or accounts to listen for")
        _check_brand_text(i, b)
        _check_brand_accounts(i, b)
        if b.mastodon_account and not re.fullmatch(r"@?[A-Za-z0-9_]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", b.mastodon_account):
            raise ConfigError(f"brands[{i}].mastodon_account",
                              "expected username@instance, e.g. 'acme@mastodon.social'")
    _check_zone("service.timezone", settings.service.timezone)
    _check_host(settings.service.host)
    _check_names("sla.calendars", [c.name for c in settings.sla.calendars], "calendar")
    _check_names("sla.policies", [p.name for p in settings.sla.policies], "policy")
    calendars = {c.name for c in settings.sla.calendars}
    for i, c in enumerate(settings.sla.calendars):
        _check_zone(f"sla.calendars[{i}].timezone", c.timezone)
        _check_holidays(i, c.holidays)
        for day, span in c.hours.items():
            if day not in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}:
                raise ConfigError(f"sla.calendars[{i}].hours.{day}", "weekday must be mon..sun")
            for part in span.split(","):  # several spans a day (a lunch break; a night shift's end and start)
                _check_span(f"sla.calendars[{i}].hours.{day}", part.strip(), span)
    for i, p in enumerate(settings.sla.policies):
        if p.resolution_minutes < p.first_response_minutes:
            raise ConfigError(f"sla.policies[{i}].resolution_minutes",
                              f"{p.resolution_minutes} is less than the first response target "
                              f"({p.first_response_minutes}): a conversation would be due resolved before it is "
                              "due an answer")
        if p.calendar and p.calendar not in calendars:
            raise ConfigError(f"sla.policies[{i}].calendar", f"no calendar named {p.calendar!r}")
        _check_words(f"sla.policies[{i}].priorities", p.priorities, PRIORITY_BANDS, "priority")
        _check_words(f"sla.policies[{i}].platforms", p.platforms, tuple(Platform), "platform")
        _check_words(f"sla.policies[{i}].brands", p.brands, tuple(names), "brand")
    _check_words("responder.approval_priorities", settings.responder.approval_priorities, PRIORITY_BANDS, "priority")
    esc = settings.responder.escalation_minutes
    if len(esc) > 3 or esc != sorted(esc) or any(not 0 <= m <= MAX_TARGET_MINUTES for m in esc):
        raise ConfigError("responder.escalation_minutes", "up to three ascending minute values from 0 to a year")
    for i, hook in enumerate(settings.responder.webhooks):
        if problem := _url_problem(hook.url):
            raise ConfigError(f"responder.webhooks[{i}].url", f"expected an http(s) URL, got {hook.url!r}: {problem}")
        _check_words(f"responder.webhooks[{i}].events", hook.events, WEBHOOK_EVENTS, "event")
    _check_survey_links(settings)
    _check_accounts(settings.accounts)
    _check_templates(settings)


#: What a webhook may ask for: the SLA sweep's warning, breach and escalation (``responder.alerts``), and a
#: brand's volume spike (``responder.spikes``).
WEBHOOK_EVENTS = ("warning", "breach", "escalation", "spike")


def _check_words(key: str, given: list[str], known: tuple[str, ...], what: str) -> None:
    """Each entry of a list that selects by name must name something: a policy for ``priorities = ["critical"]``
    or ``brands = ["acme-typo"]`` passed the check and then matched nothing, silently."""
    for j, word in enumerate(given):
        if word not in known:
            raise ConfigError(f"{key}[{j}]", f"no {what} {word!r}; expected one of {', '.join(known) or 'none yet'}")


def _check_names(section: str, names: list[str], what: str) -> None:
    """Calendars and policies are named by policies and reports: a blank name, or one used twice (the last
    calendar of a name silently won), is refused where the second one is; so is one that differs from another
    only in case ("Standard" beside "standard": two rows a reader cannot tell apart, as user names may not be),
    and one with spaces at its ends or control characters (a name nobody could type back into a filter)."""
    seen = [n.strip().casefold() for n in names]
    for i, name in enumerate(names):
        if not name.strip():
            raise ConfigError(f"{section}[{i}].name", f"a {what} needs a name")
        if name != name.strip() or len(name) > 60 or any(unicodedata.category(ch)[0] == "C" for ch in name):
            raise ConfigError(f"{section}[{i}].name", "use 1-60 characters: no spaces at the ends, no control "
                                                       "characters")
        if seen[i] in seen[:i]:
            first = names[seen.index(seen[i])]
            raise ConfigError(f"{section}[{i}].name", f"{what} {name!r} is defined twice" if first == name else
                              f"{what} {name!r} differs from {first!r} only in case: use one name")


def _check_host(host: str) -> None:
    """The address the web app binds to: an IP address or a host name. "not a host" passed the check, and
    ``careline run`` then failed to bind (exit 1) instead of naming the key."""
    from ipaddress import ip_address

    try:
        ip_address(host)
        return
    except ValueError:
        pass
    if not (0 < len(host) <= 253 and all(_LABEL.fullmatch(part) for part in host.rstrip(".").split("."))):
        raise ConfigError("service.host", f"expected an IP address or a host name, got {host!r}")


def _check_holidays(i: int, holidays: list[str]) -> None:
    """Closed dates are YYYY-MM-DD: "christmas" passed the check and stopped ``careline run`` with a traceback."""
    from datetime import date

    for j, day in enumerate(holidays):
        try:
            if len(day) != 10:
                raise ValueError(day)
            date.fromisoformat(day)
        except ValueError:
            raise ConfigError(f"sla.calendars[{i}].holidays[{j}]",
                              f"expected a date as YYYY-MM-DD, got {day!r}") from None


def _check_brand_accounts(i: int, b: BrandSettings) -> None:
    """Values a platform reads as they are: a language code the identifier answers (``"english"`` kept no post
    at all), X's numeric account id, the Mastodon server's address."""
    from careline.languages import NAMES, UNDETERMINED, language_code

    for j, code in enumerate(b.languages):
        if code not in NAMES or code == UNDETERMINED:
            meant = language_code(code)
            hint = f"; write {meant!r}" if meant in NAMES and meant != code else ""
            raise ConfigError(f"brands[{i}].languages[{j}]", f"{code!r} is not a language code the identifier "
                                                              f"answers (ISO 639-1, e.g. 'en', 'de'){hint}")
    if b.x_user_id and not (b.x_user_id.isascii() and b.x_user_id.isdigit()):
        raise ConfigError(f"brands[{i}].x_user_id", f"expected X's numeric account id, got {b.x_user_id!r}")
    if b.mastodon_instance and (problem := _url_problem(b.mastodon_instance)):
        raise ConfigError(f"brands[{i}].mastodon_instance", f"expected the server's https URL, got "
                                                             f"{b.mastodon_instance!r}: {problem}")


_WORD_LISTS = ("keywords", "exclude", "handles", "subreddits", "own_subreddits", "competitors", "languages")
_REPLY_TEXTS = ("display_name", "greeting", "sign_off", "promise")


def _check_brand_text(i: int, b: BrandSettings) -> None:
    """A blank entry in a word list, or a control character in a list or in text that goes into replies, is
    refused when the file is read. Why: ``keywords = [""]`` passed and made X's query ``() -is:retweet``, refused
    on every poll; a NUL in ``display_name`` was stored, then every templated reply for the brand was refused."""
    for field_name in _WORD_LISTS:
        for j, word in enumerate(getattr(b, field_name)):
            if not word.strip():
                raise ConfigError(f"brands[{i}].{field_name}[{j}]", "is empty: remove it or write a word")
            if CONTROL.search(word):
                raise ConfigError(f"brands[{i}].{field_name}[{j}]", "holds a control character")
    for field_name in _REPLY_TEXTS:
        if CONTROL.search(getattr(b, field_name)):
            raise ConfigError(f"brands[{i}].{field_name}", "holds a control character (only text goes into replies)")


def _check_survey_links(settings: Settings) -> None:
    """``responder.public_url`` is what customers' survey links start with: a value that is set must be an
    http(s) URL with a host. Unset while a brand's ``survey_in_reply`` is on, the link stays out of the
    closing replies (a link to this server's own address would not open for a customer): said at load,
    so an admin does not first hear it from an agent."""
    public = settings.responder.public_url
    if public and (problem := _url_problem(public)):
        raise ConfigError("responder.public_url", f"expected the public http(s) address of this app, got {public!r}: "
                                                  f"{problem}")
    wanting = [b.name for b in settings.brands if b.survey_in_reply]
    if wanting and not public and settings.responder.survey != "none":
        _warn_once(f"brands {', '.join(wanting)} set survey_in_reply but responder.public_url is empty: survey "
                   "links stay out of closing replies (they are on the conversation page); set "
                   "responder.public_url to the address customers reach this app at")


#: Warnings this process has given: settings are validated more than once per command (the file, then with
#: the browser's changes), and the same warning twice reads as two problems.
_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("%s", message)


#: One DNS label: letters, digits and inner hyphens, at most 63 (RFC 1123); IDNs arrive as Unicode letters.
_LABEL = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")


def _url_problem(url: str) -> str:
    """Why ``url`` cannot be a webhook's address ("" when it can).

    Why here: a URL such as ``http://a..b/`` passed the old pattern, saved, and then failed on every alert
    with a resolver error in the log; an admin should hear it on the settings page, when it is typed."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    if not re.fullmatch(r"https?://\S+", url):
        return "it must start with http:// or https:// and hold no spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port out of range or not a number)
    except ValueError as e:
        return str(e)
    host = parts.hostname or ""
    if not host:
        return "it names no host"
    try:
        ip_address(host)
        return ""
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a host name (labels of letters, digits and inner hyphens, none empty)"
    return ""


def _check_accounts(accounts: AccountsSettings) -> None:
    """Login limits must parse as ``limits`` strings and two-factor roles must be roles."""
    from limits import parse_many

    for key in ("account_attempts", "address_attempts"):
        try:
            parse_many(getattr(accounts, key))
        except ValueError:
            raise ConfigError(f"accounts.{key}", "expected limits like '5/minute;20/hour'") from None
    roles = {"agent", "lead", "marketing", "admin"}
    for i, role in enumerate(accounts.totp_roles):
        if role not in roles:
            raise ConfigError(f"accounts.totp_roles[{i}]", f"unknown role {role!r} (known: {', '.join(sorted(roles))})")


#: A reply template fills in a few variables; loops, macros and arithmetic only make one that can tie up
#: the server (nested loops, ``'x' * 10**9``), and drafts render on the event loop.
HEAVY_TEMPLATE_NODES = ("For", "Macro", "CallBlock", "Pow", "Mul")
#: The filters a reply template may use: none makes its input longer. Calls (``lipsum(n=2000)``,
#: ``name.center(10**7)``) and other filters (``center``, ``indent``, ``wordwrap``) can, and saved
#: templates render on every conversation page.
TEMPLATE_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d", "truncate"})


#: The longest reply template (the editor's own limit): a reply is at most a few hundred characters anywhere.
TEMPLATE_MAX = 4000


def check_template(key: str, source: str) -> None:
    """A reply template must parse in Jinja's sandbox and use no loops, macros or arithmetic."""
    problem = template_problem(source)
    if problem:
        raise ConfigError(key, problem)


@functools.lru_cache(maxsize=1024)
def template_problem(source: str) -> str:
    """Why ``source`` is refused as a reply template, or ''; cached, since every settings change validates
    every template."""
    from jinja2 import TemplateSyntaxError, nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    try:
        tree = ImmutableSandboxedEnvironment().parse(source)
    except TemplateSyntaxError as exc:
        return f"template syntax error on line {exc.lineno}: {exc.message}"
    heavy = next(tree.find_all(tuple(getattr(nodes, n) for n in HEAVY_TEMPLATE_NODES)), None)
    if heavy is not None:
        return f"reply templates cannot use {type(heavy).__name__.lower()} (loops, macros and arithmetic are refused)"
    if next(tree.find_all(nodes.Call), None) is not None:
        return "reply templates cannot call functions or methods; use the variables as they are"
    for found in tree.find_all(nodes.Filter):
        if found.name not in TEMPLATE_FILTERS:
            allowed = ", ".join(sorted(TEMPLATE_FILTERS))
            return f"reply templates cannot use the filter {found.name!r} (allowed: {allowed})"
    return ""


def _check_span(key: str, part: str, whole: str) -> None:
    """One ``HH:MM-HH:MM`` span of a calendar day (``whole``: the day's text, as the admin wrote it)."""
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d|([01]\d|2[0-3]):[0-5]\d-24:00", part):
        raise ConfigError(key, f"expected HH:MM-HH:MM, or several such spans separated by commas "
                               f"(09:00-12:30,13:30-17:30), got {whole!r}")
    start, end = part.split("-")
    if start >= end:  # zero-padded, so text order is time order; a night shift is two days' spans
        raise ConfigError(key, f"{part!r} ends before it starts (hours run within one day, e.g. 09:00-17:30; a "
                               "night shift is 22:00-24:00 on one day and 00:00-06:00 on the next)")


def _check_templates(settings: Settings) -> None:
    """Template keys name a configured brand (and a two-letter language); the text is safe Jinja."""
    from careline.languages import NAMES

    brands = {b.name: b for b in settings.brands}
    for name, source in settings.responder.templates.items():
        key = f"responder.templates.{name}"
        match = re.fullmatch(r"([a-z0-9][a-z0-9_-]{0,39})/(?:([a-z]{2})/)?([a-z_]{1,40})", name)
        if match is None:
            raise ConfigError(key, "expected '<brand>/<intent>' or '<brand>/<language>/<intent>'")
        if match.group(1) not in brands:
            raise ConfigError(key, f"no brand named {match.group(1)!r}")
        if match.group(2) is not None and match.group(2) not in NAMES:
            # "xx" was saved, and no post is ever in it: a template nobody would get, refused by the preview
            raise ConfigError(key, f"language {match.group(2)!r} is not a code we know (two letters, e.g. th for "
                                   "Thai)")
        known = (*INTENTS, *sorted(set(brands[match.group(1)].intents) - set(INTENTS)))
        if match.group(3) not in known:
            raise ConfigError(key, f"unknown intent {match.group(3)!r} (known: {', '.join(known)})")
        if not source.strip():
            raise ConfigError(key, "a template cannot be empty")
        if len(source) > TEMPLATE_MAX:  # every suggestion would be far over every platform's limit
            raise ConfigError(key, f"a template is at most {TEMPLATE_MAX} characters, got {len(source)}")
        check_template(key, source)


def _check_zone(key: str, zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {zone!r}") from None


def describe(cls: type = Settings, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(key, help, default) for every leaf setting: feeds ``careline config`` and the docs test."""
    out: list[tuple[str, str, Any]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}".lstrip(".")
        tp = hints[f.name]
        args = typing.get_args(tp)
        if dataclasses.is_dataclass(tp):
            out.extend(describe(tp, key))  # type: ignore[arg-type]
        elif typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]):
            out.extend(describe(args[0], f"{key}[]"))  # type: ignore[arg-type]
        else:
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            out.append((key, f.metadata.get("help", ""), default))
    return out


def convert_field(cls: type, name: str, value: Any, key: str) -> Any:
    """One field of a settings dataclass from outside data (JSON, a form's text), typed and range-checked
    exactly as the TOML loader does it; a list may come as one text (lines or commas), a table of texts
    as ``name = value`` lines. Secrets are refused: they only ever come from the environment."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if name not in fields:
        raise ConfigError(key, f"unknown key (known: {', '.join(fields)})")
    meta = fields[name].metadata
    if meta.get("secret"):
        raise ConfigError(key, "secrets are read only from the environment")
    tp = typing.get_type_hints(cls)[name]
    if isinstance(value, str) and typing.get_origin(tp) is list:
        value = value.replace("\r", "").replace("\n", ",")
    elif isinstance(value, str) and typing.get_origin(tp) is dict:
        value = _table_from_lines(key, value)
    return _check(key, _convert(key, tp, value), meta)


def _table_from_lines(key: str, text: str) -> dict[str, str]:
    """``mon = 09:00-17:00`` lines (or ``mon: ...``) as a table; blank lines are skipped."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.replace(":", "=", 1).partition("=") if "=" not in line else line.partition("=")
        if not sep or not name.strip():
            raise ConfigError(key, f"line {n}: expected 'name = value', got {line.strip()[:60]!r}")
        out[name.strip()] = value.strip()
    return out
