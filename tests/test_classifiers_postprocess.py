"""The sarcasm gate and correction, which both encoder paths share."""

from __future__ import annotations

import pytest

from classifiers.postprocess import SARCASM_ON, correct_for_sarcasm, has_praise, sarcasm_turn


@pytest.mark.parametrize(("text", "expected"), [
    ("great, another 3 hour delay, love it", True),
    ("THANKS for nothing @ShopCo", True),  # case does not hide a positive word
    ("@Brightwave internet down again for the whole weekend", False),
    ("", False),
    ("🙃🙃🙃 @brand", False),
    # a handle or a link is not the author's word: "united", "help" and "support" are VADER-positive
    ("@united flight 212 delayed again", False),
    ("@FC_Help i need to check my order", False),
    ("@Uber_Support charged twice https://help.example/love-great", False),
    ("@united thanks, that was quick", True),
    ("#love this update", True),
])
def test_only_posts_with_a_positive_word_can_read_as_sarcasm(text: str, expected: bool) -> None:
    assert has_praise(text) is expected


def test_the_correction_moves_praise_to_negative_and_raises_the_complaint_only_at_the_gate() -> None:
    sentiment = {"negative": 0.1, "neutral": 0.1, "positive": 0.8}
    assert correct_for_sarcasm(sentiment, 0.2, SARCASM_ON - 0.01) == (sentiment, 0.2)
    assert correct_for_sarcasm(sentiment, 0.2, None) == (sentiment, 0.2)
    s, complaint = correct_for_sarcasm(sentiment, 0.2, 0.9)
    assert complaint == 0.9 and s["positive"] == pytest.approx(0.08) and s["negative"] == pytest.approx(0.82)
    assert sum(s.values()) == pytest.approx(1.0)
    assert correct_for_sarcasm(sentiment, 0.95, 0.9)[1] == 0.95  # never lowers a complaint


def test_the_praise_head_scores_only_sincere_posts_with_positive_words() -> None:
    import numpy as np

    from classifiers.postprocess import PRAISE_SINCERE_BELOW, complaint_with_praise

    complaint, praise_head = np.array([0.9, 0.9, 0.9, 0.9]), np.array([0.1, 0.1, 0.1, 0.1])
    sarcasm = np.array([0.0, PRAISE_SINCERE_BELOW, 0.5, 0.0])
    praise = np.array([True, True, True, False])
    score, used = complaint_with_praise(complaint, praise_head, sarcasm, praise)
    assert used.tolist() == [True, False, False, False]  # sincere, unsure, sarcastic-ish, no positive word
    assert score.tolist() == [0.1, 0.9, 0.9, 0.9]


def test_the_gate_comes_from_the_manifest_and_defaults_for_models_that_name_none() -> None:
    from classifiers.postprocess import PRAISE_SINCERE_BELOW, Gate

    assert Gate.of({}) == Gate(PRAISE_SINCERE_BELOW, SARCASM_ON)
    assert Gate.of({"sarcasm_gate": {"sincere_below": 0.4, "sarcasm_on": 0.6, "chosen_by": "…"}}) == Gate(0.4, 0.6)


def test_the_correction_and_its_reason_follow_the_gate_not_the_default() -> None:
    from classifiers.postprocess import reasons

    sentiment = {"negative": 0.1, "neutral": 0.1, "positive": 0.8}
    assert correct_for_sarcasm(sentiment, 0.2, 0.65, on=0.6)[1] == 0.65
    assert correct_for_sarcasm(sentiment, 0.2, 0.65)[1] == 0.2  # under the default 0.7
    intent = {"praise": 1.0}
    after, complaint = correct_for_sarcasm(sentiment, 0.2, 0.65, on=0.6)
    turned = sarcasm_turn(sentiment, 0.2, after, complaint)
    assert turned == "complaint 0.20 -> 0.65, sentiment positive -> negative"
    with_gate = reasons("so glad", after, complaint, 0.1, intent, sarcasm=0.65, sarcasm_on=0.6, sarcasm_turned=turned)
    default = reasons("so glad", sentiment, 0.2, 0.1, intent, sarcasm=0.65)
    assert [r for r in with_gate if r.startswith("sarcasm")] == [
        "sarcasm (0.65): positive words around a complaint; complaint 0.20 -> 0.65, sentiment positive -> negative"]
    assert not any(r.startswith("sarcasm") for r in default)


def test_a_sarcasm_score_that_changed_no_decision_gives_no_reason() -> None:
    """A plain complaint with a positive word ("was promised") reads near 1 on the sarcasm head, which
    learnt sarcastic complaints against praise: the correction keeps it a negative complaint, and a
    line calling it sarcasm would tell the agent something false."""
    from classifiers.postprocess import reasons

    sentiment = {"negative": 0.8, "neutral": 0.15, "positive": 0.05}
    after, complaint = correct_for_sarcasm(sentiment, 0.97, 0.98, on=0.6)
    assert complaint == 0.98 and sarcasm_turn(sentiment, 0.97, after, complaint) == ""
    lines = reasons("still waiting, was promised a refund", after, complaint, 0.9, {"complaint": 1.0},
                    sarcasm=0.98, sarcasm_on=0.6, sarcasm_turned="")
    assert not any(r.startswith("sarcasm") for r in lines)
    # only the complaint decision moved: the line says so and no more
    neg = {"negative": 0.6, "neutral": 0.3, "positive": 0.1}
    after, complaint = correct_for_sarcasm(neg, 0.3, 0.9, on=0.6)
    assert sarcasm_turn(neg, 0.3, after, complaint) == "complaint 0.30 -> 0.90"


def test_the_gate_is_chosen_for_real_complaints_first_then_written_posts() -> None:
    """A gate that would win the written posts outright but costs real complaints more than the
    allowance loses to one that keeps them; among those that keep them, the written posts decide."""
    import numpy as np

    from classifiers.postprocess import Gate
    from classifiers.train_extra import PLAIN, GateScores, choose_gate, gate_grid

    # real rows: the complaint head is right everywhere; two complaints with positive words read
    # sarcasm 0.55 and the praise head misses them, so any bound above 0.55 loses them
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    real = GateScores(y, base=np.array([0.9, 0.9, 0.8, 0.8, 0.1, 0.1, 0.2, 0.2]),
                      praise_p=np.array([0.1, 0.1, 0.8, 0.8, 0.1, 0.1, 0.2, 0.2]),
                      sarcasm=np.array([0.55, 0.55, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1]),
                      praise=np.array([True, True, False, False, False, False, True, True]))
    # written posts: sarcastic complaints at sarcasm 0.65 that the complaint head misses, and thanks
    # after a fix at sarcasm 0.45 that the complaint head flags and the praise head clears
    w = GateScores(np.array([1, 1, 0, 0]), base=np.array([0.2, 0.2, 0.9, 0.9]),
                   praise_p=np.array([0.2, 0.2, 0.1, 0.1]), sarcasm=np.array([0.65, 0.65, 0.45, 0.45]),
                   praise=np.array([True, True, True, True]))
    assert real.f1(PLAIN) == 1.0
    assert real.f1(Gate(1.01, 1.01)) < 1.0  # the praise head everywhere costs real complaints
    chosen = choose_gate(gate_grid(real, w))
    assert real.f1(chosen) == 1.0 and w.f1(chosen) == 1.0
    assert 0.45 < chosen.sincere_below <= 0.55 and chosen.sarcasm_on <= 0.6


def test_the_shipped_model_names_a_gate_chosen_by_the_current_rule() -> None:
    """The gate lives in the manifest; if the rule or its grid changes, the shipped model must be
    refitted (``--praise-complaint``) rather than keep a gate the code no longer stands behind."""
    import json

    from classifiers.minilm import DEFAULT_MODEL_DIR
    from classifiers.postprocess import Gate
    from classifiers.train_extra import CHOOSE_GATE_RULE, GATE_GRID

    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert Gate.of(manifest) in GATE_GRID
    assert manifest["sarcasm_gate"]["chosen_by"] == CHOOSE_GATE_RULE
    report = manifest["metrics"]["praise_complaint"]["gate"]
    assert report["chosen"] == f"{Gate.of(manifest).sincere_below}/{Gate.of(manifest).sarcasm_on}"


def test_posts_longer_than_the_sarcasm_heads_training_posts_are_not_read_for_sarcasm() -> None:
    """The head and its gate learnt from posts of at most 327 characters; a long review full of
    positive words with one caveat is no candidate, whatever its words."""
    from classifiers.postprocess import SARCASM_MAX_CHARS, reads_for_sarcasm

    short = "great, another 3 hour delay, love it"
    review = ("Awesome tv, must buy. I was very confused before buying a tv and did a lot of research. "
              "Very happy with the experience till now, easy to set up and the picture is great. ") * 3
    assert len(review) > SARCASM_MAX_CHARS
    assert reads_for_sarcasm(short) and not reads_for_sarcasm(review)
    assert not reads_for_sarcasm("@Brightwave internet down again")  # no positive word, as before


def test_the_severity_level_agrees_with_the_complaint_decision() -> None:
    """Level 0 means "not a complaint": the complaint score decides it, the severity head the rest."""
    from classifiers.abc import Prediction
    from classifiers.postprocess import reasons, severity_level

    sev = {"0": 0.5, "1": 0.1, "2": 0.25, "3": 0.1, "4": 0.05}
    assert severity_level(sev) == 0  # the head alone, as before
    assert severity_level(sev, 0.94) == 2  # a complaint: the likeliest of 1-4
    assert severity_level({"0": 0.1, "1": 0.1, "2": 0.1, "3": 0.6, "4": 0.1}, 0.2) == 0  # not a complaint
    assert severity_level({}, 0.9) is None
    pred = Prediction({"negative": 0.9, "neutral": 0.05, "positive": 0.05}, 0.94, 0.2, {"other": 1.0}, (),
                      severity=sev)
    assert pred.severity_level == 2
    lines = reasons("great, another 3 hour delay, love it", pred.sentiment, 0.94, 0.2, {"other": 1.0}, severity=sev)
    assert "severity 2/4: disapproval (0.50 of the complaint levels)" in lines  # 0.25 of 0.5: not "(0.25)"


@pytest.mark.parametrize(("text", "label"), [("😡😡😡", "negative"), ("@SkylarkAir 🤬", "negative"),
                                             ("😍😍 ❤️", "positive"), ("👍🏽", "positive"), ("", "neutral"),
                                             ("...", "neutral"), ("😡😍", "neutral"), ("🦒", "neutral")])
def test_a_post_without_words_is_read_from_its_emoji(text: str, label: str) -> None:
    """The tokenizer turns every emoji into [UNK]: the model read an angry face and an empty post as positive."""
    from classifiers.postprocess import wordless_sentiment

    found = wordless_sentiment(text)
    assert found is not None and max(found[0], key=found[0].__getitem__) == label


@pytest.mark.parametrize("text", ["lol 😡", "great, another delay 😡", "@SkylarkAir 3 hours late"])
def test_a_post_with_words_keeps_the_model_s_reading(text: str) -> None:
    from classifiers.postprocess import wordless_sentiment

    assert wordless_sentiment(text) is None


def test_a_long_string_without_spaces_is_not_called_a_very_short_post() -> None:
    """A 5,012-character single "word" carried the reason "very short post"."""
    from classifiers.postprocess import reasons

    def said(text: str, language: str = "en") -> tuple[str, ...]:
        return reasons(text, {"negative": 0.2, "neutral": 0.6, "positive": 0.2}, 0.1, 0.1, {"other": 1.0},
                       language=language, path="english", covered=True)

    assert "very short post: low confidence" in said("help!!")
    assert "one long string without spaces, not words: low confidence" in said("W" * 5012)
    chinese = "我的订单还没到，客服也不回复，已经等了整整两个星期了，太让人失望了"  # no spaces, and no need of them
    assert not any("low confidence" in r for r in said(chinese, "zh"))
