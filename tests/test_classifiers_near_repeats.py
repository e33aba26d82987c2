"""TweetEval val without the tweets that nearly repeat one the sentiment head trains on."""

from __future__ import annotations

import pytest

from classifiers import data
from classifiers.data import Labelled

POOL = [
    "Here's the line-up for Thursday: Kasich is in, Perry is out in the first debate http://t.co/Kx1 #InTheCLE",
    "Jennifer Aniston shows off her figure at the fashion bash - The Sun http://t.co/bTB0 via @TheSun",
    "so happy the new season starts tomorrow, cannot wait",
    "traffic on the M25 is terrible again this morning",
]


def test_a_copy_without_its_link_is_a_near_repeat_and_a_new_tweet_is_not() -> None:
    sims = data.max_similarity([
        "Here's the line-up for Thursday: Kasich is in, Perry is out in the first debate #InTheCLE",  # link gone
        "Jennifer Aniston shows off her figure at the fashion bash - The Sun via @user",  # handle rewritten
        "my phone battery died twice today, really annoying",
    ], POOL)
    assert sims[0] >= 0.8 and sims[1] >= 0.8
    assert sims[2] < data.NEAR_REPEAT


def test_unmatched_val_drops_the_repeats_and_keeps_each_label_with_its_tweet(monkeypatch: pytest.MonkeyPatch) -> None:
    val = Labelled("tweeteval-val", "synthetic",
                   ["Jennifer Aniston shows off her figure at the fashion bash - The Sun",
                    "my phone battery died twice today, really annoying",
                    "so happy the new season starts tomorrow, cannot wait!!",
                    "lovely walk by the river with the dog"],
                   ["neutral", "negative", "positive", "positive"])
    monkeypatch.setattr(data, "tweeteval_val", lambda: val)
    monkeypatch.setattr(data, "semeval_pool", lambda: Labelled("sentiment", "synthetic", POOL, ["neutral"] * 4))
    kept = data.tweeteval_val_unmatched()
    assert kept.name == "tweeteval-val-unmatched"
    assert list(zip(kept.texts, kept.labels, strict=True)) == [
        ("my phone battery died twice today, really annoying", "negative"),
        ("lovely walk by the river with the dog", "positive")]


def test_the_real_val_keeps_1259_of_its_2000_tweets() -> None:
    """709 val tweets repeat a pool tweet at cosine 0.8 or more, 741 at 0.5 (model card)."""
    if not data.shared_data_dir().is_dir():
        pytest.skip(f"shared datasets not found at {data.shared_data_dir()}")
    kept = data.tweeteval_val_unmatched()
    assert len(data.tweeteval_val()) == 2000 and len(kept) == 1259
    assert set(kept.labels) == {"negative", "neutral", "positive"}
