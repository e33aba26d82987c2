"""Complaint-topic quality on hand-labelled complaints: how well the topic job's grouping matches people's.

Runs the same single-pass assignment and merging as the service (``classifiers.topics.group``, merging
after every 256 posts as the job does after each batch) over labelled posts, in their order, with the
same encoder and cleaning (links and @handles removed), and compares topics with the labels:

* airline-sentiment (``../shared/data/airline-sentiment/train.csv``): negative tweets to six US airlines
  with the annotators' reason (late flight, lost luggage, customer service ...; "Can't Tell" left out);
* banking77 test (``../shared/data/banking77/test.csv``): 77 fine-grained banking intents, 40 each.

Figures: adjusted Rand index (0 = chance, 1 = the labels exactly), NMI, purity (each topic counted as
its majority label) and the share of posts in topics of at least 5, with k-means at the true number
of labels on the same vectors as an offline reference that knows k.

    .venv/bin/python benchmarks/topics.py [--encoder minilm|use|both] [--join 0.35 ...] [--limit 0]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from careline.trending import clean
from classifiers.data import shared_data_dir
from classifiers.topics import TopicParams, build_embedder, group

DATA = shared_data_dir()  # ../shared/data beside the repo, or $CARELINE_SHARED_DATA


def airline(limit: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with (DATA / "airline-sentiment" / "train.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["airline_sentiment"] == "negative" and r["negativereason"] not in ("", "Can't Tell"):
                texts.append(r["text"])
                labels.append(r["negativereason"])
    return (texts[:limit], labels[:limit]) if limit else (texts, labels)


def banking(limit: int) -> tuple[list[str], list[str]]:
    with (DATA / "banking77" / "test.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: hash(r["text"]) % 1000)  # interleaved, as complaints arrive, not grouped by label
    texts, labels = [r["text"] for r in rows], [r["category"] for r in rows]
    return (texts[:limit], labels[:limit]) if limit else (texts, labels)


def purity(labels: Sequence[str], topics: Sequence[int]) -> float:
    by_topic: dict[int, Counter[str]] = {}
    for label, topic in zip(labels, topics, strict=True):
        by_topic.setdefault(topic, Counter())[label] += 1
    return sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(labels)


def report(name: str, labels: list[str], vectors: np.ndarray, params: TopicParams) -> None:
    t0 = time.perf_counter()
    topics = group(vectors, params)
    took = time.perf_counter() - t0
    sizes = Counter(topics)
    big = sum(n for n in sizes.values() if n >= 5) / len(topics)
    k = len(set(labels))
    km = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors)
    print(f"{name}: {len(labels):,} posts, {k} labels -> {len(sizes):,} topics ({sizes.most_common(1)[0][1]} in the "
          f"largest, {100 * big:.0f} % of posts in topics of >= 5) in {took:.2f} s")
    nmi, ari = normalized_mutual_info_score(labels, topics), adjusted_rand_score(labels, topics)
    print(f"  topics:  ARI {ari:.3f}  NMI {nmi:.3f}  purity {purity(labels, topics):.3f}")
    print(f"  k-means at k={k} (offline reference): ARI {adjusted_rand_score(labels, km):.3f}  "
          f"NMI {normalized_mutual_info_score(labels, km):.3f}  purity {purity(labels, list(km)):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", choices=["use", "minilm", "both"], default="minilm")
    ap.add_argument("--join", type=float, nargs="*", default=[TopicParams().join])
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    if not DATA.exists():
        raise SystemExit(f"no labelled data at {DATA}")
    sets = {"airline-sentiment reasons": airline(args.limit), "banking77 test": banking(args.limit)}
    for name in (["use", "minilm"] if args.encoder == "both" else [args.encoder]):
        enc = build_embedder(name, threads=2)
        for set_name, (texts, labels) in sets.items():
            t0 = time.perf_counter()
            vectors = np.asarray(enc.embed([clean(t) or "." for t in texts]), dtype=np.float32)
            print(f"[{name}] {set_name}: embedded {len(texts):,} in {time.perf_counter() - t0:.0f} s")
            for join in args.join:
                report(f"[{name}] join {join}", labels, vectors, TopicParams(join=join))


if __name__ == "__main__":
    main()
