"""Service wiring from settings: brand intents reach the model, reply senders need credentials."""

from __future__ import annotations

import dataclasses

import pytest

from careline.app.service import demo_settings, load_classifier, point_sources_at
from careline.settings import load_settings
from platforms.registry import build_senders
from responder.replies import Voices
from tests.conftest import REPO


def test_brand_intents_from_config_reach_the_model() -> None:
    settings = load_settings(REPO / "config" / "demo.toml", environ={})
    clf = load_classifier(settings)
    bag, other = clf.predict(["@SkylarkAir my bag never arrived, lost luggage again",
                              "@SkylarkAir crew were lovely today, thank you"])
    assert "lost_baggage" in bag.intent and bag.intent_label == "lost_baggage"
    assert other.intent_label != "lost_baggage"
    assert abs(sum(bag.intent.values()) - 1) < 1e-6


def test_brand_voice_comes_from_settings() -> None:
    settings = load_settings(REPO / "config" / "demo.toml", environ={})
    voice = Voices.from_settings(settings).get("skylark")
    assert voice.sign_off == " ^SK" and voice.display_name == "Skylark Air"


def test_senders_only_for_brands_with_credentials(tmp_path) -> None:
    settings = load_settings(REPO / "config" / "demo.toml", environ={})
    real = dataclasses.replace(settings, simulator=dataclasses.replace(settings.simulator, enabled=False))
    assert build_senders(real, environ={}) == {}
    one = build_senders(real, environ={"CARELINE_X_REPLY_TOKEN_SKYLARK": "user-token"})
    assert list(one) == ["x:skylark"]
    demo = demo_settings(port=0, database=str(tmp_path / "d.db"), classifier=None)
    # the simulator: the X handle, the Mastodon account's name as tokens; the app password once pointed at it
    assert set(build_senders(demo, environ={})) == {"x:skylark", "x:brightwave", "mastodon:skylark",
                                                    "mastodon:brightwave"}
    pointed = set(build_senders(point_sources_at(demo, "http://127.0.0.1:9"), environ={}))
    assert {"bluesky:skylark", "bluesky:brightwave"} <= pointed


def test_bluesky_and_mastodon_senders_take_each_brands_own_secret() -> None:
    settings = load_settings(REPO / "config" / "demo.toml", environ={"CARELINE_MASTODON_TOKEN": "shared"})
    real = dataclasses.replace(settings, simulator=dataclasses.replace(settings.simulator, enabled=False))
    senders = build_senders(real, environ={"CARELINE_BLUESKY_APP_PASSWORD_SKYLARK": "abcd-efgh-ijkl-mnop",
                                           "CARELINE_MASTODON_TOKEN_BRIGHTWAVE": "bw-token"})
    assert {k for k in senders if k.startswith(("bluesky", "mastodon"))} == {
        "bluesky:skylark", "mastodon:skylark", "mastodon:brightwave"}
    assert senders["mastodon:brightwave"].token == "bw-token"  # type: ignore[attr-defined]
    assert senders["mastodon:skylark"].token == "shared"  # type: ignore[attr-defined]
    assert senders["mastodon:skylark"].base_url == "https://sim.social"  # type: ignore[attr-defined]


def test_each_brand_replies_on_reddit_as_its_own_account_when_it_has_a_password() -> None:
    settings = load_settings(REPO / "config" / "demo.toml", environ={"CARELINE_REDDIT_USERNAME": "agency",
                                                                     "CARELINE_REDDIT_PASSWORD": "agency-pw"})
    real = dataclasses.replace(settings, simulator=dataclasses.replace(settings.simulator, enabled=False))
    senders = build_senders(real, environ={"CARELINE_REDDIT_PASSWORD_BRIGHTWAVE": "bw-pw"})
    skylark, brightwave = senders["reddit:skylark"], senders["reddit:brightwave"]
    assert (skylark.username, skylark.password) == ("agency", "agency-pw")  # no password of its own: the app's
    assert (brightwave.username, brightwave.password) == ("BrightwaveSupport", "bw-pw")


def test_the_reddit_inbox_logs_in_with_the_brands_own_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from careline.errors import PermanentSourceError
    from platforms.reddit.read import RedditInboxSource

    settings = load_settings(REPO / "config" / "demo.toml", environ={})
    brand = settings.brand("brightwave")
    source = RedditInboxSource(brand, settings.sources.reddit)
    monkeypatch.delenv("CARELINE_REDDIT_PASSWORD_BRIGHTWAVE", raising=False)
    with pytest.raises(PermanentSourceError, match="CARELINE_REDDIT_PASSWORD_BRIGHTWAVE"):
        source.login()
    monkeypatch.setenv("CARELINE_REDDIT_PASSWORD_BRIGHTWAVE", "bw-pw")
    assert source.login() == ("BrightwaveSupport", "bw-pw")
