"""Reply drafts: every intent has a default that follows the guidance, fits X, and renders safely."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.abc import INTENTS
from responder.drafts import (
    AUTHOR_NAME_MAX,
    DEFAULT_TEMPLATES,
    FORMULA_PREFIXES,
    BrandVoice,
    DraftError,
    draft_reply,
    first_name,
    load_brand_templates,
    safe_name,
)

PERSONAL_DATA_INTENTS = {"delivery", "refund_return", "billing", "account_login", "product_quality"}


def test_a_default_template_for_every_intent() -> None:
    assert set(DEFAULT_TEMPLATES) == set(INTENTS)


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize("platform", ["x", "reddit"])
def test_defaults_follow_the_guidance(intent: str, platform: str) -> None:
    d = draft_reply(intent, "acme", "Priya Natarajan", "C-10442", platform)
    lower = d.text.lower()
    assert d.text.startswith("Hi Priya,")
    assert "thank" in lower  # acknowledge and thank
    assert d.tone.findings == ()  # never defensive, never blaming, concrete promises
    assert d.length.ok and d.ok
    assert d.source == "default"
    if intent != "praise":
        assert "C-10442" in d.text
        assert "within 2 hours" in d.text  # a concrete promise
    if intent in PERSONAL_DATA_INTENTS:
        assert ("DM" in d.text) if platform == "x" else ("private message" in d.text)
    assert "{" not in d.text and "  " not in d.text


def test_brand_voice_and_overrides() -> None:
    voice = BrandVoice(display_name="Skylark Air", greeting="Hey", sign_off=" ^MK", promise="by 6pm today",
                       templates={"praise": "{{ greeting }} {{ name }}, thank you from all of us at {{ brand }}!"
                                            "{{ sign_off }}"})
    d = draft_reply("praise", "skylark", "@jo", "C-1", "x", voice=voice)
    assert d.text == "Hey jo, thank you from all of us at Skylark Air! ^MK"
    assert d.source == "brand"
    other = draft_reply("billing", "skylark", "Jo", "C-1", "x", voice=voice)
    assert other.text.startswith("Hey Jo,") and other.text.endswith("Ref: C-1 ^MK") and "by 6pm today" in other.text


def test_unknown_intent_uses_other() -> None:
    assert draft_reply("weather", "acme", "Al", "C-2", "x").intent == "other"


def test_sandbox_blocks_python_internals() -> None:
    voice = BrandVoice(templates={"other": "{{ name.__class__.__mro__[1].__subclasses__() }}"})
    with pytest.raises(DraftError):
        draft_reply("other", "acme", "Al", "C-2", "x", voice=voice)
    voice = BrandVoice(templates={"other": "{{ nmae }}"})
    with pytest.raises(DraftError, match="nmae"):
        draft_reply("other", "acme", "Al", "C-2", "x", voice=voice)


def test_values_are_not_re_rendered() -> None:
    d = draft_reply("question", "acme", "{{7*7}}", "{% raw %}", "reddit")
    assert "{{7*7}}" in d.text and "{% raw %}" in d.text


def test_long_names_fall_back_and_overlong_templates_are_reported() -> None:
    assert first_name("  @Maximilianus-Alexandrius-Long the third") == "Maximilianus-Alexand"
    assert first_name("") == "there"
    assert first_name("Kovács Bence", "hu") == "Kovács Bence" and first_name("Kovács Bence", "en") == "Kovács"
    assert first_name("田中はるか", "ja") == "田中はるか" and first_name("", "zh") == "there"
    long_voice = BrandVoice(templates={"other": "{{ name }} " + "x" * 300})
    d = draft_reply("other", "acme", "Al", "C-2", "x", voice=long_voice)
    assert not d.length.ok and not d.ok
    assert draft_reply("other", "acme", "Al", "C-2", "reddit", voice=long_voice).length.ok


def test_load_brand_templates(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "delivery.j2").write_text("Hi {{ name }}, on it. Ref {{ case_ref }}\n")
    assert load_brand_templates(tmp_path) == {"acme": {"delivery": "Hi {{ name }}, on it. Ref {{ case_ref }}"}}
    assert load_brand_templates(tmp_path / "missing") == {}
    (tmp_path / "acme" / "delivry.j2").write_text("x")
    with pytest.raises(DraftError, match="unknown intent"):
        load_brand_templates(tmp_path)
    (tmp_path / "acme" / "delivry.j2").unlink()
    (tmp_path / "acme" / "billing.j2").write_text("{% if %}")
    with pytest.raises(DraftError):
        load_brand_templates(tmp_path)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(INTENTS), st.text(max_size=50), st.from_regex(r"C-[0-9]{1,8}", fullmatch=True))
def test_defaults_fit_x_for_any_display_name(intent: str, name: str, ref: str) -> None:
    d = draft_reply(intent, "acme", name, ref, "x")
    assert d.length.ok, d.text
    assert not d.tone.defensive


# -- hostile display names (issue 19) --------------------------------------------------------------
@pytest.mark.parametrize("display,handle,expected", [
    ('=HYPERLINK("http://evil.example","click")', "dana_k", "dana_k"),
    ("+cmd|' /C calc'!A0", "@bob", "bob"),
    ("-2+3", "carol", "carol"),
    ("@jo", "jo", "jo"),
    ("@=1+1", "dave", "dave"),
    ("Al\u202eice", "a", "Alice"),           # right-to-left override removed
    ("Zo\u200be\u0007", "z", "Zoe"),         # zero-width space and BEL removed
    ("\u2066\u2067", "emma", "emma"),        # only bidi isolates: the handle stands in
    ("ＪＵＬＩＡ", "j", "JULIA"),             # fullwidth folded by NFKC
    ("", "", ""),
    ("Ana " + "x" * 200, "ana", "Ana " + "x" * 46),
])
def test_safe_name(display: str, handle: str, expected: str) -> None:
    assert safe_name(display, handle) == expected


@given(st.text(max_size=300), st.text(max_size=40))
def test_safe_name_never_passes_a_formula_or_an_invisible_character(display: str, handle: str) -> None:
    name = safe_name(display, handle)
    assert len(name) <= AUTHOR_NAME_MAX and not name.startswith(FORMULA_PREFIXES)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)


def test_a_draft_never_greets_a_formula() -> None:
    draft = draft_reply("delivery", "skylark", '=HYPERLINK("http://evil.example","click")', "#C-1", "x")
    assert "HYPERLINK" not in draft.text and "=" not in draft.text.split(",")[0]
