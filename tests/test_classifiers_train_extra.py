"""Leave-one-annotator-out scoring of the sarcasm head, on synthetic embeddings (no model, no shared
data); the rows of the complaint head for posts with positive words (needs ../shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers import data
from classifiers.train import TrainConfig
from classifiers.train_extra import SARCASM_C_GRID, _leave_one_annotator_out, _praise_rows, main, refit_minilm_head


def test_each_written_file_is_scored_by_a_head_that_never_saw_it_and_real_tweets_stay_in_training() -> None:
    rng = np.random.default_rng(0)
    groups = [f"praise_sarcasm_{k}.csv" for k in (1, 2, 3) for _ in range(40)] + ["airline-sentiment"] * 40
    y = np.tile([1, 0], 80)
    # Each annotator's posts sit in their own corner of the space: a head must learn the label, not the writer.
    offset = {g: rng.normal(0, 0.5, 8) for g in set(groups)}
    x = np.stack([offset[g] + 5.0 * label * np.eye(8)[0] + rng.normal(0, 0.5, 8)
                  for g, label in zip(groups, y, strict=True)]).astype(np.float32)
    texts = [f"post {i} {'sarcastic' if label else 'sincere'} words" for i, label in enumerate(y)]
    lab = data.Labelled("sarcasm", "synthetic", texts, [str(v) for v in y])
    kinds = ["sarcasm" if v else "praise" for v in y]
    report = _leave_one_annotator_out(x, lab, groups, kinds, TrainConfig(Path("."), ngram_heads=(),
                                                                           c_grid=SARCASM_C_GRID))
    assert set(report["by_file"]) == {"praise_sarcasm_1.csv", "praise_sarcasm_2.csv", "praise_sarcasm_3.csv"}
    assert report["n"] == 120  # the real tweets are never held out, so never scored
    assert report["macro_f1"] > 0.9 and all(v > 0.8 for v in report["by_file"].values())


@pytest.mark.skipif(not data.shared_data_dir().exists(), reason="needs the labelled sets in ../shared/data")
def test_praise_head_adds_only_sincere_written_posts_and_never_calibrates_on_them() -> None:
    from classifiers.minilm import DEFAULT_MODEL_DIR

    lab, strata, unseen, groups = _praise_rows(DEFAULT_MODEL_DIR)
    written = [i for i, g in enumerate(groups) if g]
    posts, _, _ = data.praise_sarcasm(0)
    assert len(written) == posts.labels.count("0") > 0  # every sincere post, no sarcastic one
    assert all(lab.labels[i] == "0" and strata[i].startswith("written:") for i in written)
    assert not unseen[written].any()  # C and the calibration map are chosen on real unseen rows only
    real = [i for i, g in enumerate(groups) if not g]
    assert unseen[real].sum() > 100 and {lab.labels[i] for i in real} == {"0", "1"}


@pytest.mark.skipif(not data.shared_data_dir().exists(), reason="needs the labelled sets in ../shared/data")
def test_complaint_negatives_are_seen_non_complaints_with_praise_and_never_a_row_the_gate_scores() -> None:
    """The optional sarcasm rows from the complaint set are non-complaints with a positive word that the
    adapter trained on; the rows every gate is scored on (the complaint rows it never saw) stay out, so
    the sarcasm head scoring them in ``_praise_crossfit`` has still never seen them."""
    from classifiers.minilm import DEFAULT_MODEL_DIR
    from classifiers.postprocess import has_praise
    from classifiers.train_extra import COMPLAINT_SEEN, sarcasm_rows

    plain, _, _ = sarcasm_rows(DEFAULT_MODEL_DIR, 100)
    lab, files, _ = sarcasm_rows(DEFAULT_MODEL_DIR, 100, complaint_negatives=True)
    added = [i for i, f in enumerate(files) if f == COMPLAINT_SEEN]
    assert len(added) > 100 and len(lab) == len(plain) + len(added)
    assert all(lab.labels[i] == "0" and has_praise(lab.texts[i]) for i in added)
    real, _, unseen, _ = _praise_rows(DEFAULT_MODEL_DIR)
    scored = {real.texts[i] for i in np.flatnonzero(unseen)}
    assert scored and not scored & {lab.texts[i] for i in added}


def test_refit_takes_only_the_detractor_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The other heads are read by heads fitted after them (the complaint head by the sarcasm gate) or
    drawn by careline train's samplers: refitting one alone would not reproduce the model, so the
    option refuses before it reads a file."""
    for name in ("complaint", "sentiment"):
        with pytest.raises(ValueError, match="one of detractor"):
            refit_minilm_head(tmp_path, name)
    with pytest.raises(SystemExit):
        main(["--refit", "intent", "--model-dir", str(tmp_path)])
    assert "invalid choice: 'intent'" in capsys.readouterr().err


def test_foreign_intent_scores_each_annotator_with_a_head_that_never_saw_them() -> None:
    """Leave one annotator out: changing one file's labels moves the other files' logits, never its own."""
    from classifiers.abc import INTENTS
    from classifiers.train_extra import TaskRows, _task_loao_logits

    rng = np.random.default_rng(3)
    k = len(INTENTS)
    english_y = np.arange(60) % k
    written_y = np.arange(40) % k
    rows = TaskRows(rng.normal(size=(60, 6)) + english_y[:, None] * 0.1, english_y,
                    rng.normal(size=(40, 6)), written_y, np.asarray(["de"] * 40),
                    np.asarray(["intent_1.csv"] * 20 + ["intent_2.csv"] * 20))
    every = np.arange(40)
    z = _task_loao_logits(rows, every, 0.1, 3, k)
    rows.y = np.r_[written_y[:20][::-1], written_y[20:]]  # the first file relabelled
    moved = _task_loao_logits(rows, every, 0.1, 3, k)
    np.testing.assert_allclose(moved[:20], z[:20])
    assert not np.allclose(moved[20:], z[20:])


def test_far_from_drops_rewordings_of_a_training_post() -> None:
    from classifiers.train_extra import far_from

    seen = np.asarray([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    x = np.asarray([[2.0, 0.1, 0.0], [0.6, 0.6, 0.5], [0.0, 0.0, -1.0]])
    assert far_from(x, seen).tolist() == [False, True, True]
    assert far_from(x, np.zeros((0, 3))).tolist() == [True, True, True]


def test_corrected_intents_join_the_written_posts_as_one_more_annotator(tmp_path: Path) -> None:
    """``careline readings export --task intent`` rows train the foreign intent head as their own group;
    a correction to a brand's own intent is left out, and a file that is not such an export is refused."""
    import csv

    path = tmp_path / "corrected.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "language", "brand", "platform", "model_label", "corrected_by", "corrected_at"])
        w.writerow(["Ich will mein Geld zurück, Flug gestrichen", "refund_return", "de", "skylark", "x", "billing",
                    "ada", "2026-12-05T10:00:00Z"])
        w.writerow(["=HYPERLINK(\"x\")", "lost_pet", "de", "skylark", "x", "other", "ada", "2026-12-05T10:00:00Z"])
    written, languages, files = data.intent_written([path])
    base, _, base_files = data.intent_written()
    assert len(written) == len(base) + 1 and files[:-1] == base_files
    assert (written.texts[-1], written.labels[-1], languages[-1], files[-1]) == (
        "Ich will mein Geld zurück, Flug gestrichen", "refund_return", "de", "corrected.csv")
    bad = tmp_path / "not-an-export.csv"
    bad.write_text("text,label\nhallo,other\n", encoding="utf-8")
    with pytest.raises(ValueError, match="careline readings export --task intent"):
        data.intent_written([bad])
    with pytest.raises(SystemExit):
        main(["--readings", str(path)])  # only with one of --foreign-intent and --foreign-sentiment
    with pytest.raises(SystemExit):
        main(["--readings", str(path), "--foreign-intent", "--foreign-sentiment"])


def test_detractor_blend_is_scored_by_a_head_and_blend_that_never_saw_the_annotator() -> None:
    """Nested leave one annotator out: relabelling one file's survey comments moves the other files'
    blended scores (their heads and blends trained on it), never its own."""
    from classifiers.train_extra import DetractorRows, TaskRows, _nested_blend, _task_weights

    rng = np.random.default_rng(5)
    english_y = np.arange(60) % 2
    written_y = np.r_[np.arange(30) % 2, np.arange(30) % 2, np.arange(30) % 2]
    rows = TaskRows(rng.normal(size=(60, 6)) + english_y[:, None] * 0.5, english_y,
                    rng.normal(size=(90, 6)) + written_y[:, None] * 0.5, written_y, np.asarray(["de"] * 90),
                    np.asarray([f"nps_{k}.csv" for k in (1, 2, 3) for _ in range(30)]))
    d = DetractorRows(rows, np.r_[np.zeros(45, int), np.ones(45, int)], rng.uniform(0.1, 0.9, 90),
                      rng.normal(size=90), np.zeros(90))

    def head(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        w, b = _task_weights(rows, train, 0.1, 3, 1)
        return (rows.x[test] @ w.T + b)[:, 0]

    p = _nested_blend(d, head)
    assert ((p > 0) & (p < 1)).all()
    rows.y = np.r_[1 - written_y[:30], written_y[30:]]  # the first file relabelled
    moved = _nested_blend(d, head)
    np.testing.assert_allclose(moved[:30], p[:30])
    assert not np.allclose(moved[30:], p[30:])


def test_written_survey_comments_are_labelled_detractor_at_six_or_under() -> None:
    import csv

    written, languages, files = data.nps_written()
    assert len(written) == 720 and sorted(set(files)) == [f"nps_{k}.csv" for k in (1, 2, 3, 4)]
    assert len(set(languages)) == 15 and "en" not in languages
    with (data.REPO_ROOT / "data" / "train" / "nps_1.csv").open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert written.texts[0] == first["text"] and written.labels[0] == ("1" if int(first["score"]) <= 6 else "0")
    assert written.labels.count("1") == 300  # 5 of every 12 comments a language and annotator


def test_a_refused_refit_keeps_the_report_of_what_ships(tmp_path: Path) -> None:
    """Rerunning a fit whose rule refuses it changes no weight, so the manifest must go on describing
    the shipped fit (the runtime reads a fit's languages and input from its report); the refusal is
    kept beside it, and dropped once a later run is adopted."""
    import json
    import shutil

    from classifiers.multilingual import DEFAULT_DIR, FOREIGN_DETRACTOR_KEY, MultilingualHeads
    from classifiers.train_extra import REFUSED, _rewrite_multilingual, latest_fit

    out = tmp_path / "ml"
    shutil.copytree(DEFAULT_DIR, out)
    heads = MultilingualHeads(out, threads=1)
    heads.load()
    shipped = json.loads(json.dumps(heads.manifest[FOREIGN_DETRACTOR_KEY]))
    weights, version = (out / "heads.safetensors").read_bytes(), heads.manifest["version"]
    refused = {"shipped": False, "shipped_input": "", "rule": "a run its rule refused"}
    m = _rewrite_multilingual(out, heads, FOREIGN_DETRACTOR_KEY, refused, adopted=False)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk[FOREIGN_DETRACTOR_KEY] == shipped and on_disk[FOREIGN_DETRACTOR_KEY + REFUSED] == refused
    assert latest_fit(m, FOREIGN_DETRACTOR_KEY) == refused  # what the CLI prints: the run just made
    assert (out / "heads.safetensors").read_bytes() == weights
    assert m["version"].split("-")[3:] == version.split("-")[3:]  # same weights, same digest (the date may move)
    adopted = {**shipped, "rule": "a later run its rule adopted"}
    m = _rewrite_multilingual(out, heads, FOREIGN_DETRACTOR_KEY, adopted)
    assert m[FOREIGN_DETRACTOR_KEY] == adopted and FOREIGN_DETRACTOR_KEY + REFUSED not in m
    assert latest_fit(m, FOREIGN_DETRACTOR_KEY) == adopted
