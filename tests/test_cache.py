import os
from pathlib import Path

import numpy as np
import pytest

from cleaner import cache
from cleaner.cache import StaleCache, cache_dir, cached
from cleaner.language import LanguageDetector, Profiles, load_profiles
from cleaner.stopwords import Stopwords, stopwords


@pytest.fixture
def in_tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(folder))
    return folder


class Builder:
    """A build function that counts its calls and builds from a source file's text."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        return {"words": self.source.read_text().split()}


def decode_words(payload: object) -> dict:
    if not isinstance(payload, dict) or not isinstance(payload.get("words"), list):
        raise StaleCache("wrong shape")
    return payload


def get(builder: Builder, version: str = "v1") -> dict:
    return cached("words", version, [builder.source], builder, lambda data: data, decode_words)


@pytest.fixture
def builder(tmp_path: Path) -> Builder:
    source = tmp_path / "source.txt"
    source.write_text("alpha beta")
    return Builder(source)


def test_built_once_then_read_back(in_tmp_cache: Path, builder: Builder) -> None:
    assert get(builder) == {"words": ["alpha", "beta"]}
    assert get(builder) == {"words": ["alpha", "beta"]}
    assert builder.calls == 1
    key = cache.cache_key("words", "v1", [builder.source])
    assert [p.name for p in in_tmp_cache.iterdir()] == [f"words-{key[:6].hex()}.cache"]  # no temporary file left behind


def test_a_changed_source_or_version_is_rebuilt(in_tmp_cache: Path, builder: Builder) -> None:
    get(builder)
    builder.source.write_text("gamma")
    assert get(builder) == {"words": ["gamma"]}
    assert get(builder, "v2") == {"words": ["gamma"]}
    assert builder.calls == 3
    assert get(builder, "v2") == {"words": ["gamma"]} and builder.calls == 3


def test_same_size_same_time_edit_is_still_seen(in_tmp_cache: Path, builder: Builder) -> None:
    get(builder)
    stat = builder.source.stat()
    builder.source.write_text("alpha bet4")
    os.utime(builder.source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert get(builder) == {"words": ["alpha", "bet4"]}


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage", "wrong-shape"])
def test_a_damaged_file_is_rebuilt_and_replaced(in_tmp_cache: Path, builder: Builder, damage: str) -> None:
    get(builder)
    path = cache.cache_path("words", cache.cache_key("words", "v1", [builder.source]))
    blob = path.read_bytes()
    if damage == "flip":
        blob = blob[:-3] + bytes([blob[-3] ^ 0x40]) + blob[-2:]
    elif damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "empty":
        blob = b""
    elif damage == "garbage":
        blob = os.urandom(len(blob))
    else:  # a sound file whose payload is not what decode expects
        key = cache.cache_key("words", "v1", [builder.source])
        assert cache.write_payload(path, key, ["not", "a", "dict"])
        blob = path.read_bytes()
    path.write_bytes(blob)
    assert get(builder) == {"words": ["alpha", "beta"]}
    assert builder.calls == 2
    assert get(builder) == {"words": ["alpha", "beta"]} and builder.calls == 2  # the replacement is sound


def test_a_cache_that_cannot_be_written_costs_only_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builder: Builder) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(blocker / "cache"))  # under a file: mkdir fails
    assert get(builder) == {"words": ["alpha", "beta"]}
    assert get(builder) == {"words": ["alpha", "beta"]}
    assert builder.calls == 2


def test_data_encode_cannot_hold_is_used_uncached(in_tmp_cache: Path, builder: Builder) -> None:
    def refuse(data: dict) -> object:
        raise ValueError("cannot encode")

    assert cached("words", "v1", [builder.source], builder, refuse, decode_words) == {"words": ["alpha", "beta"]}
    assert not list(in_tmp_cache.glob("words*"))


def test_two_installs_sharing_a_cache_keep_a_file_each(in_tmp_cache: Path, builder: Builder) -> None:
    for _ in range(2):  # two installs of other versions, alternating
        get(builder, "v1")
        get(builder, "v2")
    assert builder.calls == 2
    assert len(list(in_tmp_cache.glob("words-*.cache"))) == 2


def test_a_new_version_prunes_the_oldest_beyond_those_kept(in_tmp_cache: Path, builder: Builder) -> None:
    legacy = in_tmp_cache / "words.cache"  # the one file per name of earlier releases
    in_tmp_cache.mkdir()
    legacy.write_bytes(b"old")
    other = in_tmp_cache / "words-extra-0123456789ab.cache"  # another name that begins with this one: left alone
    other.write_bytes(b"other")
    for number in range(cache.KEEP_VERSIONS + 2):
        get(builder, f"v{number}")
        path = cache.cache_path("words", cache.cache_key("words", f"v{number}", [builder.source]))
        os.utime(path, ns=(number * 10**9, number * 10**9))  # each version older than the next, whatever the clock's grain
    kept = sorted(p.name for p in in_tmp_cache.glob("words-*.cache") if p != other)
    newest = [cache.cache_path("words", cache.cache_key("words", f"v{n}", [builder.source])).name
              for n in range(2, cache.KEEP_VERSIONS + 2)]
    assert kept == sorted(newest)
    assert not legacy.exists() and other.exists()


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLEANER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "cleaner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "cleaner"


# ---------------------------------------------------------------- the two cached tables


def test_langdetect_profiles_read_back_equal_the_parsed_ones(in_tmp_cache: Path) -> None:
    parsed = Profiles.from_langdetect()
    first, second = load_profiles(), load_profiles()  # built and written, then read back
    assert list(in_tmp_cache.glob("langdetect-profiles-*.cache"))
    for profiles in (first, second):
        assert profiles.languages == parsed.languages and profiles.index == parsed.index
        for array in ("starts", "columns", "values"):
            assert np.array_equal(getattr(profiles, array), getattr(parsed, array))


def test_profiles_of_the_wrong_shape_are_refused() -> None:
    languages, grams, starts, columns, values = Profiles.from_langdetect().encode()
    with pytest.raises(StaleCache):
        Profiles.decode((languages, grams, starts[:-8], columns, values))
    with pytest.raises(StaleCache):
        Profiles.decode((languages[:3], grams, starts, columns, values))
    with pytest.raises(StaleCache):
        Profiles.decode((languages, grams.encode(), starts, columns, values))  # the n-grams as bytes, not text


def test_detection_reads_the_cached_profiles_without_listing_their_grams(in_tmp_cache: Path) -> None:
    load_profiles()  # the cache written
    detector = LanguageDetector()  # its profiles read back from the cache
    assert detector.detect("The harbour reopened on Monday after three months of repairs to the sea wall.").lang == "en"
    profiles = detector._grams.profiles
    assert "grams" not in profiles.__dict__ and "index" not in profiles.__dict__  # made only when read
    assert profiles.size == len(profiles.grams) == len(profiles.index) == len(Profiles.from_langdetect().grams)


def test_detection_with_a_corrupt_profiles_cache_is_unchanged(in_tmp_cache: Path) -> None:
    text = "Die Stadtverwaltung möchte die Straßen im Sommer kühler machen und den Anwohnern mehr Schatten bieten."
    expected = LanguageDetector().detect(text)
    (path,) = in_tmp_cache.glob("langdetect-profiles-*.cache")
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert LanguageDetector().detect(text) == expected


def test_stopwords_read_back_equal_the_built_ones(in_tmp_cache: Path) -> None:
    built = Stopwords.from_justext()
    stopwords.cache_clear()
    try:
        read = stopwords()
        stopwords.cache_clear()
        read_back = stopwords()
    finally:
        stopwords.cache_clear()
    assert list(in_tmp_cache.glob("justext-stopwords-*.cache"))
    for found in (read, read_back):
        assert found.index == built.index
        assert list(found.stoplists) == list(built.stoplists)
        assert all(found.stoplists[name] == built.stoplists[name] for name in built.stoplists)


def test_stoplists_keep_an_empty_word_and_an_empty_list() -> None:
    from cleaner.stopwords import Stoplists, StopwordIndex

    lists = Stopwords(Stoplists({"A": "\n" + "x\n", "B": ""}), StopwordIndex.from_dict({"": ("A",), "x": ("A",)}))
    back = Stopwords.decode(lists.encode())
    assert back.stoplists["A"] == frozenset({"", "x"}) and back.stoplists["B"] == frozenset()
    assert back.index == {"": ("A",), "x": ("A",)}


def test_the_stopword_index_loads_buckets_as_words_are_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import stopwords as module
    from cleaner.stopwords import StopwordIndex

    words = {f"{a}{b}x": (f"L{a}",) for a in "abcdefgh" for b in "abcdefgh"}
    index = StopwordIndex.from_dict(words)
    assert list(index.holders(["aax", "zzz", "aax"])) == [("La",), (), ("La",)]
    assert 0 < len(index._found) < len(words)  # noqa: SLF001 - only the looked-up buckets were made
    monkeypatch.setattr(module, "MAX_PREFIXES", 3)
    assert list(index.holders(["bbx", "ccx", "ddx"])) == [("Lb",), ("Lc",), ("Ld",)]
    assert index._complete and index._found == words and not index._prefixes  # noqa: SLF001 - past the bound: all loaded
    assert dict(index.items()) == words and len(index) == len(words) and index["hhx"] == ("Lh",)


def test_the_stopword_index_loads_every_bucket_once_a_share_of_them_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import stopwords as module
    from cleaner.stopwords import StopwordIndex

    words = {f"{a}{b}x": (f"L{a}",) for a in "abcdefgh" for b in "abcdefgh"}
    index = StopwordIndex.from_dict(words)
    monkeypatch.setattr(module, "EAGER_BUCKETS", 2)
    assert list(index.holders(["aax"])) == [("La",)] and not index._complete  # noqa: SLF001 - one bucket
    assert list(index.holders(["bbx", "zzz"])) == [("Lb",), ()]
    assert index._complete and index._found == words and not index._prefixes  # noqa: SLF001 - the rest at once
