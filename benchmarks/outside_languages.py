"""Languages outside the identifier's 40: how many posts in them it now names, and what it costs the others.

    .venv/bin/python benchmarks/outside_languages.py [--json]

``LanguageIdentifier.detect`` decides among the 40 languages of ``LANGUAGES``, and names a language of
``ALSO_NAMED`` (Welsh, Basque, Georgian ...) only where the whole py3langid model is at least
``OUTSIDE_CONFIDENCE`` sure of it, on ``OUTSIDE_WORDS`` words or more. This scores:
- posts we wrote in 17 of those languages (``data/dev/outside_languages.csv``): how many are named right, and what
  the 40 alone called them (English, undetermined, or a covered language whose path then scored them);
- every English tweet we hold (``complaints-acl2019``, SemEval 2016 test, the airline and customer-care tweets) and
  every post of our written sets in the other languages (``data/dev``, ``data/train``): how many leave their path
  for a language of ``ALSO_NAMED``, each a false "not covered" flag.
And the speed of both on English tweets. Skips the English sets where ``../shared`` is absent. About 30 seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from classifiers.language import ALSO_NAMED, LANGUAGES, LanguageIdentifier  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def _column(path: Path, name: str, delimiter: str = ",") -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r[name] or "" for r in csv.DictReader(f, delimiter=delimiter)]


def english_sets() -> dict[str, list[str]]:
    """Every English tweet we hold, by set; {} where ``../shared`` is absent."""
    if not SHARED.is_dir():
        return {}
    semeval = SHARED / "semeval2017-4a" / "twitter-2016test-A.tsv"
    with semeval.open(encoding="utf-8") as f:
        tweets = [line.rstrip("\n").split("\t")[2] for line in f if line.count("\t") >= 2]
    return {"complaints-acl2019": _column(SHARED / "complaints-acl2019" / "train.csv", "text"),
            "semeval 2016 test": tweets,
            "airline tweets": _column(SHARED / "airline-sentiment" / "train.csv", "text"),
            "customer-care tweets (twcs)": _column(SHARED / "twcs-sample" / "twcs_head5000.csv", "text")}


def written_sets() -> list[tuple[str, str]]:
    """(text, language) of every post of our written sets in a language other than English, outside-language set
    excepted."""
    out = []
    for path in sorted([*ROOT.glob("data/dev/*.csv"), *ROOT.glob("data/train/*.csv")]):
        if path.name == "outside_languages.csv":
            continue
        with path.open(encoding="utf-8", newline="") as f:
            out += [(r["text"], r["language"]) for r in csv.DictReader(f)
                    if r.get("text") and r.get("language") not in (None, "", "en")]
    return out


def _seconds(ident: LanguageIdentifier, texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        ident.detect(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with_also, only_40 = LanguageIdentifier(), LanguageIdentifier()
    with_also.load()
    only_40.load()
    only_40._whole = None  # the 40 alone, as before ALSO_NAMED
    only_40._beyond = lambda text, tag: None  # type: ignore[method-assign]
    also = set(ALSO_NAMED)
    report: dict[str, object] = {}

    with (ROOT / "data/dev/outside_languages.csv").open(encoding="utf-8", newline="") as f:
        outside = [(r["text"], r["language"]) for r in csv.DictReader(f)]
    named = [with_also.detect(t).code for t, _ in outside]
    before = Counter(only_40.detect(t).code for t, _ in outside)
    right = sum(n == lang for n, (_, lang) in zip(named, outside, strict=True))
    report["outside"] = {"posts": len(outside), "languages": len({lang for _, lang in outside}),
                         "named right": right, "named as another outside language":
                         sum(n != lang and n in also for n, (_, lang) in zip(named, outside, strict=True)),
                         "before: read as": dict(before.most_common())}

    for name, texts in english_sets().items():
        left = [t for t in texts if with_also.detect(t).code in also]
        report[name] = {"posts": len(texts), "named outside the 40": len(left), "examples": [t[:80] for t in left[:3]]}
    written = written_sets()
    moved = [(t, lang, with_also.detect(t).code) for t, lang in written]
    moved = [m for m in moved if m[2] in also]
    report["written, other languages"] = {
        "posts": len(written), "languages": len({lang for _, lang in written} & set(LANGUAGES)),
        "named outside the 40": len(moved), "examples": [(t[:60], lang, code) for t, lang, code in moved[:5]]}
    english = next(iter(english_sets().values()), [t for t, _ in written])[:3000]
    timing = {}
    for name, ident in (("the 40 alone", only_40), ("with the whole model", with_also)):
        best = min(_seconds(ident, english) for _ in range(3))
        timing[name] = f"{len(english) / best:,.0f} posts/s"
    report["speed (best of three, one run)"] = timing
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    for name, figures in report.items():
        print(f"{name}: {figures}")


if __name__ == "__main__":
    main()
