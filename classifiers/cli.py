"""``careline train | classify | evaluate``: the classifier stage's command-line surface.

``careline/cli.py`` picks up ``COMMANDS`` from here, so the stage owns its commands. Heavy imports
(torch, transformers) happen inside the commands, keeping ``careline --help`` instant.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from careline.terminal import safe_line
from classifiers.abc import INTENTS, SENTIMENTS, Classifier, Prediction
from classifiers.data import SEVERITIES, is_detractor

TASKS = ("sentiment", "complaint", "detractor", "intent", "severity", "sarcasm")


def _settings() -> Any:
    """The settings of the file the top-level ``careline --config`` named (else the defaults): the group keeps its
    loaded settings on the click context, so every command reads the same file."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if obj is not None and hasattr(obj, "settings"):
        return obj.settings
    from careline.settings import load_settings

    return load_settings()


def _settings_classifier() -> Any:
    """The classifier settings of that file (:func:`_settings`)."""
    return _settings().classifier


def typed_path(value: str | None) -> Path | None:
    """A directory given on the command line, read from the folder the command runs in (``--model-dir
    mytagger`` looked in the Careline folder, and said there was no model there). ``classifier.model_dir`` in
    the settings stays relative to the Careline folder, where the shipped model is."""
    return Path(value).absolute() if value else None


def _make_classifier(kind: str | None, model_dir: str | None) -> Classifier:
    from classifiers.minilm import build_classifier

    whole = _settings()
    settings = whole.classifier
    # the brands' own intents, as the service reads posts with them: "my bag is lost" read as delivery here while
    # the queue tagged it lost_baggage
    intents = whole.brand_intents()
    clf = build_classifier(kind or settings.kind, typed_path(model_dir) or settings.model_dir, threads=settings.threads,
                           precision=settings.precision, extra_intents=intents or None)
    clf.load()
    return clf


@click.command()
@click.option("--out", "out_dir", default=None,
              help="Model directory, relative to the current folder (default: classifier.model_dir).")
@click.option("--limit", type=int, default=None, help="Cap every training set (quick smoke runs).")
@click.option("--sentiment-n", type=int, default=100_000, show_default=True,
              help="SemEval pool rows for the sentiment head, at most (the pool has 48,057, so the default takes all).")
@click.option("--folds", type=int, default=5, show_default=True, help="Cross-validation folds.")
@click.option("--lora", "lora_epochs", type=int, default=0, show_default=True,
              help="First fine-tune a new LoRA adapter (the shipped recipe: rank 32, severity task) for this "
                   "many epochs on the 80 % part of every set (~12 CPU min each, under a minute on a GPU), "
                   "then fit heads; the 20 % it never saw calibrates them.")
@click.option("--adapter", "adapter_dir", default=None,
              help="LoRA adapter directory to embed with (copied into --out). Default: the one already "
                   "in --out, so retraining the heads keeps the shipped adapter.")
@click.option("--frozen", is_flag=True, help="Heads on the plain encoder, no adapter (the first model's recipe).")
@click.option("--yes", is_flag=True, help="Replace a model already in --out without asking (for scripts).")
def train(out_dir: str | None, limit: int | None, sentiment_n: int, folds: int, lora_epochs: int,
          adapter_dir: str | None, frozen: bool, yes: bool) -> None:
    """Train the English path's heads on ../shared/data (CPU, minutes) and write manifest + weights.

    Without --adapter, --lora or --frozen the heads are fitted on the adapter of the model already in --out,
    or, for a new folder, on the configured model's (the shipped one). A model already in --out is replaced
    only after a question (--yes skips it; without a terminal the command refuses instead). The labelled sets
    are read in place from ../shared/data beside the repository ($CARELINE_SHARED_DATA points elsewhere); they do
    not ship with it. Not trained here: the severity, sarcasm and praise-complaint heads
    (python -m classifiers.train_extra) and the multilingual model (careline-multilingual)."""
    import shutil

    from tqdm import tqdm

    from classifiers.data import REPO_ROOT, shared_data_dir
    from classifiers.train import TrainConfig
    from classifiers.train import train as run_train

    if sum([bool(lora_epochs), bool(adapter_dir), frozen]) > 1:
        raise click.UsageError("choose one of --lora, --adapter and --frozen")
    if not shared_data_dir().is_dir():  # a clean clone: it ended in a FileNotFoundError traceback
        raise click.UsageError(f"no labelled data at {shared_data_dir()}: training reads the sets in ../shared/data "
                               "beside the repository (or $CARELINE_SHARED_DATA); they do not ship with Careline")
    configured = Path(_settings_classifier().model_dir)
    configured = configured if configured.is_absolute() else REPO_ROOT / configured
    target = typed_path(out_dir) or configured
    if not target.is_absolute():
        target = REPO_ROOT / target
    if (target / "manifest.json").exists() and not yes:
        _confirm_replace(target)
    adapter: Path | None = None
    if lora_epochs:
        from classifiers.lora import HELD_OUT, LoraConfig, adapter_tasks, train_lora

        tasks = adapter_tasks()
        if limit:
            tasks = {k: v.subsample(limit) for k, v in tasks.items()}
        adapter = train_lora(LoraConfig(target / "adapter", epochs=lora_epochs), tasks, held_out=HELD_OUT,
                             progress=lambda desc, n: tqdm(total=n, desc=desc, unit="batch"))
    elif adapter_dir:
        adapter = target / Path(adapter_dir).name
        if Path(adapter_dir).resolve() != adapter.resolve():
            shutil.copytree(adapter_dir, adapter, dirs_exist_ok=True)
    elif not frozen:  # a new folder gets a copy of the configured model's adapter, not silently the plain encoder
        adapter = _current_adapter(target)
        shipped = _current_adapter(configured) if adapter is None else None
        if shipped is not None:
            adapter = target / shipped.name
            shutil.copytree(shipped, adapter, dirs_exist_ok=True)
    click.echo(f"encoder: {'base + adapter ' + str(adapter) if adapter else 'base (frozen)'}")
    cfg = TrainConfig(target, folds=folds, sentiment_n=sentiment_n, limit=limit, adapter_dir=adapter)
    manifest = run_train(cfg, progress=lambda desc, n: tqdm(total=n, desc=desc, unit="text"))
    click.echo(f"wrote {target} ({manifest['version']})")
    for head, report in manifest["metrics"].items():
        for kind in ("cv", "unseen"):
            if kind not in report:
                continue
            m = report[kind]
            extra = f" auroc={m['auroc']:.3f} brier={m['brier']:.3f} ece={m['ece']:.3f}" if "auroc" in m else ""
            click.echo(f"  {head:<10} {kind:<6} macro-F1={m['macro_f1']:.3f} "
                       f"macro-recall={m['macro_recall']:.3f}{extra}")
    click.echo("The severity, sarcasm and praise-complaint heads are fitted on top of these, in this order: "
               f"python -m classifiers.train_extra --minilm --sarcasm --praise-complaint --model-dir {target}")


def _confirm_replace(target: Path) -> None:
    """Ask before a training run overwrites a model (the shipped one, by default): it takes minutes and cannot
    be undone but by git."""
    import sys

    words = f"{target} holds a model; training writes over it"
    if not sys.stdin.isatty():
        raise click.UsageError(f"{words}. Give --out a new folder, or --yes to replace it.")
    if not click.confirm(f"{words}. Replace it?", default=False, err=True):
        raise click.ClickException("nothing was trained")


def _current_adapter(model_dir: Path) -> Path | None:
    """The adapter the model in ``model_dir`` already uses, if any."""
    from classifiers.minilm import manifest_adapter

    manifest = model_dir / "manifest.json"
    if not manifest.exists():
        return None
    adapter = manifest_adapter(model_dir, json.loads(manifest.read_text(encoding="utf-8")))
    return adapter if adapter is not None and adapter.is_dir() else None


@click.command()
@click.argument("texts", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(["minilm", "vader"]), default=None, help="Override classifier.kind.")
@click.option("--model-dir", default=None,
              help="Override classifier.model_dir (a relative path is read from the current folder).")
@click.option("--followers", type=click.IntRange(min=0), default=0, help="Author followers, for the reach signal.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def classify(texts: Sequence[str], kind: str | None, model_dir: str | None, followers: int, as_json: bool) -> None:
    """Classify TEXT(s) and print every score with the reasons; a TEXT of "-" reads one post from standard input
    (as tone-check does).

    \b
    Example:
      careline classify "@SkylarkAir 200 of us stranded overnight, no hotel" --json
    """
    from classifiers.signals import compute_signals, urgency_with_model

    texts = [sys.stdin.read() if t == "-" else t for t in texts]  # "-" was classified as the text "-"
    if any(not t.strip() for t in texts):  # an empty text scored 0/0/0, which read as a reading of something
        raise click.BadParameter("a TEXT is empty: give the post's words", param_hint="TEXT")
    clf = _make_classifier(kind, model_dir)
    results = []
    for text, pred in zip(texts, clf.predict(list(texts)), strict=True):
        sig = compute_signals(text, followers=followers, intent=pred.intent_label)
        urgency = urgency_with_model(sig, pred.complaint, pred.sentiment.get("negative", 0.0))
        results.append({"text": text, "model_version": clf.version, **_pred_dict(pred),
                         "urgency": round(urgency, 3), "effort": round(sig.effort, 3),
                         "reasons": [*pred.reasons, *sig.reasons]})
    if as_json:
        click.echo(json.dumps(results if len(results) > 1 else results[0], indent=2))
        return
    for r in results:
        click.echo(f"text:       {safe_line(r['text'])}")  # what a stranger wrote: no escape reaches the terminal
        click.echo(f"model:      {r['model_version']}")
        click.echo("sentiment:  " + "  ".join(f"{k}={v:.3f}" for k, v in r["sentiment"].items()))
        click.echo(f"complaint:  {r['complaint']:.3f}")
        click.echo(f"detractor:  {r['detractor']:.3f}")
        top = sorted(r["intent"].items(), key=lambda kv: -kv[1])
        click.echo("intent:     " + "  ".join(f"{k}={v:.3f}" for k, v in top))
        click.echo(f"urgency:    {r['urgency']:.3f}   effort: {r['effort']:.3f}")
        click.echo(f"language:   {r['language'] or '-'} ({r['path'] or '-'}"
                   f"{'' if r['language_covered'] else ', NOT COVERED'})")
        if r["severity_level"] is not None or r["sarcasm"] is not None:
            click.echo(f"severity:   {r['severity_level']}   sarcasm: "
                       f"{'-' if r['sarcasm'] is None else format(r['sarcasm'], '.3f')}")
        for reason in r["reasons"]:
            click.echo(f"  - {reason}")


def _pred_dict(pred: Prediction) -> dict[str, Any]:
    return {"sentiment": {k: round(v, 4) for k, v in pred.sentiment.items()},
            "sentiment_label": pred.sentiment_label, "complaint": round(pred.complaint, 4),
            "detractor": round(pred.detractor, 4), "intent_label": pred.intent_label,
            "intent": {k: round(v, 4) for k, v in pred.intent.items()},
            "language": pred.language, "path": pred.path, "language_covered": pred.language_covered,
            "severity_level": pred.severity_level, "severity": {k: round(v, 4) for k, v in pred.severity.items()},
            "sarcasm": None if pred.sarcasm is None else round(pred.sarcasm, 4)}


def evaluate_predictions(task: str, labels: Sequence[str], preds: Sequence[Prediction]) -> dict[str, Any]:
    """Metrics for one task; labels as in the CSV (sentiment names, 1/0, 0-10 score, intent names, severity 0-4)."""
    import numpy as np

    from classifiers.metrics import binary_metrics, classification_metrics, multiclass_brier

    if task == "sentiment":
        _check(labels, SENTIMENTS, task)
        out: dict[str, Any] = classification_metrics(labels, [p.sentiment_label for p in preds], SENTIMENTS)
        proba = np.asarray([[p.sentiment[s] for s in SENTIMENTS] for p in preds])
        out["brier"] = multiclass_brier(np.asarray([SENTIMENTS.index(v) for v in labels]), proba)
        return out
    if task == "complaint":
        _check(labels, ("0", "1"), task)
        return binary_metrics([int(v) for v in labels], [p.complaint for p in preds])
    if task == "detractor":
        try:
            scores = [float(v) for v in labels]
        except ValueError as exc:
            raise click.BadParameter(f"detractor labels must be 0-10 scores: {exc}") from exc
        return binary_metrics([int(is_detractor(s)) for s in scores], [p.detractor for p in preds])
    if task in PARTIAL_HEADS:  # heads that read some paths' posts only: the others are skipped and counted
        _check(labels, PARTIAL_HEADS[task].labels, task)
        unread = set(unread_rows(task, preds))
        if len(unread) == len(preds):
            raise click.UsageError(f"none of the {len(preds)} row(s) can be scored for {task}: the {task} head "
                                   f"{PARTIAL_HEADS[task].reads}")
        kept = [i for i in range(len(preds)) if i not in unread]
        out = PARTIAL_HEADS[task].score([labels[i] for i in kept], [preds[i] for i in kept])
        return {**out, "n": len(kept), PARTIAL_HEADS[task].skipped: len(unread)} if unread else out  # n: scored
    known = sorted(set(INTENTS) | {k for p in preds for k in p.intent})
    _check(labels, known, task)
    return classification_metrics(labels, [p.intent_label for p in preds], sorted(set(labels)))


@dataclass(frozen=True)
class PartialHead:
    """A head that reads the posts of some paths only (``paths``); ``evaluate`` skips and counts the rest."""

    labels: tuple[str, ...]
    paths: tuple[str, ...]  # the paths whose posts it reads ("lexicon" and "": a model without the head at all)
    unread: Callable[[Prediction], bool]  # the post got no reading from it
    reads: str  # which posts it reads, in words
    skipped: str  # the result's key for the rows skipped
    skipped_rows: str  # the rows skipped, in words ({languages}: theirs)
    train: str  # how to train the head, for a model that has none
    score: Callable[[list[str], list[Prediction]], dict[str, Any]]  # the metrics over the rows it read


#: Sarcasm: the English path only. Severity: the English and multilingual paths; posts in languages no encoder
#: reads (the keyword path) get none, and one such row made the whole evaluation say "no severity head".
PARTIAL_HEADS = {
    "sarcasm": PartialHead(  # label 1 = a sarcastic complaint; scored on the sarcasm head (posts with praise words)
        ("0", "1"), ("english", "lexicon", ""), lambda p: p.sarcasm is None, "reads English posts only",
        "skipped_non_english", "non-English row(s)", "python -m classifiers.train_extra --sarcasm",
        lambda labels, preds: _binary(labels, [float(p.sarcasm or 0.0) for p in preds])),
    "severity": PartialHead(
        SEVERITIES, ("english", "multilingual", "lexicon", ""), lambda p: p.severity_level is None,
        "reads posts in the languages an encoder reads (not the keyword path's)", "skipped_unread_language",
        "row(s) in languages no encoder reads ({languages})", "python -m classifiers.train_extra --minilm",
        lambda labels, preds: _classes(labels, [str(p.severity_level) for p in preds], SEVERITIES)),
}


def _binary(labels: Sequence[str], scores: Sequence[float]) -> dict[str, Any]:
    from classifiers.metrics import binary_metrics  # imported when scoring, as evaluate_predictions does

    return binary_metrics([int(v) for v in labels], list(scores))


def _classes(labels: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> dict[str, Any]:
    from classifiers.metrics import classification_metrics

    return classification_metrics(list(labels), list(predicted), classes)


def unread_rows(task: str, preds: Sequence[Prediction]) -> list[int]:
    """The rows ``task``'s head did not read: posts of the paths it does not cover, which are scored without
    it. A post of a path it covers without a reading means the model has no such head at all, which is a
    different fix, so it is named as such."""
    head = PARTIAL_HEADS[task]
    if any(head.unread(p) and p.path in head.paths for p in preds):
        raise click.UsageError(f"this model has no {task} head ({head.train})")
    return [i for i, p in enumerate(preds) if head.unread(p)]


def _check(labels: Sequence[str], allowed: Sequence[str], task: str) -> None:
    """Refuse labels outside ``allowed``, naming them and the data rows that hold them (a file of thousands of rows
    said which labels were wrong, not where)."""
    bad = sorted(set(labels) - set(allowed))
    if bad:
        rows = [str(i + 1) for i, v in enumerate(labels) if v not in allowed]
        where = ", ".join(rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
        raise click.BadParameter(f"unexpected {task} labels {bad[:5]} in data row{'s' if len(rows) > 1 else ''} "
                                 f"{where} (the first row after the header is 1); expected {list(allowed)}")


@click.command()
@click.option("--task", type=click.Choice(TASKS), required=True)
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="CSV with 'text' and 'label' columns.")
@click.option("--label-column", default="label", show_default=True,
              help="The column that holds the labels (e.g. 'intent' in data/dev/intent_multilingual.csv).")
@click.option("--json", "as_json", is_flag=True, help="Print metrics as JSON.")
@click.option("--kind", type=click.Choice(["minilm", "vader"]), default=None, help="Override classifier.kind.")
@click.option("--model-dir", default=None,
              help="Override classifier.model_dir (a relative path is read from the current folder).")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=32, show_default=True,
              help="Posts per model call.")
@click.option("--quiet", is_flag=True, help="No progress bar (it is drawn on stderr only).")
def evaluate(task: str, data_path: str, label_column: str, as_json: bool, kind: str | None, model_dir: str | None,
             batch_size: int, quiet: bool) -> None:
    """Score a labelled CSV: macro-F1, macro-recall, accuracy, AUROC and Brier where they apply.

    The CSV is UTF-8 (a byte-order mark is fine); every label is checked before the model runs, except intent
    labels, checked after it loads (a brand's own intents are known only to the model).
    detractor labels are the 0-10 scores people gave (0-6 count as detractors: AUROC of the detractor
    likelihood); severity labels are 0-4 (0 = not a complaint) and report macro-F1 over the five classes (rows in a
    language no encoder reads get no severity: they are skipped and counted); sarcasm
    labels are 1/0 (1 = a sarcastic complaint) and score the sarcasm head, which reads English posts
    only: other rows are skipped and counted. 'by_language' (JSON) repeats the metrics for each
    detected language with at least 5 rows, with the path that scored it."""
    from classifiers.data import problems_said, read_eval_rows, swallowed_rows

    try:
        found = read_eval_rows(data_path, label_column)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    problems = [*found.problems, *label_problems(task, found.labels, found.lines)]
    if problems:  # every bad row at once, by line: one a run made a person fix the file once per problem
        problems.sort(key=lambda said: int(m[1]) if (m := re.match(r"line (\d+)", said)) else 0)
        raise click.BadParameter(problems_said(data_path, problems))
    texts, labels = found.texts, found.labels
    swallowed = swallowed_rows(texts)
    if swallowed:
        first = texts[swallowed[0]].split("\n", 1)[0][:60]
        raise click.BadParameter(f"{data_path}: {len(swallowed)} text(s) run over a line that ends like a row "
                                 f"(',label'), the first starting {first!r} (row {swallowed[0] + 1}): a quote "
                                 "left open joins the rows after it; close it, or remove the line break")
    if not texts:
        raise click.BadParameter(f"{data_path} has no rows")
    check_labels(task, labels)  # before the model loads and runs: a typo in row 9,000 costs nothing
    if not quiet:  # the load takes seconds before the progress bar appears: say what the silence is
        click.echo(f"{len(texts)} labelled rows read; loading the model ...", err=True)
    clf = _make_classifier(kind, model_dir)
    preds = _predict_all(clf, texts, batch_size, quiet=quiet)
    result = {"task": task, "n": len(texts), "model_version": clf.version,
              **_rounded(evaluate_predictions(task, labels, preds))}
    if task in PARTIAL_HEADS and result.get(PARTIAL_HEADS[task].skipped):
        skipped = unread_rows(task, preds)
        rows = [str(i + 1) for i in skipped]
        languages = ", ".join(sorted({preds[i].language or "?" for i in skipped}))
        which = PARTIAL_HEADS[task].skipped_rows.format(languages=languages)
        click.echo(f"note: skipped {len(rows)} {which} (data row {', '.join(rows[:10])}"
                   f"{', ...' if len(rows) > 10 else ''}): the {task} head {PARTIAL_HEADS[task].reads}", err=True)
    if as_json:
        result["by_language"] = by_language(task, labels, preds)
        click.echo(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            click.echo(f"{key:<14} {value}")


#: The labels each task with a closed set takes (the others are checked by :func:`check_labels`).
CLOSED_LABELS = {"sentiment": SENTIMENTS, "complaint": ("0", "1"), "sarcasm": ("0", "1"), "severity": SEVERITIES}


def label_problems(task: str, labels: Sequence[str], lines: Sequence[int]) -> list[str]:
    """Each row whose label ``task`` does not take, by its line in the file ("line 4: label 'yes' ...")."""
    allowed = CLOSED_LABELS.get(task)
    if allowed is None:
        return []
    return [f"line {line}: label {label!r} is not one of {', '.join(allowed)}"
            for label, line in zip(labels, lines, strict=True) if label not in allowed]


def check_labels(task: str, labels: Sequence[str]) -> None:
    """The label checks of ``evaluate_predictions`` that need no prediction, run on every row first.
    Intent labels are checked after scoring: a brand's own intents are known only to the model."""
    if task == "sentiment":
        _check(labels, SENTIMENTS, task)
    elif task in ("complaint", "sarcasm"):
        _check(labels, ("0", "1"), task)
    elif task == "severity":
        _check(labels, SEVERITIES, task)
    elif task == "detractor":
        bad = sorted({v for v in labels if not _is_score(v)})
        if bad:
            raise click.BadParameter(f"detractor labels must be the 0-10 scores people gave (0-6 are detractors); "
                                     f"got {bad[:5]}")
        if set(labels) <= {"0", "1"}:  # 1 and 0 are both detractors' scores: every row would count as one
            raise click.BadParameter("detractor labels are 0-10 scores, and these are all 0 or 1, which reads as "
                                     "'every person is a detractor'; give the score each person gave, or use "
                                     "--task complaint for yes/no labels")


def _is_score(text: str) -> bool:
    """A whole 0-10 score ("7", "7.0"): ``float`` took "nan", "inf", "42" and "-7", and scored them."""
    try:
        value = float(text)
    except ValueError:
        return False
    return value.is_integer() and 0 <= value <= 10


def _predict_all(clf: Classifier, texts: Sequence[str], batch_size: int, *, quiet: bool) -> list[Prediction]:
    """Every prediction, in batches, with a progress bar on stderr: a file of thousands of posts takes
    minutes on a CPU, and stdout stays clean for --json."""
    import sys

    from tqdm import tqdm

    preds: list[Prediction] = []
    with tqdm(total=len(texts), unit="post", desc="evaluate", file=sys.stderr, disable=quiet) as bar:
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            preds.extend(clf.predict(list(batch)))
            bar.update(len(batch))
    return preds


def _rounded(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else round(v, 4) if isinstance(v, float) else v)
            for k, v in metrics.items()}


def by_language(task: str, labels: Sequence[str], preds: Sequence[Prediction], min_rows: int = 5
                ) -> dict[str, Any]:
    """The task's metrics per detected language (``und`` included), with the paths that scored them."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(preds):
        groups.setdefault(p.language or "?", []).append(i)
    out: dict[str, Any] = {}
    for lang, idx in sorted(groups.items()):
        if len(idx) < min_rows:
            continue
        try:
            m = evaluate_predictions(task, [labels[i] for i in idx], [preds[i] for i in idx])
        except click.ClickException:
            continue
        paths = sorted({preds[i].path or "?" for i in idx})
        out[lang] = {"n": len(idx), "paths": paths, **_rounded(m)}
    return out


COMMANDS: list[click.Command] = [train, classify, evaluate]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def _standalone() -> None:
    """The classifier stage's commands, as in 'careline train | classify | evaluate' (the same settings:
    $CARELINE_CONFIG, else the defaults)."""


for _command in COMMANDS:
    _standalone.add_command(_command)


def _main() -> None:
    """``python -m classifiers.cli``: the exits and one-line errors of ``careline`` (``careline.commandline``), not
    click's standalone mode (Ctrl-C exits 130, not 1: a script or cron wrapper tells an interrupted ``evaluate`` or
    ``train`` from a failed one by it)."""
    from careline.commandline import run

    run(_standalone, "python -m classifiers.cli")


if __name__ == "__main__":
    _main()

