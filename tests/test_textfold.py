"""careline.textfold: the text keyword rules read, with offsets back into the text as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careline.textfold import fold, folded, original_span
from classifiers.language import shared_identifier
from classifiers.signals import compute_signals
from responder.tone import check_tone

ZWSP, SOFT_HYPHEN = "\u200b", "\u00ad"


def test_invisible_characters_go_and_fullwidth_letters_fold() -> None:
    assert folded(f"charge{ZWSP}back") == "chargeback"
    assert folded(f"po{SOFT_HYPHEN}licy") == "policy"
    assert folded("ｃａｌｍ ｄｏｗｎ！") == "calm down!"
    assert folded("plain ascii stays") == "plain ascii stays"


@given(st.text(max_size=80))
def test_every_folded_span_maps_into_the_text_as_written(text: str) -> None:
    read, where = fold(text)
    assert len(where) == len(read) + 1 and where[-1] == len(text)
    assert list(where) == sorted(where)
    for start in range(len(read) + 1):
        a, b = original_span(where, start, len(read))
        assert 0 <= a <= b <= len(text)


@pytest.mark.parametrize("text", [f"I'm filing a charge{ZWSP}back", f"going to small claims co{ZWSP}urt",
                                  f"the engine was on fi{SOFT_HYPHEN}re"])
def test_an_invisible_character_no_longer_hides_a_rule(text: str) -> None:
    """The same posts without the characters: urgency 0.61 and 0.69 with their reasons; with them 0.14 and 0.22."""
    assert compute_signals(text).flags & {"legal", "safety"}, compute_signals(text).reasons


@pytest.mark.parametrize("draft", [f"Calm{ZWSP} down, we did our best.", f"Calm down{SOFT_HYPHEN}, we did our best.",
                                   "ｃａｌｍ ｄｏｗｎ, we did our best."])
def test_the_tone_guard_reads_through_invisible_and_fullwidth_characters(draft: str) -> None:
    findings = check_tone(draft).findings
    assert [f.category for f in findings] == ["dismissive"]
    span = draft[findings[0].start:findings[0].end]
    assert folded(span).lower() == "calm down" and findings[0].phrase == span  # points into the draft as written


def test_fullwidth_latin_is_not_read_as_chinese() -> None:
    assert shared_identifier().detect("ｔｈｉｓ ｉｓ ｇｒｅａｔ ｓｅｒｖｉｃｅ").code == "en"



def test_lookalike_letters_inside_a_latin_word_read_as_latin_and_a_cyrillic_word_stays() -> None:
    """"Cаlm down" with a Cyrillic а passed the tone guard; Russian and Greek words are left as they are."""
    assert folded("Cаlm down") == "Calm down" and folded("chаrgebаck") == "chargeback"
    assert folded("Москва и Київ") == "Москва и Київ" and folded("παρακαλώ") == "παρακαλώ"
    draft = "Cаlm down, we did our best."
    [finding] = check_tone(draft).findings
    assert finding.category == "dismissive" and finding.phrase == "Cаlm down"  # the phrase as written


def test_marks_stacked_on_letters_go_and_accents_stay() -> None:
    """Zalgo text ("f̸̢̛i̵r̴e̷") hid "fire" from the safety rule and drew over the queue's header."""
    zalgo = "the engine caught f\u0338\u0322\u031bi\u0335\u0334r\u0334\u0337\u0338e\u0337 today"
    assert folded(zalgo) == "the engine caught fire today"
    assert "safety" in compute_signals(zalgo).flags
    assert folded("cafe\u0301 and Tiếng Việt") == "cafe\u0301 and Tiếng Việt"  # one or two marks: writing, kept
