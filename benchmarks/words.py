"""The words of a post (``careline.trending.words``: rising terms and topic names) against the Latin-only reading it
replaced on 2026-12-07, as a ratio in one run (the machine is shared and noisy).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/words.py [--posts 12000]

The sample mixes English, German, Spanish and Hungarian posts with @handles and links, and, with ``--scripts``,
Chinese and Thai ones (which the Latin reading gave no words at all).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

from careline.trending import _NOISE, STOPWORDS, words

_LATIN = re.compile(r"[a-zà-ÿ][a-zà-ÿ'\-]{2,}")
POSTS = ["@SkylarkAir my flight SK440 was cancelled and nobody is answering the phone, 3 hours on hold https://t.co/x",
         "Zweimal abgebucht, ich gehe zur Verbraucherzentrale @Brightwave", "Vuelo retrasado 6 horas, nadie responde",
         "Elveszett a bőröndöm Budapesten, senki nem válaszol", "Great, another delay. Love it @SkylarkAir"]
SCRIPTS = ["申请退款三天了没人理 @Brightwave", "ไม่มีใครตอบ โทรไปสามรอบแล้ว"]


def latin_only(text: str) -> list[str]:
    """The reading before 2026-12-07: Latin letters only."""
    found = (w.strip("'-") for w in _LATIN.findall(_NOISE.sub(" ", text.lower())))
    return [w for w in found if w and w not in STOPWORDS]


def rate(read: Callable[[str], list[str]], posts: list[str]) -> float:
    start = time.perf_counter()
    for post in posts:
        read(post)
    return (time.perf_counter() - start) / len(posts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=12_000)
    parser.add_argument("--scripts", action="store_true", help="add Chinese and Thai posts to the sample")
    args = parser.parse_args()
    sample = POSTS + (SCRIPTS if args.scripts else [])
    posts = (sample * (args.posts // len(sample) + 1))[:args.posts]
    rounds = [(rate(latin_only, posts), rate(words, posts)) for _ in range(3)]
    before, after = min(r[0] for r in rounds), min(r[1] for r in rounds)
    print(f"{len(posts)} posts: Latin only {before:.1f} us/post, any script {after:.1f} us/post, "
          f"ratio {after / before:.2f} (best of 3)")


if __name__ == "__main__":
    main()
