"""A tiny training run end to end (CI smoke), and the ``careline evaluate`` / ``classify`` commands."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.abc import INTENTS, SENTIMENTS
from classifiers.cli import classify, evaluate
from classifiers.cli import train as train_command
from classifiers.data import Labelled
from classifiers.minilm import DEFAULT_MODEL_DIR, MiniLMClassifier
from classifiers.train import TrainConfig, TrainSets, train

os.environ["HF_HUB_OFFLINE"] = "1"

GOOD = ["thanks, great service", "love the new app", "arrived early, perfect", "brilliant support team"]
BAD = ["my order never arrived", "charged twice, refund me", "app crashes on login", "worst support ever"]


def _tiny(name: str, labels: list[str], n: int = 64) -> Labelled:
    texts = [f"{(GOOD if i % 2 == 0 else BAD)[i // 2 % 4]} #{i}" for i in range(n)]
    return Labelled(name, "synthetic", texts, [labels[i % 2] if len(labels) == 2 else labels[i % len(labels)]
                                               for i in range(n)])


def test_tiny_training_run_writes_a_loadable_model(tmp_path: Path) -> None:
    sets = TrainSets(train={
        "sentiment": _tiny("sentiment", ["positive", "negative"]),
        "complaint": _tiny("complaint", ["0", "1"]),
        "detractor": _tiny("detractor", ["0", "1"]),
        "intent": _tiny("intent", ["praise", "delivery"]),
    })
    cfg = TrainConfig(tmp_path / "model", folds=2, c_grid=(1.0,), cache_dir=tmp_path / "cache")
    manifest = train(cfg, sets)
    assert (tmp_path / "model" / "heads.safetensors").stat().st_size < 100_000
    assert manifest["metrics"]["complaint"]["cv"]["macro_f1"] > 0.9  # separable toy data
    assert manifest["training_data"]["complaint"]["n"] == 64
    assert list(tmp_path.joinpath("cache").glob("*.npy"))  # embeddings cached outside the model dir

    clf = MiniLMClassifier(tmp_path / "model")
    clf.load()
    good, bad = clf.predict(["great service, thanks", "my order never arrived"])
    assert bad.complaint > 0.5 > good.complaint
    assert set(good.sentiment) == set(SENTIMENTS) and set(good.intent) == set(INTENTS)
    assert clf.version == manifest["version"]


def test_calibration_is_fitted_on_the_rows_the_adapter_never_saw() -> None:
    """An adapter separates its own training rows cleanly and new text less so: a calibration map
    fitted on every row is overconfident on new text, one fitted on the unseen rows is not."""
    import numpy as np

    from classifiers.heads import calibrate
    from classifiers.metrics import ece
    from classifiers.train import train_head

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 900)
    unseen = np.arange(900) >= 600
    margin = np.where(unseen, 0.6, 3.0)  # seen rows far apart, unseen ones close
    x = rng.normal(0, 1, (900, 8))
    x[:, 0] += (2 * y - 1) * margin
    labels = [str(v) for v in y]
    cfg = TrainConfig(Path("unused"), folds=5, c_grid=(1.0,))
    plain, _ = train_head("complaint", x, labels, cfg)
    head, report = train_head("complaint", x, labels, cfg, unseen=unseen)
    assert head.calibration["a"] < 0.8 * plain.calibration["a"]  # trusts the head less
    assert report["unseen"]["n"] == 300 and report["cv"]["macro_f1"] > report["unseen"]["macro_f1"]
    # C is scored by the calibrated head on the unseen rows, not on all of them
    assert report["unseen_macro_f1_by_C"]["1.0"] == report["unseen"]["macro_f1"] != report["cv"]["macro_f1"]
    new_y = rng.integers(0, 2, 2000)  # fresh rows drawn like the unseen ones
    new_x = rng.normal(0, 1, (2000, 8))
    new_x[:, 0] += (2 * new_y - 1) * 0.6
    z = head.logits(new_x)
    assert ece(calibrate(z, head.calibration), new_y) < ece(calibrate(z, plain.calibration), new_y) - 0.02


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)
    return path


COMPLAINTS = [
    ("@acme my parcel is two weeks late and nobody replies", "1"),
    ("@acme charged me twice for one order, fix this", "1"),
    ("@acme your app crashes every time I log in", "1"),
    ("@acme worst customer service I have ever had", "1"),
    ("@acme thanks for the quick help today!", "0"),
    ("Lovely sunny afternoon in the park", "0"),
    ("@acme what time do you open on Sunday?", "0"),
    ("Watching the game tonight with friends", "0"),
]


def test_evaluate_prints_json_metrics(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "c.csv", COMPLAINTS)
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(data), "--json",
                                        "--model-dir", str(DEFAULT_MODEL_DIR)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["task"] == "complaint" and out["n"] == 8
    assert set(out) >= {"macro_f1", "macro_recall", "accuracy", "auroc", "brier", "model_version"}
    assert out["auroc"] >= 0.8 and out["accuracy"] >= 0.75
    assert out["model_version"].startswith("careline-tagger-")


def test_evaluate_detractor_scores_and_sentiment_with_explicit_vader(tmp_path: Path) -> None:
    nps = _write_csv(tmp_path / "n.csv", [("terrible, never again", "0"), ("awful wait", "3"),
                                          ("fine", "7"), ("excellent, thank you", "10")])
    res = CliRunner().invoke(evaluate, ["--task", "detractor", "--data", str(nps), "--json", "--kind", "vader"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model_version"].startswith("vader") and 0 <= out["brier"] <= 1 and out["auroc"] is not None
    sent = _write_csv(tmp_path / "s.csv", [("I love it", "positive"), ("I hate it", "negative")])
    res = CliRunner().invoke(evaluate, ["--task", "sentiment", "--data", str(sent), "--json", "--kind", "vader"])
    out = json.loads(res.stdout)
    assert "auroc" not in out and out["accuracy"] == 1.0


def test_evaluate_rejects_bad_labels(tmp_path: Path) -> None:
    bad = _write_csv(tmp_path / "b.csv", [("x", "maybe")])
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(bad), "--kind", "vader"])
    assert res.exit_code != 0 and "line 2: label 'maybe' is not one of 0, 1" in res.output, res.output


@pytest.mark.parametrize("as_json", [True, False])
def test_classify_prints_scores_and_reasons(as_json: bool) -> None:
    text = "Third time asking: my refund is still missing, I'll cancel my account"
    args = [text, "--kind", "vader", "--followers", "50000"] + (["--json"] if as_json else [])
    res = CliRunner().invoke(classify, args)
    assert res.exit_code == 0, res.output
    if as_json:
        out = json.loads(res.stdout)
        assert out["urgency"] > 0.5 and out["effort"] > 0
        assert any("threat to leave" in r for r in out["reasons"])
    else:
        assert "complaint:" in res.output and "urgency:" in res.output and "author reach" in res.output


@pytest.mark.filterwarnings("ignore::FutureWarning")  # transformers deprecation inside peft
def test_lora_smoke_run_saves_a_small_portable_adapter(tmp_path: Path) -> None:
    from classifiers.encoder import Encoder
    from classifiers.lora import BASE_MODEL_REF, LoraConfig, train_lora

    adapter = train_lora(LoraConfig(tmp_path / "adapter", max_steps=2, batch_size=8),
                         {"complaint": _tiny("complaint", ["0", "1"], n=16)})
    files = {p.name: p.stat().st_size for p in adapter.iterdir()}
    assert set(files) == {"adapter_config.json", "adapter_model.safetensors", "training.json"}
    assert files["adapter_model.safetensors"] < 6_000_000  # rank 32: 5.4 MB; the artifact budget is 10 MB in all
    conf = json.loads((adapter / "adapter_config.json").read_text())
    assert conf["base_model_name_or_path"] == BASE_MODEL_REF and conf["r"] == 32
    record = json.loads((adapter / "training.json").read_text())
    assert record["steps"] == 2 and record["recipe"]["rank"] == 32 and record["device"] == "cpu"
    assert record["tasks"] == {"complaint": {"source": "synthetic", "rows": 16}}
    enc = Encoder(adapter_dir=adapter)
    enc.load()
    assert enc.embed(["my order never arrived"]).shape == (1, 384)


def test_retraining_heads_keeps_the_adapter_the_model_already_has(tmp_path: Path) -> None:
    """``careline train`` with no flags must not silently swap the shipped LoRA model for a frozen one."""
    from classifiers.cli import _current_adapter
    from classifiers.minilm import DEFAULT_MODEL_DIR

    assert _current_adapter(DEFAULT_MODEL_DIR) == DEFAULT_MODEL_DIR / "adapter"
    assert _current_adapter(tmp_path) is None  # no model yet: frozen heads
    res = CliRunner().invoke(train_command, ["--frozen", "--lora", "1", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "choose one of" in res.output


def test_embedding_cache_never_mixes_precisions(tmp_path: Path) -> None:
    from classifiers.encoder import Encoder
    from classifiers.train import EmbeddingCache

    tags = {p: EmbeddingCache(Encoder(precision=p), tmp_path, None).tag for p in ("fp32", "bf16", "int8")}
    assert len(set(tags.values())) == 3
    assert tags["fp32"] == "minilm|128|base"  # fp32 keys unchanged, so existing caches stay valid


def test_holdout_report_scores_unseen_rows_with_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m classifiers.holdout`` on tiny stand-in sets (the real ones take minutes to embed):
    every figure the model card quotes is there, and a separable set scores far above chance."""
    from classifiers import data, holdout

    monkeypatch.setattr(data, "complaints", lambda: _tiny("complaint", ["0", "1"], n=60))
    monkeypatch.setattr(data, "nps_detractor", lambda: _tiny("detractor", ["0", "1"], n=60))
    monkeypatch.setattr(data, "intents", lambda *a: (_tiny("intent", list(INTENTS), n=100), []))
    monkeypatch.setattr(data, "semeval_pool", lambda: _tiny("sentiment", ["positive", "negative"], n=60))
    monkeypatch.setattr(data, "tweeteval_val", lambda: _tiny("tweeteval-val", ["positive", "negative"], n=20))
    monkeypatch.setattr(data, "airline_sentiment", lambda: _tiny("airline", ["positive", "negative"], n=20))
    rep = holdout.report(None)
    assert set(rep) == {"complaint", "detractor", "intent (old mix labels)", "sentiment tweeteval-val",
                        "sentiment airline"}
    complaint = rep["complaint"]
    assert complaint["n"] == 12 and complaint["auroc"] > 0.9  # 20 % of 60, never fitted on
    lo, hi = complaint["macro_f1_ci95"]
    assert lo <= complaint["macro_f1"] <= hi
    assert rep["sentiment tweeteval-val"]["macro_recall"] > 0.8 and "C" in rep["sentiment tweeteval-val"]


def test_bootstrap_interval_of_auroc_skips_resamples_with_one_class() -> None:
    """Four positives in 200 rows: some resamples hold none, where AUROC is undefined (scikit-learn
    returns NaN there, or raises); the interval is over the rest, not NaN."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from classifiers.metrics import bootstrap_ci

    rng = np.random.default_rng(0)
    y = np.r_[np.ones(4, int), np.zeros(196, int)]
    score = y + rng.normal(0, 0.8, 200)
    lo, hi = bootstrap_ci(roc_auc_score, y, score, n=300)
    assert 0.0 < lo < roc_auc_score(y, score) < hi <= 1.0
    assert np.isnan(bootstrap_ci(roc_auc_score, np.zeros(20, int), score[:20], n=20)).all()


SARCASM = [("great job losing my bag again, thanks @acme", "1"), ("thanks @acme, the crew were lovely", "0"),
           ("love waiting two hours on hold, brilliant service @acme", "1"), ("my parcel is late @acme", "0")]
GERMAN = ("Vielen Dank für die tolle Verspätung, jetzt verpasse ich meinen Anschluss in Frankfurt.", "1")


def test_evaluate_sarcasm_skips_non_english_rows_and_says_why(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "s.csv", [*SARCASM, GERMAN])
    res = CliRunner().invoke(evaluate, ["--task", "sarcasm", "--data", str(data), "--json", "--quiet",
                                        "--model-dir", str(DEFAULT_MODEL_DIR)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n"] == 4 and out["skipped_non_english"] == 1 and out["auroc"] is not None  # n: the rows scored
    assert "skipped 1 non-English row(s) (data row 5)" in res.stderr and "no sarcasm head" not in res.output
    only_german = _write_csv(tmp_path / "de.csv", [GERMAN])
    res = CliRunner().invoke(evaluate, ["--task", "sarcasm", "--data", str(only_german), "--quiet",
                                        "--model-dir", str(DEFAULT_MODEL_DIR)])
    assert res.exit_code == 2 and "reads English posts only" in res.output and "no sarcasm head" not in res.output


def test_evaluate_reads_a_byte_order_mark_and_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    bom = tmp_path / "excel.csv"
    bom.write_bytes(b"\xef\xbb\xbftext,label\r\nI love it,positive\r\nI hate it,negative\r\n")
    res = CliRunner().invoke(evaluate, ["--task", "sentiment", "--data", str(bom), "--json", "--kind", "vader"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n"] == 2
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text,label\nfine,positive\ncaf\u00e9 was awful,negative\n".encode("latin-1"))
    res = CliRunner().invoke(evaluate, ["--task", "sentiment", "--data", str(latin1), "--kind", "vader"])
    assert res.exit_code == 2 and "line 3 is not UTF-8 (byte 0xe9)" in res.output, res.output


def test_evaluate_refuses_a_field_over_the_csv_limit_and_a_label_column_named_twice(tmp_path: Path) -> None:
    """A 200,000-character field was a traceback (``_csv.Error``); two 'label' columns scored by the last."""
    long = tmp_path / "long.csv"
    long.write_text('text,label\nfine,1\n"' + "a" * 200_000 + '",1\n', encoding="utf-8")
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(long), "--kind", "vader"])
    assert res.exit_code == 2 and f"{long}: line 3: field larger than field limit" in res.output, res.output
    assert "Traceback" not in res.output
    twice = tmp_path / "twice.csv"
    twice.write_text("text,label,label\nmy bag is lost,1,0\n", encoding="utf-8")
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(twice), "--kind", "vader"])
    assert res.exit_code == 2 and "the header names 'label' twice" in res.output, res.output


def test_evaluate_checks_every_label_before_loading_the_model(tmp_path: Path) -> None:
    """A typo in the last row is found at once: with a model directory that does not exist, the label error
    comes first, so nothing was loaded or scored."""
    bad = _write_csv(tmp_path / "b.csv", [*COMPLAINTS, ("last row", "yes")])
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(bad), "--model-dir",
                                        str(tmp_path / "no-model")])
    assert res.exit_code == 2 and f"line {len(COMPLAINTS) + 2}: label 'yes' is not one of 0, 1" in res.output, \
        res.output


def test_evaluate_names_every_bad_row_at_once_by_its_line(tmp_path: Path) -> None:
    """A file with a blank text and two bad labels took three runs to fix: the blank row was said, then the labels,
    which named no line."""
    bad = tmp_path / "b.csv"
    bad.write_text("text,label\nmy bag is lost,1\nok thanks,yes\n,1\nsomething,2\nfine,0\n", encoding="utf-8")
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(bad), "--kind", "vader"])
    assert res.exit_code == 2, res.output
    said = [line.strip() for line in res.output.splitlines() if line.strip().startswith("line ")]
    assert said == ["line 3: label 'yes' is not one of 0, 1",
                    "line 4 has no text; a blank post would be scored and counted",
                    "line 5: label '2' is not one of 0, 1"], res.output


def test_evaluate_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "c.csv", COMPLAINTS * 5)
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(data), "--json", "--kind", "vader",
                                        "--batch-size", "8"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n"] == 40  # stdout is the JSON alone
    assert "evaluate: 100%" in res.stderr and "40/40" in res.stderr
    quiet = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(data), "--json", "--kind", "vader",
                                          "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


@pytest.mark.parametrize("size", ["0", "-5"])
def test_evaluate_refuses_a_batch_size_below_one(tmp_path: Path, size: str) -> None:
    data = _write_csv(tmp_path / "c.csv", COMPLAINTS)
    res = CliRunner().invoke(evaluate, ["--task", "complaint", "--data", str(data), "--kind", "vader",
                                        "--batch-size", size])
    assert res.exit_code == 2 and "Invalid value for '--batch-size'" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_a_relative_model_dir_is_read_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--model-dir mytagger`` was looked for in the Careline folder, and the error named that folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mytagger").mkdir()
    res = CliRunner().invoke(classify, ["--model-dir", "mytagger", "my flight was late"])
    assert res.exit_code != 0 and f"no trained model in {tmp_path / 'mytagger'}" in str(res.output) + str(
        res.exception), (res.output, res.exception)


SEVERE = [("@acme my parcel is three days late and nobody answers", "2"), ("thanks @acme, all sorted", "0"),
          ("@acme you lied to me about the refund, disgraceful", "4"), ("@acme where is my order?", "1")]
HUNGARIAN = ("Elveszett a bőröndöm Budapesten, három napja senki nem válaszol. Nagyon csalódott vagyok!", "2")


def test_evaluate_severity_skips_rows_no_encoder_reads_and_says_why(tmp_path: Path) -> None:
    """One Hungarian row (the keyword path, which gives no severity) made the whole evaluation say "this model
    has no severity head" and send a newcomer off to retrain."""
    data = _write_csv(tmp_path / "sev.csv", [*SEVERE, HUNGARIAN])
    res = CliRunner().invoke(evaluate, ["--task", "severity", "--data", str(data), "--json", "--quiet",
                                        "--model-dir", str(DEFAULT_MODEL_DIR)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n"] == 4 and out["skipped_unread_language"] == 1 and out["macro_f1"] is not None
    assert "skipped 1 row(s) in languages no encoder reads (hu) (data row 5)" in res.stderr
    only = _write_csv(tmp_path / "hu.csv", [HUNGARIAN])
    res = CliRunner().invoke(evaluate, ["--task", "severity", "--data", str(only), "--quiet",
                                        "--model-dir", str(DEFAULT_MODEL_DIR)])
    assert res.exit_code == 2 and "none of the 1 row(s) can be scored for severity" in res.output, res.output
    assert "no severity head" not in res.output
    res = CliRunner().invoke(evaluate, ["--task", "severity", "--data", str(data), "--quiet", "--kind", "vader"])
    assert res.exit_code == 2 and "this model has no severity head" in res.output, res.output
