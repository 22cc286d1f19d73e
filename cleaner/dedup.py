"""Exact and near-duplicate documents: signed in the workers, clustered once every document is in.

A worker signs each kept document after cleaning (`Signer.sign`), so chrome
neither hides nor fakes similarity: a 64-bit hash of its normalised words
(lower-cased ``\\w+`` runs) finds exact copies, and a MinHash of its word
shingles (rensa's, in compiled code) estimates the Jaccard
similarity of near copies. The parent appends each signature to files in
the run's staging directory (`SignatureStore`); texts never reach it (the
records wait in the workers' part files). When the run has seen every
document, `find_duplicates`:

1. joins documents with the same exact hash;
2. cuts each MinHash into bands (LSH) and sorts each band's keys on disk-
   backed arrays; documents that share a band key are candidates;
3. verifies every candidate pair by its estimated Jaccard similarity (the
   share of equal MinHash values) and joins the pairs that pass
   (`decision_cut`);
4. keeps one document per cluster (`keep_order`: most words, then the
   smallest source path, then the smallest id) and marks the others as
   duplicates of it.

Every decision depends only on the documents' contents and sources, never
on the order they arrived in or on the number of workers.

Memory: the signatures live in files (``4 * num_perm`` bytes a document for
the MinHash, 32 for the rest, plus its source path); clustering holds one
band's keys and their sort order (16 bytes a document), a union-find parent
array (8 bytes) and then the decisions (20 bytes), with a few temporary
arrays of the same size: about 50 bytes a document at the peak, so 10
million documents need about 500 MB of memory and 11 GB of scratch disk at
the defaults.
"""

from __future__ import annotations

import hashlib
import math
import os
import json
import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import numpy as np
from rensa import RMinHash

from cleaner.codepoints import CodePointTest, code_points
from cleaner.errors import CleanerError
from cleaner.writer import to_json_line

NUM_PERM = 256
SEED = 1
BLOCK = 1024
FOLD_BASIS, FOLD_PRIME = 0xCBF29CE484222325, 0x100000001B3  # FNV-1a's, over 32-bit values instead of bytes
WORD = re.compile(r"\w+")
DOC_DTYPE = np.dtype([("id", "<u8"), ("exact", "<u8"), ("words", "<u4"), ("source_at", "<u8"), ("source_len", "<u4")])
DOC_ROW = struct.Struct("<QQIQI")  # one DOC_DTYPE row, written without building an array


@dataclass(frozen=True, slots=True)
class Matching:
    """How candidate pairs are found (`bands_for`) and verified (`decision_cut`, `similar_pairs`)."""

    # A pair is joined when its estimated similarity reaches the threshold less this many standard errors of
    # the estimate (`decision_cut`): 1.5 finds 93% of the pairs at the threshold and nearly all above it,
    # while a pair 0.1 below the threshold passes about 1.5% of the time.
    margin_in_errors: float = 1.5
    # The banding makes a pair at the decision cut a candidate with this probability at least (`bands_for`).
    candidate_recall: float = 0.99
    # A bucket of up to this many documents is checked pair by pair; in a larger one each document is
    # checked against this many of its first in keep order (`similar_pairs`).
    max_pairwise: int = 64


MATCHING = Matching()


@dataclass(frozen=True, slots=True)
class Signature:
    """What deduplication needs of a document: its exact hash and its MinHash values (`NUM_PERM` uint32, as bytes)."""

    exact: int
    minhash: bytes


@dataclass(frozen=True, slots=True)
class Member:
    """One document of a cluster, as the report shows it."""

    index: int
    id: str
    source: str
    n_words: int
    similarity: float = 1.0
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Cluster:
    kept: Member
    removed: tuple[Member, ...]


SPACE = ord(" ")


class Signer:
    """Signs cleaned texts; build once per process.

    The MinHash is rensa 0.4's R-MinHash (`RMinHash`) of the 64-bit
    shingle hashes (`shingle_hashes`): for each of `num_perm` pairs (a odd,
    b) drawn from Xoshiro256++ seeded with `SEED`, the least of
    ``((a * h + b) mod 2^64) >> 32`` over the shingles, in compiled code
    that gives the same values on each of its kernels (tests/test_dedup.py
    computes them in numpy; rensa 0.5 computes other values). numpy's three
    passes over each chunk of permuted hashes (multiply, add, minimum) took
    0.137 s for the 990 dev dumps' kept texts, rensa takes 0.065 s. The high
    half of a 64-bit product depends on every bit of the hash, so the
    hashes need no mixing first.
    """

    def __init__(self, shingle_size: int = 5, num_perm: int = NUM_PERM) -> None:
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self._word = CodePointTest(WORD)

    def sign(self, text: str) -> Signature:
        words = self.words(text)
        exact = int.from_bytes(hashlib.blake2b(words, digest_size=8).digest(), "little")
        return Signature(exact, self.minhash(shingle_hashes(words.split(b" ") if words else [], self.shingle_size)).astype("<u4").tobytes())

    def words(self, text: str) -> bytes:
        """The lower-cased `WORD` runs of `text` joined by single spaces, in UTF-8: `" ".join(WORD.findall(text.lower()))`.

        Found with array operations on the code points (each one's class
        looked up once per process), which takes half the time of `findall`
        and never makes a string per word.
        """
        codes = code_points(text.lower())
        word = self._word.matches(codes)
        # A word character, or the first character after a word (a space in its place), of each word but the last.
        after = np.zeros_like(word)
        after[1:] = word[:-1] & ~word[1:]
        kept = np.where(word, codes, np.uint32(SPACE))[word | after]
        if len(kept) and kept[-1] == SPACE:
            kept = kept[:-1]
        return kept.tobytes().decode("utf-32-le").encode("utf-8")

    def minhash(self, hashes: np.ndarray) -> np.ndarray:
        """The `num_perm` minima of the permuted 64-bit `hashes` (uint32; all 2^32 - 1 for none).

        One row a call: rensa spreads a matrix over threads from 256 rows on,
        and a worker has one core to itself.
        """
        row = np.array([0, len(hashes)], dtype=np.uint64)  # the one row's offsets into the hashes
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(hashes, row, self.num_perm, SEED)
        return np.array(matrix.to_rows()[0], dtype=np.uint32)


def shingle_hashes(words: Sequence[bytes], size: int) -> np.ndarray:
    """A 64-bit hash of each word `size`-gram of a text (its words in UTF-8); a text shorter than `size` words is one shingle.

    Each word is hashed once (CRC-32) and the n-grams are folded from those
    hashes with array arithmetic, which costs a small part of hashing every
    n-gram's text: signing is on the hot path of every kept document.

    >>> len(shingle_hashes(b"a b c d".split(), 2)), len(shingle_hashes([b"a"], 5))
    (3, 1)
    >>> bool(shingle_hashes(b"a b a b".split(), 2)[0] == shingle_hashes(b"a b a b".split(), 2)[2])
    True
    """
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    count = max(1, len(words) - size + 1)
    folded = np.full(count, np.uint64(FOLD_BASIS), dtype=np.uint64)
    for offset in range(min(size, len(words))):
        folded = (folded ^ hashes[offset : offset + count]) * np.uint64(FOLD_PRIME)
    return folded


def decision_cut(threshold: float, num_perm: int = NUM_PERM, *, matching: Matching = MATCHING) -> float:
    """The estimated similarity at which a candidate pair is joined: the threshold less 1.5 standard errors.

    A MinHash estimate of a pair at similarity J scatters with standard error
    sqrt(J(1 - J)/num_perm), 0.025 at 0.8 with 256 values. Cutting at the
    threshold itself would miss half the pairs just above it; cutting 1.5
    errors lower finds 93% of the pairs at the threshold and nearly all above
    it, while a pair 0.1 below the threshold passes about 1.5% of the time.

    >>> round(decision_cut(0.8), 4)
    0.7625
    """
    return threshold - matching.margin_in_errors * math.sqrt(threshold * (1 - threshold) / num_perm)


def bands_for(threshold: float, num_perm: int = NUM_PERM, *, matching: Matching = MATCHING) -> tuple[int, int]:
    """LSH banding (bands, rows per band) for a Jaccard threshold.

    A pair with similarity J shares at least one band with probability
    1 - (1 - J^rows)^bands. Candidates are verified afterwards, so this takes
    the most rows per band (fewest false candidates) that still makes a pair
    at the threshold a candidate with probability `Matching.candidate_recall`.

    >>> bands_for(decision_cut(0.8))
    (36, 7)
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= matching.candidate_recall:
            return bands, rows
    return num_perm, 1


class SignatureStore:
    """The run's signatures, appended in arrival order to files in `folder`."""

    def __init__(self, folder: Path, num_perm: int = NUM_PERM) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.num_perm = num_perm
        self.count = 0
        self._minhash = open(folder / "minhash.u32", "wb")
        self._docs = open(folder / "docs.bin", "wb")
        self._sources = open(folder / "sources.txt", "wb")
        self._source_at = 0
        self._reader: IO[bytes] | None = None

    def add(self, signature: Signature, record_id: str, n_words: int, source: str) -> int:
        """Store one document's signature; returns its index."""
        encoded = source.encode("utf-8", "surrogateescape")
        self._minhash.write(signature.minhash)
        self._docs.write(DOC_ROW.pack(int(record_id, 16), signature.exact, n_words, self._source_at, len(encoded)))
        self._sources.write(encoded)
        self._source_at += len(encoded)
        self.count += 1
        return self.count - 1

    def reserve(self, count: int, source_bytes: int) -> tuple[int, int]:
        """Room for `count` documents whose sources take `source_bytes`, written into the files by someone else (a Ray task).

        Returns the index of the first and where its source starts; `add`
        must not be mixed with it.
        """
        at = self.count, self._source_at
        self.count += count
        self._source_at += source_bytes
        return at

    def close(self) -> None:
        for handle in (self._minhash, self._docs, self._sources, self._reader):
            if handle is not None:
                handle.close()

    def minhashes(self) -> np.ndarray:
        return np.memmap(self.folder / "minhash.u32", dtype="<u4", mode="r", shape=(self.count, self.num_perm))

    def docs(self) -> np.ndarray:
        return np.memmap(self.folder / "docs.bin", dtype=DOC_DTYPE, mode="r", shape=(self.count,))

    def member(self, index: int, docs: np.ndarray) -> Member:
        """Document `index` as a cluster member (its source read back from disk)."""
        if self._reader is None:
            self._reader = open(self.folder / "sources.txt", "rb")
        self._reader.seek(int(docs["source_at"][index]))
        source = self._reader.read(int(docs["source_len"][index])).decode("utf-8", "surrogateescape")
        return Member(index, f"{int(docs['id'][index]):016x}", source, int(docs["words"][index]))


class UnionFind:
    """Disjoint sets over 0..n-1 in one array; the root of a set is its smallest index."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def joined(self, members: np.ndarray) -> bool:
        """Whether all of `members` are in one set already."""
        root = self.find(int(members[0]))
        return all(self.find(int(i)) == root for i in members[1:])

    def roots_of(self, elements: np.ndarray) -> np.ndarray:
        """The roots of some elements, found in array operations (without path compression)."""
        roots = self.parent[elements]
        while not np.array_equal(jumped := self.parent[roots], roots):
            roots = jumped
        return roots

    def roots(self) -> np.ndarray:
        """Every element's root, by pointer jumping over the whole array at once."""
        roots = self.parent.copy()
        while not np.array_equal(jumped := roots[roots], roots):
            roots = jumped
        return roots


def groups_of(roots: np.ndarray) -> Iterator[np.ndarray]:
    """The sets of more than one element, each sorted, in order of their root (their smallest element)."""
    sizes = np.bincount(roots, minlength=len(roots))
    clustered = np.flatnonzero(sizes[roots] > 1)
    ordered = clustered[np.argsort(roots[clustered], kind="stable")]
    if not len(ordered):
        return
    bounds = np.flatnonzero(np.diff(roots[ordered])) + 1
    for start, end in zip(np.r_[0, bounds].tolist(), np.r_[bounds, len(ordered)].tolist()):
        yield ordered[start:end]


class Duplicates:
    """Which document each removed one duplicates: `kept_of[i]` is -1 for a kept document.

    Arrays over all documents (20 bytes each), not objects, so a corpus of
    millions fits; `clusters` rebuilds the clusters for the report one at a
    time.
    """

    def __init__(self, store: SignatureStore, roots: np.ndarray) -> None:
        self.store = store
        self.roots = roots
        self.kept_of = np.full(store.count, -1, dtype=np.int64)
        self.similarity = np.ones(store.count, dtype=np.float32)
        self.counts = {"clusters": 0, "removed": 0, "exact": 0, "near": 0}
        if store.count:
            self.docs = store.docs()
            self._decide(store.minhashes(), self.docs)

    def _decide(self, minhashes: np.ndarray, docs: np.ndarray) -> None:
        for group in groups_of(self.roots):
            kept = min((self.store.member(int(i), docs) for i in group), key=keep_order).index
            others = group[group != kept]
            self.kept_of[others] = kept
            self.similarity[others] = (np.asarray(minhashes[others]) == np.asarray(minhashes[kept])).mean(axis=1)
            exact = int((docs["exact"][others] == docs["exact"][kept]).sum())
            self.counts["clusters"] += 1
            self.counts["removed"] += len(others)
            self.counts["exact"] += exact
            self.counts["near"] += len(others) - exact

    def stats(self) -> dict[str, int]:
        return dict(self.counts)

    def removal(self, index: int) -> tuple[Member, Member] | None:
        """For a removed document, (the kept document, the removed one); None when `index` is kept."""
        kept = int(self.kept_of[index])
        if kept < 0:
            return None
        return self.as_member(kept), self.as_member(index, kept)

    def as_member(self, index: int, kept: int = -1) -> Member:
        """Document `index` as a member; with `kept`, as removed in favour of that document."""
        docs = self.docs
        member = self.store.member(index, docs)
        if kept < 0:
            return member
        exact = bool(docs["exact"][index] == docs["exact"][kept])
        return replace(member, similarity=round(float(self.similarity[index]), 3), exact=exact)

    def clusters(self) -> Iterator[Cluster]:
        """The clusters in order of their first document."""
        for group in groups_of(self.roots):
            kept = int(self.kept_of[group[0]]) if self.kept_of[group[0]] >= 0 else int(group[0])
            removed = tuple(self.as_member(int(i), kept) for i in group if i != kept)
            yield Cluster(self.as_member(kept), removed)


def find_duplicates(store: SignatureStore, threshold: float, *, matching: Matching = MATCHING) -> Duplicates:
    """Cluster the stored documents (see the module docstring)."""
    store.close()
    sets = UnionFind(store.count)
    if store.count > 1:  # a single document has no duplicate: no clusters to look for
        minhashes, docs = np.asarray(store.minhashes()), np.asarray(store.docs())
        Joiner(sets).join_equal(docs["exact"])
        cut = decision_cut(threshold, store.num_perm, matching=matching)
        verified = Joiner(sets, minhashes, docs, cut, matching=matching)
        bands, rows = bands_for(cut, store.num_perm, matching=matching)
        keys_path = store.folder / "bands.u64"
        write_band_keys(store, bands, rows, keys_path)
        for band in range(bands):
            verified.join_equal(np.fromfile(keys_path, dtype="<u8", count=store.count, offset=band * store.count * 8))
        keys_path.unlink()
    return Duplicates(store, sets.roots())


def write_band_keys(store: SignatureStore, bands: int, rows: int, path: Path, chunk: int = 1 << 14) -> None:
    """Every document's key in every band into `path`, band after band, from one sequential read of the MinHash values.

    The values are read in chunks with plain reads, not through the memory
    map: banding reads every value once per band, and pages of a mapped file
    that have been read stay in the process's resident memory, which would
    then grow by 1 KB a document. Here a chunk (16 MB) is all that is held.
    """
    n, width = store.count, store.num_perm
    with open(store.folder / "minhash.u32", "rb") as values, open(path, "wb") as out:
        out.truncate(bands * n * 8)
        for low in range(0, n, chunk):
            block = np.fromfile(values, dtype="<u4", count=min(chunk, n - low) * width).reshape(-1, width)
            for band in range(bands):
                os.pwrite(out.fileno(), band_keys(block, band * rows, rows).tobytes(), (band * n + low) * 8)


def band_keys(minhashes: np.ndarray, start: int, rows: int, chunk: int = 1 << 18) -> np.ndarray:
    """One band's key per document: its `rows` MinHash values from `start` folded into 64 bits."""
    keys = np.empty(len(minhashes), dtype=np.uint64)
    multiplier = np.uint64(FOLD_PRIME)
    for low in range(0, len(minhashes), chunk):
        values = np.asarray(minhashes[low : low + chunk, start : start + rows], dtype=np.uint64)
        folded = np.full(len(values), np.uint64(FOLD_BASIS ^ start), dtype=np.uint64)
        for column in values.T:
            folded = (folded ^ column) * multiplier
        keys[low : low + chunk] = folded
    return keys


class Joiner:
    """Joins documents that share a key: all of them, or with `cut`, the pairs whose estimated similarity reaches it.

    Buckets of two, by far the most common, are checked together in array
    operations; larger buckets one by one (`similar_pairs`). A bucket whose
    documents are already one set is skipped: checking its pairs again could
    add nothing, so the sets come out the same whatever the order.
    """

    def __init__(self, sets: UnionFind, minhashes: np.ndarray | None = None, docs: np.ndarray | None = None, cut: float | None = None,
                 *, matching: Matching = MATCHING) -> None:
        self.sets = sets
        self.minhashes = minhashes
        self.docs = docs
        self.cut = cut
        self.matching = matching

    def join_equal(self, keys: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, len(ordered)])
        pairs = starts[sizes == 2]
        self.join_pairs(order[pairs], order[pairs + 1])
        for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
            self.join_bucket(np.sort(order[start : start + size]))

    def join_pairs(self, first: np.ndarray, second: np.ndarray) -> None:
        apart = self.sets.roots_of(first) != self.sets.roots_of(second)
        first, second = first[apart], second[apart]
        if self.cut is not None and self.minhashes is not None:
            similar = (self.minhashes[first] == self.minhashes[second]).mean(axis=1) >= self.cut
            first, second = first[similar], second[similar]
        for a, b in zip(first.tolist(), second.tolist()):
            self.sets.union(a, b)

    def join_bucket(self, members: np.ndarray) -> None:
        if self.sets.joined(members):
            return
        if self.cut is None or self.minhashes is None or self.docs is None:
            pairs = [(int(members[0]), int(other)) for other in members[1:]]
        else:
            pairs = similar_pairs(members, self.minhashes, self.docs, self.cut, matching=self.matching)
        for a, b in pairs:
            self.sets.union(a, b)


def similar_pairs(members: np.ndarray, minhashes: np.ndarray, docs: np.ndarray, cut: float, *,
                  matching: Matching = MATCHING) -> list[tuple[int, int]]:
    """The pairs of a bucket whose estimated Jaccard similarity reaches `cut`.

    Exact copies are already joined and sign alike, so one of each stands for
    all. A bucket of up to `Matching.max_pairwise` documents is then checked
    pair by pair; in a larger one each document is checked against the first
    `max_pairwise` in keep order (most words, then smallest id), so which
    pairs are checked depends on contents, not on arrival order.
    """
    _, first_of_each = np.unique(docs["exact"][members], return_index=True)
    members = members[np.sort(first_of_each)]
    max_pairwise = matching.max_pairwise
    if len(members) > max_pairwise:
        members = members[np.lexsort((docs["id"][members], -docs["words"][members].astype(np.int64)))]
    anchors = np.asarray(minhashes[members[:max_pairwise]])
    pairs: list[tuple[int, int]] = []
    for low in range(0, len(members), BLOCK):
        block = np.asarray(minhashes[members[low : low + BLOCK]])
        agreement = (anchors[:, None, :] == block[None, :, :]).mean(axis=2)
        anchor, other = np.nonzero(agreement >= cut)
        later = other + low > anchor
        pairs.extend(zip(members[anchor[later]].tolist(), members[other[later] + low].tolist()))
    return pairs


def keep_order(member: Member) -> tuple:
    """Which document a cluster keeps: the one with most words, then the smallest source, then the smallest id."""
    return (-member.n_words, member.source, member.id)


def drops_of(duplicates: Duplicates, first: int, count: int) -> frozenset[int]:
    """Which of the documents `first` to `first + count` (one part file's records, in store order) are duplicates, counted from `first`."""
    return frozenset(np.flatnonzero(duplicates.kept_of[first : first + count] >= 0).tolist())


def duplicate_reject_lines(duplicates: Duplicates) -> Iterator[str]:
    """The rejects entries of the removed duplicates, in input order, each naming the document kept in its place."""
    for index in np.flatnonzero(duplicates.kept_of >= 0).tolist():
        found = duplicates.removal(index)
        assert found is not None
        kept, member = found
        how = "exact copy" if member.exact else f"near duplicate (estimated Jaccard {member.similarity:.2f})"
        yield to_json_line({
            "source": member.source,
            "reason": "duplicate",
            "detail": f"{how} of {kept.source}",
            "duplicate_of": {"id": kept.id, "source": kept.source},
            "similarity": member.similarity,
        })


def report_lines(duplicates: Duplicates) -> Iterator[str]:
    """`duplicates.jsonl`: one line per cluster, in order of each cluster's first document."""
    for cluster in duplicates.clusters():
        yield to_json_line({
            "kept": {"id": cluster.kept.id, "source": cluster.kept.source, "n_words": cluster.kept.n_words},
            "removed": [
                {"id": m.id, "source": m.source, "n_words": m.n_words, "similarity": m.similarity, "exact": m.exact}
                for m in cluster.removed
            ],
        })


def render_dedup_report(corpus: Path, below: float = 1.0, limit: int | None = None) -> str:
    """The clusters of a run's `duplicates.jsonl`, largest first, for a person to review.

    `below` keeps only the clusters where some removed document's estimated
    similarity to the kept one is under it: the doubtful merges.
    """
    path = corpus / "duplicates.jsonl"
    try:
        with open(path, encoding="utf-8") as report:
            clusters = [reported_cluster(json.loads(line), f"{path} line {number}") for number, line in enumerate(report, 1)]
    except FileNotFoundError:
        raise CleanerError(f"no duplicates.jsonl in {corpus} (not a run's output, or a run with --no-dedup)") from None
    except (OSError, ValueError) as exc:
        raise CleanerError(f"cannot read {path}: {exc}") from None
    shown = [c for c in clusters if below >= 1.0 or any(m["similarity"] < below for m in c["removed"])]
    shown.sort(key=lambda c: (-len(c["removed"]), c["kept"]["source"]))
    lines = [f"{len(shown)} of {len(clusters)} clusters, {sum(len(c['removed']) for c in shown)} documents removed"]
    for cluster in shown[:limit]:
        kept = cluster["kept"]
        lines.append(f"kept     {kept['source']}  ({kept['n_words']} words, id {kept['id']})")
        for member in cluster["removed"]:
            how = "exact" if member["exact"] else f"{member['similarity']:.3f}"
            lines.append(f"  {how:>6} {member['source']}  ({member['n_words']} words)")
    return "\n".join(lines) + "\n"


REPORTED_KEPT = {"id": str, "source": str, "n_words": int}
REPORTED_REMOVED = {**REPORTED_KEPT, "similarity": (int, float), "exact": bool}


def reported_cluster(cluster: object, where: str) -> dict:
    """A cluster read back from `duplicates.jsonl`, refused (`CleanerError`, naming the line) unless it has the shape `report_lines` writes.

    >>> reported_cluster({"kept": {"id": "a", "source": "a.txt", "n_words": 9}, "removed": []}, "d.jsonl line 1")["removed"]
    []
    >>> reported_cluster({"kept": ["a"]}, "d.jsonl line 2")
    Traceback (most recent call last):
    ...
    cleaner.errors.CleanerError: d.jsonl line 2: not a duplicate cluster ('kept' must be an object with id, source, n_words)
    """
    def fits(member: object, shape: dict) -> bool:
        return isinstance(member, dict) and all(
            isinstance(member.get(key), kind) and not (kind is int and isinstance(member.get(key), bool))
            for key, kind in shape.items())

    if not isinstance(cluster, dict) or not fits(cluster.get("kept"), REPORTED_KEPT):
        problem = "'kept' must be an object with id, source, n_words"
    elif not isinstance(cluster.get("removed"), list) or not all(fits(m, REPORTED_REMOVED) for m in cluster["removed"]):
        problem = "'removed' must be a list of objects with id, source, n_words, similarity, exact"
    else:
        return cluster
    raise CleanerError(f"{where}: not a duplicate cluster ({problem})")
