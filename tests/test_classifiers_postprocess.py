"""The sarcasm gate and correction, which both encoder paths share."""

from __future__ import annotations

import pytest

from classifiers.postprocess import SARCASM_ON, correct_for_sarcasm, has_praise


@pytest.mark.parametrize(("text", "expected"), [
    ("great, another 3 hour delay, love it", True),
    ("THANKS for nothing @ShopCo", True),  # case does not hide a positive word
    ("@Brightwave internet down again for the whole weekend", False),
    ("", False),
    ("🙃🙃🙃 @brand", False),
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
