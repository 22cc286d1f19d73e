import gzip
import os
from pathlib import Path

import pytest

from cleaner.errors import InputError
from cleaner.readers import Walker, decode, input_kind, read_bytes


def make_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def sources(walker: Walker, *inputs: Path) -> list[str]:
    return [item.source for item in walker.walk(tuple(inputs))]


@pytest.mark.parametrize(
    "name, kind",
    [("a.txt", "text"), ("a.TEXT", "text"), ("a.html", "html"), ("a.htm.gz", "html"), ("a.xhtml", "html"), ("a.txt.gz", "text"), ("a.json", None), ("a.gz", None)],
)
def test_input_kind_by_suffix(name: str, kind: str | None) -> None:
    assert input_kind(name) == kind


def test_walk_is_sorted_recursive_and_skips_hidden_and_other_types(tmp_path: Path) -> None:
    make_tree(tmp_path, {"b.txt": b"x", "a/z.html": b"x", "a/b.txt.gz": b"x", ".hidden.txt": b"x", ".git/c.txt": b"x", "img.png": b"x"})
    walker = Walker()
    assert sources(walker, tmp_path) == ["a/b.txt.gz", "a/z.html", "b.txt"]
    assert walker.skipped == {"hidden": 2, "other_type": 1}


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    make_tree(tmp_path, {"news/a.html": b"x", "news/b.txt": b"x", "blog/c.html": b"x"})
    assert sources(Walker(include=("*.html",)), tmp_path) == ["blog/c.html", "news/a.html"]
    assert sources(Walker(exclude=("news/*",)), tmp_path) == ["blog/c.html"]


def test_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    make_tree(tmp_path, {"d/a.txt": b"x"})
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    walker = Walker()
    assert sources(walker, tmp_path) == ["d/a.txt"]
    assert walker.skipped["link_loop_or_outside"] == 1


def test_symlink_out_of_the_tree_is_reported_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, {"secret.txt": b"x", "dir/b.txt": b"x"})
    root = tmp_path / "root"
    make_tree(root, {"a.txt": b"x"})
    os.symlink(outside / "secret.txt", root / "link.txt")
    os.symlink(outside / "dir", root / "linkdir")
    items = list(Walker().walk((root,)))
    assert [(i.source, bool(i.problem)) for i in items] == [("a.txt", False), ("link.txt", True)]


def test_single_file_input_is_taken_whatever_its_name(tmp_path: Path) -> None:
    make_tree(tmp_path, {"page.dat": b"<!DOCTYPE html><p>x"})
    [item] = Walker().walk((tmp_path / "page.dat",))
    assert (item.source, item.kind) == ("page.dat", "html")


def test_read_bytes_gunzips(tmp_path: Path) -> None:
    path = tmp_path / "a.txt.gz"
    path.write_bytes(gzip.compress(b"hello"))
    assert read_bytes(path, 100) == b"hello"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\n", "empty"),
        ("fake.txt.gz", b"plain text", "bad_gzip"),
        ("cut.txt.gz", gzip.compress(b"hello world" * 100)[:30], "bad_gzip"),
        ("big.txt", b"x" * 101, "too_large"),
        ("bomb.txt.gz", gzip.compress(b"x" * 10_000), "too_large"),
    ],
)
def test_read_bytes_rejects(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_bytes(path, 10_000 if name == "cut.txt.gz" else 100)
    assert caught.value.reason == reason


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(tmp_path / "missing.txt", 100)
    assert caught.value.reason == "unreadable"


@pytest.mark.parametrize(
    "data, kind, expected",
    [
        ("naïve café".encode("utf-8"), "text", ("naïve café", "utf-8")),
        (b"\xef\xbb\xbfbom", "text", ("bom", "utf-8")),
        (b"\xff\xfe" + "hé".encode("utf-16-le"), "text", ("hé", "utf-16-le")),
        (b'<meta charset="windows-1252"><p>\x93quoted\x94', "html", ('<meta charset="windows-1252"><p>\u201cquoted\u201d', "cp1252")),
    ],
)
def test_decode(data: bytes, kind: str, expected: tuple[str, str]) -> None:
    assert decode(data, kind) == expected


def test_declared_charset_that_the_bytes_contradict_is_not_trusted() -> None:
    page = '<meta charset="utf-8"><p>Die Straße führt über die Brücke zum Schloß, wo früher Könige wohnten.'
    decoded, encoding = decode(page.encode("cp1252"), "html")
    assert decoded == page
    assert encoding != "utf-8"


def test_decode_detects_legacy_encoding() -> None:
    text = "Die Straße führt über die Brücke zum Schloß, wo früher Könige wohnten und Bürger Grüße riefen."
    decoded, encoding = decode(text.encode("cp1252"), "text")
    assert decoded == text
    assert encoding in {"cp1252", "iso8859-1", "iso8859-15", "latin_1", "cp1250"}


def test_decode_rejects_binary() -> None:
    with pytest.raises(InputError) as caught:
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text")
    assert caught.value.reason == "binary"
