import hashlib
import json
import os
import random
import re
from pathlib import Path

import numpy as np
import pytest

from cleaner import dedup
from cleaner.cli import main
from cleaner.dedup import MATCHING, Matching, Signature, Signer, SignatureStore, bands_for, find_duplicates

SIGNER = Signer()
WORD_RE = re.compile(r"\w+")


def article(seed: int, words: int = 400) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCABULARY) for _ in range(words)]


VOCABULARY = [f"w{i}" for i in range(3000)]


def edited(words: list[str], every: int) -> list[str]:
    """Replace one word in `every`: each replacement changes the 5 shingles around it."""
    return [f"edit{i}" if i % every == every // 2 else word for i, word in enumerate(words)]


def estimated_similarity(a: Signature, b: Signature) -> float:
    """The share of equal MinHash values (32-bit each, not bytes)."""
    return float(np.mean(np.frombuffer(a.minhash, "<u4") == np.frombuffer(b.minhash, "<u4")))


def jaccard(a: list[str], b: list[str], size: int = 5) -> float:
    sa = {tuple(a[i : i + size]) for i in range(len(a) - size + 1)}
    sb = {tuple(b[i : i + size]) for i in range(len(b) - size + 1)}
    return len(sa & sb) / len(sa | sb)


def clusters_of(tmp_path: Path, texts: dict[str, str], threshold: float = 0.8, *, matching: Matching = MATCHING) -> list[tuple[str, list[str]]]:
    """Run deduplication over `texts` (source -> text); (kept source, removed sources) per cluster."""
    store = SignatureStore(tmp_path / f"store-{len(list(tmp_path.iterdir()))}")
    for i, (source, text) in enumerate(texts.items()):
        store.add(SIGNER.sign(text), f"{i:016x}", len(text.split()), source)
    found = find_duplicates(store, threshold, matching=matching)
    return [(c.kept.source, [m.source for m in c.removed]) for c in found.clusters()]


def test_exact_copies_sign_alike_whatever_their_case_and_spacing() -> None:
    a = SIGNER.sign("The market opened higher.\n\nTraders cheered.")
    b = SIGNER.sign("the market  opened higher\ntraders cheered")
    assert a == b


UINT64 = (1 << 64) - 1


def xoshiro256plusplus(seed: int):
    """Xoshiro256++ seeded from SplitMix64 (rand_xoshiro's `seed_from_u64`), the generator rensa draws its permutations from."""
    state, words = seed, []
    for _ in range(4):
        state = (state + 0x9E3779B97F4A7C15) & UINT64
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & UINT64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & UINT64
        words.append(z ^ (z >> 31))
    s0, s1, s2, s3 = words
    while True:
        total = (s0 + s3) & UINT64
        yield ((((total << 23) | (total >> 41)) & UINT64) + s0) & UINT64
        t = (s1 << 17) & UINT64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & UINT64


def reference_minhash(words: list[str]) -> bytes:
    """The reference, in numpy: for each of NUM_PERM pairs (a | 1, b) drawn in turn, the least ((a * h + b) mod 2^64) >> 32
    over the shingle hashes h, as rensa's R-MinHash computes it."""
    drawn = xoshiro256plusplus(dedup.SEED)
    pairs = [(next(drawn) | 1, next(drawn)) for _ in range(dedup.NUM_PERM)]
    a, b = (np.array(column, dtype=np.uint64) for column in zip(*pairs))
    hashes = dedup.shingle_hashes([word.encode() for word in words], SIGNER.shingle_size)
    return ((np.multiply.outer(hashes, a) + b) >> np.uint64(32)).min(axis=0).astype("<u4").tobytes()


@pytest.mark.parametrize("words", [0, 1, 4, 5, 6, 400, 1023, 1024, 3079])
def test_the_minhash_is_rensas_value_for_value(words: int) -> None:
    text = " ".join(article(words, words=words))
    assert SIGNER.sign(text).minhash == reference_minhash(WORD_RE.findall(text.lower()))


def test_every_kernel_of_rensa_gives_the_same_minhash() -> None:
    """rensa picks a vectorised kernel by the processor (`RENSA_FORCE_KERNEL` forces one, where it runs): each signs alike."""
    import subprocess
    import sys

    text = " ".join(f"w{i % 97}" for i in range(3000))
    code = f"from cleaner.dedup import Signer; print(Signer().sign({text!r}).minhash.hex())"
    signed = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent,
                             env={**os.environ, "RENSA_FORCE_KERNEL": kernel}).stdout.strip()
              for kernel in ("scalar", "avx2", "neon")}
    assert signed == {SIGNER.sign(text).minhash.hex()}


def test_words_are_the_lowered_word_runs_joined() -> None:
    """`Signer.words` is `" ".join(WORD.findall(text.lower()))` in UTF-8, on any text (a fresh signer, so every code
    point is classified for the first time, and then the same signer again)."""
    rng = random.Random(11)
    alphabet = "aZ_09 \t\n.,;-–“”'’éÉßİ中文ア\u0301\u00a0\u200b\u2028١٢\U0001F600\udce9"
    texts = ["", " ", "a", " a ", "..a..b..", "İstanbul ǅ ﬁ"] + [
        "".join(rng.choice(alphabet) if rng.random() < 0.9 else chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 60)))
        for _ in range(400)]
    for signer in (Signer(), SIGNER, SIGNER):
        for text in texts:
            assert signer.words(text) == " ".join(WORD_RE.findall(text.lower())).encode("utf-8", "surrogatepass"), repr(text)


def test_signatures_are_unchanged() -> None:
    """The exact hash and MinHash of a text: a change to either changes which documents a run finds duplicated.

    The exact hash is as it was before words were found on code points; the MinHash is rensa's of the 64-bit shingle
    hashes (it was datasketch's `affine32` of their top 32 bits before 2026-12-06).
    """
    signature = SIGNER.sign("The market opened higher.\n\nTraders cheered, “loudly”: 12 000 — İstanbul.")
    assert signature.exact == 0x08CFB41EF39816D5
    assert hashlib.sha256(signature.minhash).hexdigest() == "ccca62c3ed0e00502900b0d0876e856ff8693e6606f951bd1e54a25b1fe9e173"


def test_signing_imports_neither_datasketch_nor_scipy() -> None:
    import subprocess
    import sys

    code = "import sys; from cleaner.dedup import Signer; Signer().sign('a b c d e f'); print(sorted({m.split('.')[0] for m in sys.modules} & {'datasketch', 'scipy'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "[]"


def test_signing_memory_does_not_grow_with_the_text() -> None:
    import tracemalloc

    text = " ".join(article(8, words=120_000))
    tracemalloc.start()
    try:
        SIGNER.sign(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Unchunked, the permuted values alone would be 256 x 120,000 x 4 bytes (123 MB).
    assert peak < 120 << 20


def test_estimated_similarity_follows_the_true_jaccard() -> None:
    words = article(1)
    for every in (100, 25, 10):
        copy = edited(words, every)
        a, b = SIGNER.sign(" ".join(words)), SIGNER.sign(" ".join(copy))
        estimate = estimated_similarity(a, b)
        assert estimate == pytest.approx(jaccard(words, copy), abs=0.12)


def test_exact_copies_form_one_cluster_keeping_the_smallest_source(tmp_path: Path) -> None:
    text = " ".join(article(2))
    assert clusters_of(tmp_path, {"b.txt": text, "a.txt": text, "c.txt": text}) == [("a.txt", ["b.txt", "c.txt"])]


def test_the_longest_copy_is_kept(tmp_path: Path) -> None:
    words = article(3)
    texts = {"a.txt": " ".join(words), "b.txt": " ".join(words + ["one", "more", "line"])}
    assert clusters_of(tmp_path, texts) == [("b.txt", ["a.txt"])]


def test_edited_copies_above_the_threshold_are_merged_and_below_are_kept(tmp_path: Path) -> None:
    words = article(4)
    above, below = edited(words, 100), edited(words, 25)
    assert jaccard(words, above) > 0.85 and jaccard(words, below) < 0.7
    texts = {"original.txt": " ".join(words), "above.txt": " ".join(above), "below.txt": " ".join(below)}
    assert clusters_of(tmp_path, texts) == [("above.txt", ["original.txt"])]  # same length: the smaller source


def test_unrelated_documents_are_never_merged(tmp_path: Path) -> None:
    texts = {f"{i}.txt": " ".join(article(100 + i)) for i in range(50)}
    assert clusters_of(tmp_path, texts) == []


def test_clusters_do_not_depend_on_arrival_order(tmp_path: Path) -> None:
    texts = {}
    for seed in range(5):
        words = article(200 + seed)
        texts[f"{seed}/original.txt"] = " ".join(words)
        texts[f"{seed}/copy.txt"] = " ".join(edited(words, 30 + seed))
        texts[f"{seed}/exact.txt"] = " ".join(words)

    def decisions(texts: dict[str, str]) -> list[tuple[str, list[str]]]:
        """Each cluster's kept source and its removed ones, which are listed in arrival order (the input's, in a run)."""
        return sorted((kept, sorted(removed)) for kept, removed in clusters_of(tmp_path, texts))

    forward = decisions(texts)
    assert decisions(dict(reversed(list(texts.items())))) == forward
    assert len(forward) == 5


def test_a_large_bucket_is_checked_against_its_first_documents(tmp_path: Path) -> None:
    words = article(5)
    texts = {f"{i:02d}.txt": " ".join(words[: 10 * i] + ["edit"] + words[10 * i + 1 :]) for i in range(8)}
    kept, removed = clusters_of(tmp_path, texts, matching=Matching(max_pairwise=2))[0]
    assert len(removed) == 7


def test_banding_makes_a_pair_at_the_threshold_a_candidate() -> None:
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        bands, rows = bands_for(threshold)
        assert bands * rows <= dedup.NUM_PERM
        assert 1 - (1 - threshold**rows) ** bands >= 0.99


def run_cli(*args: str) -> int:
    return main(["run", *args, "--quiet", "--workers", "1", "--min-words", "20"])


def page(toolbar: str, body: str, promo: str) -> str:
    return "\n\n".join(["Markets rally on rate hopes", toolbar, body, promo]) + "\n"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_copies_that_differ_only_in_chrome_are_caught_after_cleaning(fixtures_dir: Path, tmp_path: Path) -> None:
    seed = read_jsonl(fixtures_dir / "expected" / "corpus-00000.jsonl")
    body = next(r["text"] for r in seed if r["source"].startswith("seeds/"))
    source = tmp_path / "in"
    (source / "site-a").mkdir(parents=True)
    (source / "site-b").mkdir()
    (source / "site-a" / "story.txt").write_text(page("Read Mode", body, "Follow us on Google News"))
    (source / "site-b" / "story.txt").write_text(page("100% Font Size 5 min read", body, "Comments are moderated before publication."))
    assert run_cli(str(source), "--output", str(tmp_path / "out")) == 0
    kept = read_jsonl(tmp_path / "out" / "corpus-00000.jsonl")
    rejects = read_jsonl(tmp_path / "out" / "rejects.jsonl")
    assert [r["source"] for r in kept] == ["site-a/story.txt"]
    assert rejects == [{
        "source": "site-b/story.txt",
        "reason": "duplicate",
        "detail": "exact copy of site-a/story.txt",
        "duplicate_of": {"id": kept[0]["id"], "source": "site-a/story.txt"},
        "similarity": 1.0,
    }]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["duplicates"] == {"clusters": 1, "removed": 1, "exact": 1, "near": 0}

    assert run_cli(str(source), "--output", str(tmp_path / "all"), "--no-dedup") == 0
    assert len(read_jsonl(tmp_path / "all" / "corpus-00000.jsonl")) == 2
    assert not (tmp_path / "all" / "duplicates.jsonl").exists()


def test_the_seeds_tell_the_same_story_but_are_both_kept(fixtures_dir: Path) -> None:
    seeds = read_jsonl(fixtures_dir / "expected" / "corpus-00000.jsonl")
    texts = [r["text"] for r in seeds if r["source"].startswith("seeds/")]
    assert len(texts) == 2
    a, b = (SIGNER.sign(text) for text in texts)
    estimate = estimated_similarity(a, b)
    assert 0.15 < estimate < 0.5


def test_dedup_report_lists_the_clusters(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedup-report", str(fixtures_dir / "expected")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 of 1 clusters, 4 documents removed"
    assert "kept     text/cafe-mojibake.txt" in out
    assert re.search(r"0\.\d+ text/cafe-cp1252\.txt", out)


def test_dedup_report_on_a_folder_without_one_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedup-report", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_groups_are_the_sets_of_more_than_one() -> None:
    roots = np.array([0, 1, 0, 3, 1, 5])
    assert [g.tolist() for g in dedup.groups_of(roots)] == [[0, 2], [1, 4]]
    assert list(dedup.groups_of(np.arange(4))) == []


def test_the_same_documents_are_kept_whatever_the_order_of_the_inputs(fixtures_dir: Path, tmp_path: Path) -> None:
    text, seeds = fixtures_dir / "input" / "text", fixtures_dir / "input" / "seeds"
    assert run_cli(str(text), str(seeds), "--output", str(tmp_path / "ab")) == 0
    assert run_cli(str(seeds), str(text), "--output", str(tmp_path / "ba")) == 0
    kept = [sorted(r["id"] for r in read_jsonl(tmp_path / name / "corpus-00000.jsonl")) for name in ("ab", "ba")]
    assert kept[0] == kept[1]
    reports = [sorted(read_jsonl(tmp_path / name / "duplicates.jsonl"), key=json.dumps) for name in ("ab", "ba")]
    assert reports[0] == reports[1] and len(reports[0]) == 1


def test_a_corrupt_dedup_report_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "duplicates.jsonl").write_text("{not json\n")
    assert main(["dedup-report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cleaner: error: cannot read") and err.count("\n") == 1


@pytest.mark.parametrize(
    "line, problem",
    [
        ('{"a": 1}', "'kept' must be an object"),
        ("[1, 2]", "'kept' must be an object"),
        ('{"kept": {"id": "a", "source": "a.txt", "n_words": "9"}, "removed": []}', "'kept' must be an object"),
        ('{"kept": {"id": "a", "source": "a.txt", "n_words": 9}}', "'removed' must be a list"),
        ('{"kept": {"id": "a", "source": "a.txt", "n_words": 9}, "removed": [{"id": "b"}]}', "'removed' must be a list"),
    ],
)
def test_a_dedup_report_of_the_wrong_shape_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, problem: str
) -> None:
    (tmp_path / "duplicates.jsonl").write_text(line + "\n")
    assert main(["dedup-report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "duplicates.jsonl line 1: not a duplicate cluster" in err and problem in err


@pytest.mark.parametrize("value", ["0", "1.5", "high"])
def test_a_bad_dedup_threshold_is_a_usage_error(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(tmp_path), "-o", str(tmp_path / "out"), "--dedup-threshold", value])
    assert exit_info.value.code == 2
    assert "--dedup-threshold" in capsys.readouterr().err
