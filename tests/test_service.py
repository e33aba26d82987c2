"""Service wiring from settings: brand intents reach the model, reply senders need credentials."""

from __future__ import annotations

import dataclasses

from careline.service import build_senders, demo_settings, load_classifier
from careline.settings import load_settings
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
    assert set(build_senders(demo, environ={})) == {"x:skylark", "x:brightwave"}  # simulator: handle as token
