"""Reply drafts: every intent has a default that follows the guidance, fits X, and renders safely."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careline.settings import BrandSettings, ResponderSettings, Settings
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
from responder.replies import Voices, draft_for

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
    d = draft_reply("question", "acme", "Al", "{% raw %}", "reddit")
    assert "{% raw %}" in d.text
    voice = BrandVoice(templates={"question": "Hi {{ author_name }}, ref {{ case_ref }}"})
    assert draft_reply("question", "acme", "Al", "{{7*7}}", "reddit", voice=voice).text == "Hi Al, ref {{7*7}}"


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


def _joins_two_letters(name: str, i: int) -> bool:
    """A zero-width (non-)joiner between two non-Latin letters or marks: part of the spelling."""
    def ok(ch: str) -> bool:
        return unicodedata.category(ch)[0] in "LM" and not unicodedata.name(ch, "").startswith(("LATIN", "COMBINING"))
    return name[i] in "\u200c\u200d" and 0 < i < len(name) - 1 and ok(name[i - 1]) and ok(name[i + 1])


@given(st.text(max_size=300), st.text(max_size=40))
def test_safe_name_never_passes_a_formula_or_an_invisible_character(display: str, handle: str) -> None:
    name = safe_name(display, handle)
    assert len(name) <= AUTHOR_NAME_MAX and not name.startswith(FORMULA_PREFIXES)
    assert all(_joins_two_letters(name, i) for i, ch in enumerate(name) if unicodedata.category(ch) in ("Cc", "Cf"))
    assert not set(name) & set("@#$/:*[]()<>{}|`~=+!?%&\\")  # a handle standing in may have an underscore
    assert not set(first_name(name)) & set("@#$/:_*[]()<>{}|`~=+!?%&\\0123456789")


def test_a_draft_never_greets_a_formula() -> None:
    draft = draft_reply("delivery", "skylark", '=HYPERLINK("http://evil.example","click")', "#C-1", "x")
    assert "HYPERLINK" not in draft.text and "=" not in draft.text.split(",")[0]


# -- display names that are not names (audit 9) ----------------------------------------------------
@pytest.mark.parametrize("display", [
    ".@elonmusk is a liar", "#BoycottSkylark", "$SKY to the moon", "scam-refunds.com", "http://evil.example/x",
    "u/spez", "r/Scams", "**Anna**", "_Anna_", "[click](http://evil.example)", "{{ 7*7 }}", "{% raw %}x",
    "www.evil.example", "Anna2000", "\u202e\u200b", "\U0001F468\u200d\U0001F469\u200d\U0001F467",
])
@pytest.mark.parametrize("lang", ["en", "de", "ja", "zh", "ko", "hu", "ar"])
def test_a_name_that_mentions_links_tags_or_formats_gets_the_neutral_greeting(display: str, lang: str) -> None:
    assert first_name(display, lang) == "there" and safe_name(display) == ""
    text = draft_reply("delivery", "skylark", display, "CL-1", "x", language=lang).text
    assert not set(text[:40]) & set("@#$/*[]{}_") and "evil" not in text and "elonmusk" not in text


@pytest.mark.parametrize(("display", "lang", "expected"), [
    ("Anna #BoycottSkylark", "en", "Anna"),
    ("田中 @elonmusk", "ja", "田中"),
    ("Kovács Bence | travel", "hu", "Kovács Bence"),
    ("✨Anna✨", "en", "Anna"),
    ("Anna\U0001F468\u200d\U0001F469\u200d\U0001F467", "en", "Anna"),
    ("Anna (she/her)", "en", "Anna"),
    ("A\u200bn\u200dna", "en", "Anna"),         # zero-width characters between Latin letters go
    ("J.R. Smith", "en", "J.R."),                  # initials are not a domain
    ("Abcdefghijklmnopqrs\U0001F1E9\U0001F1EA", "en", "Abcdefghijklmnopqrs"),  # no half flag
])
def test_only_the_name_words_before_anything_else_greet(display: str, lang: str, expected: str) -> None:
    assert first_name(safe_name(display), lang) == expected


@pytest.mark.parametrize(("display", "lang", "greeting"), [
    ("Anna", "en", "Hi Anna,"),
    ("José García", "es", "Hola José,"),
    ("Zoë Müller", "de", "Hallo Zoë,"),
    ("Zoe\u0308", "en", "Hi Zoë,"),                     # decomposed diaeresis composed, never cut off
    ("O'Brien", "en", "Hi O'Brien,"),
    ("D’Angelo", "it", "Ciao D’Angelo,"),
    ("Jean-Luc Picard", "fr", "Bonjour Jean-Luc,"),
    ("田中太郎", "ja", "田中太郎様、"),
    ("王芳", "zh", "王芳，您好"),
    ("김민준", "ko", "김민준님"),
    ("Nagy Péter", "hu", "Szia Nagy Péter,"),
    ("محمد", "ar", "مرحبًا محمد،"),
    ("مریم", "en", "Hi مریم,"),
    ("علی\u200cرضا", "en", "Hi علی\u200cرضا,"),         # Persian keeps its zero-width non-joiner
    ("हिन्दी", "en", "Hi हिन्दी,"),
    ("क्\u200dषमा", "en", "Hi क्\u200dषमा,"),           # Devanagari keeps its joiner
    ("Łukasz", "pl", "Cześć Łukasz,"),
    ("Иван", "ru", "Здравствуйте, Иван"),
    ("สมชาย", "th", "สวัสดีค่ะ คุณสมชาย"),
])
def test_ordinary_names_still_greet_in_every_language(display: str, lang: str, greeting: str) -> None:
    assert draft_reply("praise", "acme", display, "CL-1", "x", language=lang).text.startswith(greeting)


def test_long_names_are_cut_between_whole_characters() -> None:
    # 20 code points would end inside the conjunct "ष्का" (a bare "क" without its vowel sign)
    assert first_name("अनुष्का" * 5) == "अनुष्का" * 2 + "अनु"
    assert first_name("a" + "q\u0301" * 15) == "a" + "q\u0301" * 9  # no q without its accent
    assert safe_name("Maximilianus-" + "x" * 60).endswith("x") and len(safe_name("A" * 80)) == AUTHOR_NAME_MAX


def test_the_handle_stands_in_only_as_a_plain_handle() -> None:
    assert safe_name("#tag", "@anna@mastodon.social") == "anna"
    assert safe_name("", "anna.bsky.social") == "anna"
    assert safe_name("", "http://evil.example") == ""
    assert first_name(safe_name("", "dana_k")) == "there"  # an underscore is no name: neutral greeting


# -- a display name that is a brand's own (or another brand's) name or account greets nobody -----------
_BRANDS = BrandVoice(display_name="Acme Air", brand_names=(
    "acme", "Acme Air", "AcmeSupport", "acme.bsky.social", "acmeair@mastodon.social",  # this brand's accounts
    "rival", "Rival Co", "rivalco@mastodon.social", "Brightwave"))  # the other brands of the settings


@pytest.mark.parametrize("display", [
    "AcmeSupport", "@AcmeSupport", "acmesupport", "Acme Air", "ACME AIR", "Ácmé Air", "@acme", "Acme Air Help",
    "Acme Support", "AcmeAir Care", "acmeair", "Rival Co", "@rivalco", "brightwave", "Brightwave Help",
    "@JetBlueSupport", "BrandxHelp",  # an account of a brand this Careline does not know, by its shape
])
@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_a_brand_account_as_the_author_gets_the_greeting_without_a_name(display: str, lang: str) -> None:
    nameless = draft_reply("delivery", "acme", "", "CL-1", "x", voice=_BRANDS, language=lang).text
    d = draft_reply("delivery", "acme", display, "CL-1", "x", voice=_BRANDS, language=lang)
    assert d.text == nameless, d.text
    template = BrandVoice(brand_names=_BRANDS.brand_names, templates={"praise": "Thanks{{ author_name }}!"})
    assert draft_reply("praise", "acme", display, "CL-1", "x", voice=template).text == "Thanks!"


@pytest.mark.parametrize(("display", "greeting"), [
    ("Jo Care", "Hi Jo,"), ("Ann McCare", "Hi Ann,"), ("Acmella", "Hi Acmella,"), ("Rivaldo", "Hi Rivaldo,"),
    ("Carehelp", "Hi Carehelp,"), ("Helpman", "Hi Helpman,"), ("Support", "Hi Support,"),
])
def test_names_that_only_look_like_a_brand_still_greet(display: str, greeting: str) -> None:
    assert draft_reply("delivery", "acme", display, "CL-1", "x", voice=_BRANDS).text.startswith(greeting)


def test_every_brand_of_the_settings_is_known_to_every_voice(tmp_path: Path) -> None:
    settings = Settings(
        responder=ResponderSettings(templates_dir=str(tmp_path)),
        brands=[BrandSettings(name="skylark", display_name="Skylark Air", handles=["SkylarkHelp"],
                              bluesky_handle="skylark.bsky.social", mastodon_account="skylark@mastodon.social",
                              reddit_username="skylark_air", competitors=["Kestrel Jet"]),
                BrandSettings(name="brightwave", display_name="Brightwave", handles=["BrightwaveUK"])])
    voices = Voices.from_settings(settings)
    for brand, author in [("brightwave", "SkylarkHelp"), ("brightwave", "skylark"), ("skylark", "BrightwaveUK"),
                          ("skylark", "Kestrel Jet"), ("brightwave", "Skylark Air Support")]:
        d = draft_for({"id": 7, "brand": brand, "platform": "x", "handle": "someone"}, "delivery", author, voices)
        assert d.text.startswith("Hi there,"), (author, d.text)
    d = draft_for({"id": 7, "brand": "skylark", "platform": "x", "handle": "skylarkhelp"}, "delivery", "", voices)
    assert d.text.startswith("Hi there,")  # the handle stands in for a missing name, and is the brand's too
    d = draft_for({"id": 7, "brand": "skylark", "platform": "x", "handle": "pat"}, "delivery", "Pat Quinn", voices)
    assert d.text.startswith("Hi Pat,")


def test_a_brands_own_intent_is_answered_with_its_own_template_where_the_brand_wrote_one() -> None:
    """A brand's intent (``intents`` in its settings) has a template only where the brand wrote it; elsewhere the
    ``other`` one, and a post in a language the brand did not write it in gets the English one, saying so."""
    own = "{{ greeting }} {{ name }}, sorry your bag is lost. Please {{ dm }} with your tag number."
    french = "Désolés pour votre bagage, {{ name }}."
    voice = BrandVoice(display_name="Skylark Air", templates={"lost_baggage": own, "fr/lost_baggage": french})
    english = draft_reply("lost_baggage", "skylark", "Priya", "CL-1", "x", voice=voice)
    assert english.intent == "lost_baggage" and "sorry your bag is lost" in english.text and english.source == "brand"
    french = draft_reply("lost_baggage", "skylark", "Priya", "CL-1", "x", voice=voice, language="fr")
    assert french.text.startswith("Désolés pour votre bagage") and french.language == "fr"
    german = draft_reply("lost_baggage", "skylark", "Priya", "CL-1", "x", voice=voice, language="de")
    assert german.language == "en" and "sorry your bag is lost" in german.text
    assert german.note == "no German template for lost_baggage: the suggestion is in English"
    bare = draft_reply("lost_baggage", "skylark", "Priya", "CL-1", "x", voice=BrandVoice(display_name="Skylark Air"))
    assert bare.intent == "other"


@pytest.mark.parametrize(("display", "handle"), [("🔥🔥🔥", "jslink"), ("", "evil.bsky.social"),
                                                 ("https://spam.example", "mal@evil.social")])
def test_a_handle_never_stands_in_for_the_name_in_a_greeting(display: str, handle: str) -> None:
    """A display name with no name word left the handle to stand in: "Hi jslink", "Hi evil" (for evil.bsky.social),
    "Hi mal" (for mal@evil.social). The greeting is the neutral one instead."""
    from careline.settings import Settings
    from responder.replies import Voices, draft_for

    conv = {"id": 3, "brand": "acme", "platform": "x", "handle": handle}
    draft = draft_for(conv, "delivery", display, Voices.from_settings(Settings()))
    assert draft.text.startswith("Hi there"), draft.text
    named = draft_for(conv, "delivery", "Anna K.", Voices.from_settings(Settings()))
    assert named.text.startswith("Hi Anna"), named.text
