"""``careline backfill`` and ``careline status`` end to end: the real CLI, the simulator on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from careline.app.cli import _load_stage_commands, cli
from careline.app.commands.listen import _problem
from careline.errors import ConfigError
from careline.store import Store
from listener.backfill import parse_since
from platforms.reddit.simulator import fullname
from platforms.registry import OFF_WHY
from platforms.simulator.server import Simulator
from platforms.simulator.world import World, load_scenario_data
from tests.helpers.scenarios import APP_PASSWORD, SKY, mixed_scenario

DAY = 86400


def history() -> dict[str, Any]:
    """Posts three days old and one hour old, on X and Reddit (``at`` is relative to now)."""
    data = mixed_scenario(0, 0)
    data["users"] += [{"id": f"r{i}", "username": f"redditor{i}", "platform": "reddit"} for i in range(2)]
    for age, tag in ((3 * DAY, "old"), (3600, "new")):
        for i in range(5):
            data["posts"].append({"ref": f"b{tag}{i}", "at": -age + i, "platform": "bluesky",
                                  "user": f"flyer{i}.bsky.social", "text": f"Skylark Air {tag} refund {i}"
                                  + (f" @{SKY}" if i % 2 else "")})
            data["posts"].append({"ref": f"m{tag}{i}", "at": -age + i, "platform": "mastodon",
                                  "user": f"traveller{i}", "text": f"@SkylarkAir {tag} refund {i} #SkylarkAir"})
            data["posts"].append({"ref": f"x{tag}{i}", "at": -age + i, "user": f"user{i}",
                                  "text": f"@SkylarkAir {tag} problem {i}"})
            data["posts"].append({"ref": f"r{tag}{i}", "at": -age + i, "platform": "reddit", "kind": "submission",
                                  "subreddit": "skylarkair", "user": f"redditor{i % 2}", "title": f"{tag} {i}",
                                  "text": "refund please"})
    return data


@pytest.fixture
def threaded_sim() -> Iterator[tuple[World, str]]:
    """The simulator on its own loop in a thread, because the CLI runs ``asyncio.run`` itself."""
    world = load_scenario_data(history(), World(manual=True))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sim = Simulator(world)
    url = asyncio.run_coroutine_threadsafe(sim.start(), loop).result(10)
    yield world, url
    asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def write_config(tmp_path: Path, url: str, *, fediverse: bool = False) -> Path:
    path = tmp_path / "careline.toml"
    accounts = f"""bluesky_handle = "{SKY}"
mastodon_account = "SkylarkAir@sim.social"
mastodon_instance = "{url}"
""" if fediverse else ""
    sections = f"""
[sources.bluesky]
enabled = true
service_url = "{url}"

[sources.mastodon]
enabled = true
""" if fediverse else ""
    path.write_text(f"""
[service]
database = "{tmp_path / 'careline.db'}"

[[brands]]
name = "skylark"
keywords = ["skylark air", "#skylarkair"]
handles = ["SkylarkAir"]
x_user_id = "900001"
own_subreddits = ["skylarkair"]
{accounts}{sections}
[sources.x]
api_base_url = "{url}"
daily_budget_usd = 5.0

[sources.reddit]
enabled = true
oauth_url = "{url}"
reddit_url = "{url}"
""", encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Any:
    _load_stage_commands()
    env = {"CARELINE_X_BEARER_TOKEN": "t", "CARELINE_REDDIT_CLIENT_ID": "i", "CARELINE_REDDIT_CLIENT_SECRET": "s",
           "CARELINE_BLUESKY_APP_PASSWORD": APP_PASSWORD, "CARELINE_MASTODON_TOKEN": "SkylarkAir"}
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def stored(tmp_path: Path) -> set[str]:
    store = Store(tmp_path / "careline.db").open_sync()
    try:
        return set(store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT key FROM mentions")]))
    finally:
        store.close_sync()


def test_parse_since() -> None:
    assert parse_since("2d").total_seconds() == 2 * DAY
    assert parse_since("90m").total_seconds() == 5400
    assert parse_since("3650d").days == 3650
    for far in ("3651d", "99999999999999999999d"):  # the second overflowed timedelta into a traceback
        with pytest.raises(ConfigError, match=r"^invalid value for --since: goes back at most 3650 days"):
            parse_since(far)  # named as the option, not as "config error at '--since'" (a settings key)


def test_status_shows_the_error_of_a_failing_source_or_a_warning_from_the_last_day() -> None:
    gap = "gap: search listing ended before reaching t3_9; posts may be missing"
    failing = {"status": "degraded", "last_error": "HTTP 503", "last_warning": gap, "warning_age_seconds": 60}
    assert _problem(failing) == "HTTP 503"
    assert _problem({"status": "ok", "last_error": "HTTP 503", "last_warning": gap,
                     "warning_age_seconds": 7200}) == "2h ago: " + gap
    assert _problem({"status": "ok", "last_error": None, "last_warning": gap, "warning_age_seconds": 2 * DAY}) == ""


def test_backfill_x_and_reddit_since_2d_then_status(threaded_sim: tuple[World, str], tmp_path: Path) -> None:
    world, url = threaded_sim
    world.publish_all()
    config = write_config(tmp_path, url)
    out = run(config, "backfill", "--source", "x", "--since", "2d", "--quiet").output
    assert "x-search:skylark: 5 new mentions" in out and "x-mentions:skylark: 0 new mentions" in out
    recent_x = {f"x:{p.id}" for p in world.visible("x") if p.ref.startswith("xnew")}
    assert stored(tmp_path) == recent_x
    run(config, "backfill", "--source", "reddit", "--since", "2d", "--quiet")
    recent_r = {f"reddit:{fullname(p)}" for p in world.visible("reddit") if p.ref.startswith("rnew")}
    assert stored(tmp_path) == recent_x | recent_r

    status = run(config, "status").output
    lines = {line.split()[0]: line for line in status.splitlines()[1:] if line.startswith(("x-", "reddit-"))}
    assert set(lines) == {"x-search", "x-mentions", "reddit-search", "reddit-subreddit"}
    assert "$0.030" in lines["x-search"]  # 6 posts read at $0.005 (the brand's own post is read, then dropped)
    assert "not polled yet" in lines["reddit-search"]
    assert "Estimated spend today" in status
    out = run(config, "backfill", "--source", "x", "--since", "30d", "--quiet").output  # was capped without a word
    assert "x-search:skylark: x reaches back 7 days at most; backfilling that" in out, out


def test_backfill_bluesky_and_mastodon_since_2d_then_status(threaded_sim: tuple[World, str], tmp_path: Path) -> None:
    world, url = threaded_sim
    world.publish_all()
    config = write_config(tmp_path, url, fediverse=True)
    out = run(config, "backfill", "--source", "bluesky", "--since", "2d", "--quiet").output
    assert "bluesky-search:skylark: " in out and "bluesky-mentions:skylark: 2 new mentions" in out  # the @mentions
    recent_b = {f"bluesky:{p.id}" for p in world.visible("bluesky") if p.ref.startswith("bnew")}
    assert stored(tmp_path) == recent_b
    out = run(config, "backfill", "--source", "mastodon", "--since", "2d", "--quiet").output
    assert "mastodon-mentions:skylark: 5 new mentions" in out and "mastodon-hashtags:skylark: 0 new" in out
    recent_m = {f"mastodon:{p.id}" for p in world.visible("mastodon") if p.ref.startswith("mnew")}
    assert stored(tmp_path) == recent_b | recent_m
    status = run(config, "status", "--json").output
    rows = {(r["source"], r["status"]) for r in json.loads(status)}
    assert {("bluesky-search", "not polled yet"), ("bluesky-mentions", "not polled yet"),
            ("mastodon-mentions", "not polled yet"), ("mastodon-hashtags", "not polled yet")} <= rows


def test_status_says_a_source_switched_off_is_off_not_ok(threaded_sim: tuple[World, str], tmp_path: Path) -> None:
    """The newcomer audit: after Mastodon was switched off (or a brand deleted) its rows went on saying "ok", the
    cursor age growing, in ``careline status`` and ``/health``."""
    world, url = threaded_sim
    world.publish_all()
    run(write_config(tmp_path, url, fediverse=True), "backfill", "--source", "mastodon", "--since", "2d", "--quiet")
    rows = {r["source"]: r for r in json.loads(run(write_config(tmp_path, url), "status", "--json").output)}
    assert rows["mastodon-mentions"]["status"] == "off" and rows["mastodon-mentions"]["last_error"] == OFF_WHY
    assert rows["x-search"]["status"] == "not polled yet"
    table = run(write_config(tmp_path, url), "status").output
    assert "switched off" in next(line for line in table.splitlines() if line.startswith("mastodon-mentions"))


def test_backfill_draws_its_bar_from_the_first_page(threaded_sim: tuple[World, str], tmp_path: Path) -> None:
    """The newcomer audit: a source that failed before any page (a missing credential) drew an empty bar, twice,
    before its error line; one that reads pages draws its bar to the end."""
    world, url = threaded_sim
    world.publish_all()
    config = write_config(tmp_path, url)
    _load_stage_commands()
    failed = CliRunner().invoke(cli, ["--config", str(config), "backfill", "--source", "x", "--since", "2d"],
                                env={"CARELINE_X_BEARER_TOKEN": ""})
    assert "CARELINE_X_BEARER_TOKEN is not set" in failed.output and "0%|" not in failed.output, failed.output
    done = run(config, "backfill", "--source", "x", "--since", "2d").output
    assert "x-search:skylark: 100%|" in done, done


def test_backfill_rejects_an_unknown_source(threaded_sim: tuple[World, str], tmp_path: Path) -> None:
    _load_stage_commands()
    config = write_config(tmp_path, threaded_sim[1])
    result = CliRunner().invoke(cli, ["--config", str(config), "backfill", "--source", "myspace", "--since", "1d"])
    assert result.exit_code != 0
    disabled = CliRunner().invoke(cli, ["--config", str(config), "backfill", "--source", "mastodon", "--since", "1d"])
    assert disabled.exit_code != 0 and "no enabled source" in str(disabled.exception)
    assert "; enabled: " in str(disabled.exception) and "x-search" in str(disabled.exception)  # which ones are
    typo = CliRunner().invoke(cli, ["--config", str(config), "backfill", "--source", "x", "--since", "1d",
                                    "--brand", "skylrak"])  # said "no enabled source matches 'x'", which misled
    assert typo.exit_code != 0 and str(typo.exception) == ("invalid value for --brand: no brand 'skylrak'; "
                                                           "the brands are skylark")
    # every name that selects nothing is a usage error, exit 2 through `careline`, like a bad --source
    assert isinstance(typo.exception, ConfigError) and isinstance(disabled.exception, ConfigError)
