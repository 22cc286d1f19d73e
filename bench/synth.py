"""Write a deterministic synthetic crawl: many sites, each with its own chrome, each page a body of its own.

Usage::

    python bench/synth.py OUT_DIR [--docs 100000] [--sites 200] [--seed 0]
        [--near-dups FRACTION] [--similarity J[,J...]]

`OUT_DIR/<site>/<n>.txt`: one folder per site, as a crawl is stored. A page
is its site's chrome around a body:

- a title line (a headline of the body's own words), then the header: the
  site's name and its menu (4-10 short lines, on every page), and on a share
  of pages a banner line that site shows on some pages only;
- the body: 3-9 paragraphs (one line each) of 2-5 random sentences of 6-24
  words, from a vocabulary of function words and made-up words built here
  (no downloads), so the body is unique to the page;
- a "related" list: a heading and 4 headlines drawn from the site's pool of
  20-40, so each headline is on a fraction of the pages;
- the footer: a copyright line, a row of links, and a sentence-long notice
  (prose-like chrome, on every page).

`OUT_DIR/sites.jsonl` lists each site's chrome lines (what a learner should
find). With `--near-dups F`, a fraction F of the pages are planted near
duplicates: a copy of an earlier page of the same site whose body has words
replaced until the Jaccard similarity of the two bodies' word 5-gram
shingles (tokens: lowercased `\\w+` runs) is as close as possible to
`--similarity` (given a list, each planted page draws one of its values).
`OUT_DIR/planted.jsonl` records each pair: `original`,
`copy` (paths relative to OUT_DIR), `target`, `jaccard` (measured on the
bodies as written) and `edits` (words replaced).

Output depends only on the arguments: one seeded generator, used in a fixed order.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

FUNCTION_WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an "
    "they you were her she there been one all we their has would when if so no will more can out up who them "
    "some into than its also after two over new only most other about many then these could first any"
).split()
CONSONANTS = "b c d f g h k l m n p r s t v w z br cr dr fl gr pl pr sl st tr ch sh th".split()
VOWELS = "a e i o u ai ea ee oo ou ie".split()
ENDINGS = ["", "", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "rt", "ment", "tion", "ing", "ed", "er", "ly"]
VOCABULARY = 6000
SENTENCES_PER_PARAGRAPH = range(2, 6)
SENTENCE_LENGTHS = range(6, 25)
SHINGLE = 5
WORD = re.compile(r"\w+")


def make_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable made-up words, distinct, in a fixed order for a seed."""
    words: list[str] = []
    seen = set(FUNCTION_WORDS)
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3))
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(ENDINGS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = make_words(self.rng, VOCABULARY)
        # Function words make up about 40% of running text, as in English.
        self.pool = FUNCTION_WORDS * 60 + self.words

    def sentence(self, low: int = 6, high: int = 24, end: str = ".") -> str:
        words = self.rng.choices(self.pool, k=self.rng.randint(low, high))
        words[0] = words[0].capitalize()
        return " ".join(words) + end

    def headline(self, low: int = 3, high: int = 9) -> str:
        return " ".join(w.capitalize() for w in self.rng.choices(self.words, k=self.rng.randint(low, high)))

    def body(self) -> list[str]:
        """3-9 paragraphs of 2-5 sentences of 6-24 words, drawn in three calls (speed matters at 100k pages)."""
        rng = self.rng
        paragraphs = rng.choices(SENTENCES_PER_PARAGRAPH, k=rng.randint(3, 9))
        lengths = rng.choices(SENTENCE_LENGTHS, k=sum(paragraphs))
        words = rng.choices(self.pool, k=sum(lengths))
        sentences, at = [], 0
        for length in lengths:
            sentences.append(words[at].capitalize() + " " + " ".join(words[at + 1 : at + length]) + ".")
            at += length
        body, at = [], 0
        for count in paragraphs:
            body.append(" ".join(sentences[at : at + count]))
            at += count
        return body

    def site(self, index: int) -> dict:
        rng = self.rng
        name = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(2)) + rng.choice(("news", "times", "post", "daily", "blog"))
        return {
            "name": f"{name}{index}.example",
            "menu": [self.headline(1, 2) for _ in range(rng.randint(4, 10))],
            "banner": "Breaking: " + self.headline(4, 8),
            "banner_share": rng.choice((0.0, 0.3, 0.5, 0.8)),
            "related_heading": rng.choice(("Related stories", "More from us", "Most read", "You may also like")),
            "related": [self.headline(4, 10) for _ in range(rng.randint(20, 40))],
            "footer": [
                f"Copyright © {rng.randint(1998, 2024)} {name.capitalize()} Media. All rights reserved.",
                " | ".join(self.headline(1, 2) for _ in range(rng.randint(3, 6))),
                self.sentence(10, 18),
            ],
        }

    def page(self, site: dict, body: list[str]) -> str:
        rng = self.rng
        lines = [self.headline(5, 10), "", site["name"], *site["menu"]]
        if rng.random() < site["banner_share"]:
            lines.append(site["banner"])
        lines.append("")
        for paragraph in body:
            lines += [paragraph, ""]
        lines += [site["related_heading"], *rng.sample(site["related"], 4), "", *site["footer"]]
        return "\n".join(lines) + "\n"


def shingles(text: str) -> set[tuple[str, ...]]:
    tokens = WORD.findall(text.lower())
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicate(gen: Generator, body: list[str], target: float) -> tuple[list[str], float, int]:
    """The body with words replaced (in one random order, first k of them) for k giving Jaccard closest to target.

    Replacing more words in a nested set only removes shared shingles, so the
    similarity falls as k grows and a binary search finds k.
    """
    tokens = [line.split(" ") for line in body]
    places = [(p, w) for p, line in enumerate(tokens) for w in range(len(line))]
    gen.rng.shuffle(places)
    fresh = gen.rng.choices(gen.words, k=len(places))
    original = shingles("\n".join(body))

    def edited(k: int) -> list[str]:
        copy = [line[:] for line in tokens]
        for (p, w), word in zip(places[:k], fresh[:k]):
            old = copy[p][w]
            tail = old[len(old.rstrip(".")):]
            copy[p][w] = (word.capitalize() if old[:1].isupper() else word) + tail
        return [" ".join(line) for line in copy]

    measured: dict[int, float] = {}

    def similarity(k: int) -> float:
        if k not in measured:
            measured[k] = jaccard(original, shingles("\n".join(edited(k))))
        return measured[k]

    low, high = 0, len(places)
    while low < high:  # smallest k whose similarity is at most the target
        mid = (low + high) // 2
        if similarity(mid) <= target:
            high = mid
        else:
            low = mid + 1
    k = low if low == 0 or abs(similarity(low) - target) <= abs(similarity(low - 1) - target) else low - 1
    return edited(k), similarity(k), k


def generate(out: Path, docs: int, sites: int, seed: int, near_dups: float, similarities: list[float]) -> None:
    gen = Generator(seed)
    out.mkdir(parents=True, exist_ok=True)
    site_list = [gen.site(i) for i in range(sites)]
    with (out / "sites.jsonl").open("w", encoding="utf-8") as handle:
        for site in site_list:
            handle.write(json.dumps(site, ensure_ascii=False) + "\n")
    for site in site_list:
        (out / site["name"]).mkdir(exist_ok=True)
    bodies: dict[int, list[tuple[str, list[str]]]] = {}  # a few recent bodies per site, to copy from
    planted = []
    numbers = [0] * sites
    for _ in range(docs):
        index = gen.rng.randrange(sites)
        site = site_list[index]
        name = f"{site['name']}/{numbers[index]:06d}.txt"
        numbers[index] += 1
        recent = bodies.setdefault(index, [])
        if recent and gen.rng.random() < near_dups:
            original, source_body = gen.rng.choice(recent)
            similarity = similarities[0] if len(similarities) == 1 else gen.rng.choice(similarities)
            body, measured, edits = near_duplicate(gen, source_body, similarity)
            planted.append({"original": original, "copy": name, "target": similarity, "jaccard": round(measured, 4), "edits": edits})
        else:
            body = gen.body()
            recent.append((name, body))
            if len(recent) > 8:
                recent.pop(0)
        (out / name).write_text(gen.page(site, body), encoding="utf-8")
    with (out / "planted.jsonl").open("w", encoding="utf-8") as handle:
        for pair in planted:
            handle.write(json.dumps(pair) + "\n")


def similarity_list(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 0.8 or 0.7,0.9: {text}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic crawl (one folder per site).")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--near-dups", type=float, default=0.0, metavar="FRACTION",
                        help="share of pages that are planted near duplicates (default 0)")
    parser.add_argument("--similarity", type=similarity_list, default=[0.8], metavar="J[,J...]",
                        help="target Jaccard similarity of a planted pair's word 5-gram shingles; "
                             "with a list, each planted page draws one (default 0.8)")
    args = parser.parse_args(argv)
    if args.docs < 0 or args.sites < 1:
        parser.error("--docs must be at least 0 and --sites at least 1")
    if not 0.0 <= args.near_dups <= 1.0 or not all(0.0 <= j <= 1.0 for j in args.similarity):
        parser.error("--near-dups and --similarity must be between 0 and 1")
    started = time.perf_counter()
    generate(args.out, args.docs, args.sites, args.seed, args.near_dups, args.similarity)
    print(f"wrote {args.docs} documents of {args.sites} sites to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
