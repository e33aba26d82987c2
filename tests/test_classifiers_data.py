"""The intent training mix and the auxiliary severity task, read from ../shared/data (skips without it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classifiers import data
from classifiers.lora import severity_task


@pytest.fixture(autouse=True)
def _shared() -> None:
    if not data.shared_data_dir().is_dir():
        pytest.skip(f"shared datasets not found at {data.shared_data_dir()}")


def test_refund_and_billing_have_tweet_shaped_rows() -> None:
    """Short "@brand refund please" tweets were predicted "other" when every @-row came from
    airline/random chatter; the mix must give refund_return and billing @-prefixed rows too."""
    mix, groups = data.intents(250, 13)
    for label in ("refund_return", "billing"):
        rows = [t for t, y in zip(mix.texts, mix.labels, strict=True) if y == label]
        tweet_like = [t for t in rows if t.startswith("@")]
        assert len(tweet_like) > 0.3 * len(rows), (label, len(tweet_like), len(rows))
    assert "airline" in {g for g, y in zip(groups, mix.labels, strict=True) if y == "refund_return"}


def test_banking_handle_prefix_is_stable_and_partial() -> None:
    a, b = data._intent_banking(), data._intent_banking()
    assert a == b
    share = sum(t.startswith("@") for t, _ in a) / len(a)
    assert 0.4 < share < 0.6


def test_severity_task_covers_the_given_complaint_rows() -> None:
    comp = data.complaints().subsample(300)
    sev = severity_task(comp)
    assert len(sev) >= 0.99 * len(comp)
    assert set(sev.labels) <= {"0", "1", "2", "3", "4"}
    by_text = dict(zip(comp.texts, comp.labels, strict=True))
    assert all((y == "0") == (by_text[t] == "0") for t, y in zip(sev.texts, sev.labels, strict=True))


def test_seen_texts_are_the_training_parts_the_adapter_was_cut_from() -> None:
    from classifiers.lora import HELD_OUT, adapter_tasks, held_out_split, seen_texts, task_sets

    assert seen_texts({"held_out": None}) is None  # an adapter trained on every row: nothing is unseen
    seen = seen_texts({"held_out": HELD_OUT})
    assert seen is not None
    tasks = adapter_tasks(sentiment_n=500)
    for name, lab in tasks.items():  # everything it trains on counts as seen ...
        assert set(lab.texts) <= seen["complaint" if name == "severity" else name], name
    held = held_out_split(task_sets(), HELD_OUT)["complaint"][1]
    assert not seen["complaint"] & set(held.texts)  # ... and the 20 % holdout never does
    assert 0.19 < len(held) / len(data.complaints()) < 0.21


def test_fincorp_severity_words_map_onto_the_xci_scale() -> None:
    """X-FINCORP writes severity as words; the sweep's extra severity rows use the 0-4 scale of
    complaints-xci-severity, and only complaints carry a level above 0."""
    assert sorted(data.FINCORP_SEVERITY.values()) == list(data.SEVERITIES)
    rows = data.fincorp_severity()
    assert len(rows) > 5000 and set(rows.labels) == set(data.SEVERITIES)
    assert rows.labels.count("0") < 0.55 * len(rows)  # about half are non-complaints


def test_sarcasm_training_keeps_the_checked_airline_tweets_out_and_labels_each_group() -> None:
    """The sarcasm head's real tweets must not include the airline sample the sentiment check scores,
    every real tweet has a positive word (the head only ever sees such posts), and the hand-written
    files are the groups leave-one-annotator-out holds out."""
    from classifiers.postprocess import has_praise

    lab, groups, kinds = data.praise_sarcasm(200)
    written = [g for g in groups if g.endswith(".csv")]
    assert len(set(written)) >= 2 and len(written) == sum(1 for k in kinds if not k.startswith(("airline", "semeval")))
    rows = zip(lab.texts, lab.labels, groups, kinds, strict=True)
    real = [(t, y, k) for t, y, g, k in rows if not g.endswith(".csv")]
    assert len(real) == 400 and all(has_praise(t) for t, _, _ in real)
    assert not {t for t, _, _ in real} & set(data.airline_check().texts)
    assert all(y == ("1" if k == "airline-negative" else "0") for _, y, k in real)
    assert set(lab.labels) == {"0", "1"}


def test_the_external_complaint_checks_read_their_labels() -> None:
    """CESAMARD and X-FINCORP as complaint checks (``benchmarks/external_complaints.py``): every row
    keeps its label, the review text carries its title, and no row is in the complaint training set."""
    reviews, sarcastic = data.cesamard()
    assert len(reviews) == len(sarcastic) == 3117
    assert set(reviews.labels) == {"0", "1"} and reviews.labels.count("1") == 1043
    assert sum(sarcastic) == 79 and all(". " in t for t in reviews.texts)
    fin, sev = data.fincorp_complaints(), data.fincorp_severity()
    assert len(fin) == len(sev) and all((y == "1") == (s != "0") for y, s in zip(fin.labels, sev.labels, strict=True))
    trained = set(data.complaints().texts)
    assert not trained & set(reviews.texts) and not trained & set(fin.texts)


@pytest.mark.parametrize("content,words", [
    ("", "the file is empty; it needs a header line with 'text' and 'label'"),  # said "has None"
    ('text,label\n"fine,positive\nnext,negative\n', "line 3 has no 'label' value (a quote left open"),  # said ['']
    ("body,sentiment\nhello,positive\n", "needs 'text' and 'label' columns, has body, sentiment"),
    # both were scored and counted: part of a post, and a blank one
    ("text,label\nlate again, and rude,negative\n", "line 2 has more values than the header names"),
    ("text,label\ngood,positive\n  ,neutral\n", "line 3 has no text"),
])
def test_an_evaluation_file_that_cannot_be_read_says_why(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(words)):
        data.read_eval_csv(path)
    path.write_text('text,label\n"a, quoted ""post""",positive\n', encoding="utf-8")
    assert data.read_eval_csv(path) == (['a, quoted "post"'], ["positive"])
