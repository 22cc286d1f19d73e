"""Inputs and outputs by URL: object stores (`s3://`, `gs://`, ...) and any other fsspec filesystem.

A URL input is listed and read through fsspec (`fsspec.core.url_to_fs`, with
the credentials the environment gives the filesystem's library); each file is
copied into an anonymous local temporary file when it is opened, so the
readers (containers, gzip, WARC, JSONL, Parquet) see a real file as they do
for a local path. A URL output is written locally first, as any run is, and
uploaded at the commit (`upload_output`). Scratch is always local.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cleaner.errors import InputError, OutputError

URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
STAGING_PREFIX = ".cleaner-staging-"
COPY_CHUNK = 1 << 20


def is_url(location: object) -> bool:
    """Whether `location` is a URL (`scheme://...`) rather than a local path.

    >>> is_url("s3://bucket/prefix"), is_url("memory://x"), is_url("data/in"), is_url("C:/data"), is_url(Path("a"))
    (True, True, False, False, False)
    """
    return isinstance(location, str) and bool(URL.match(location))


def location(text: str) -> str | Path:
    """A command-line input or output: a URL stays a string (a `Path` would fold its `//`), anything else is a `Path`."""
    return text if is_url(text) else Path(text)


def filesystem(url: str) -> tuple[object, str]:
    """The fsspec filesystem of `url` and the path on it; a scheme fsspec cannot serve is `OSError` in one line."""
    import fsspec.core

    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # e.g. s3:// without s3fs installed
        raise OSError(f"cannot open {url}: {exc}") from None
    except ValueError as exc:  # an unknown protocol
        raise OSError(f"cannot open {url}: {exc}") from None


def url_problem(url: str) -> str | None:
    """Why an input URL cannot be read (one line), or None when it names a file or a folder."""
    try:
        fs, path = filesystem(url)
        if fs.exists(path):
            return None
    except OSError as exc:
        return f"input URL cannot be read: {exc}"
    except Exception as exc:  # a filesystem library's own errors (credentials, network)
        return f"input URL cannot be read: {url}: {type(exc).__name__}: {exc}"
    return f"input path not found: {url}"


def is_url_dir(url: str) -> bool:
    fs, path = filesystem(url)
    return fs.isdir(path)


def list_files(url: str) -> Iterator[str]:
    """The paths of the files under the folder `url`, relative to it ("/"-separated), sorted as a local walk sorts them."""
    fs, base = filesystem(url)
    base = base.rstrip("/")
    relative = (found[len(base):].lstrip("/") for found in fs.find(base))
    yield from sorted((name for name in relative if name), key=lambda name: name.split("/"))


def join(url: str, relative: str) -> str:
    """`url` / `relative`.

    >>> join("s3://bucket/prefix/", "a/b.html")
    's3://bucket/prefix/a/b.html'
    """
    return f"{url.rstrip('/')}/{relative}"


def open_url(url: str) -> BinaryIO:
    """The file at `url`, copied into an anonymous local temporary file (a real descriptor, as the readers need), at position 0."""
    local = tempfile.TemporaryFile()
    try:
        fs, path = filesystem(url)
        with fs.open(path, "rb") as remote:
            shutil.copyfileobj(remote, local, COPY_CHUNK)
    except FileNotFoundError:
        local.close()
        raise InputError("unreadable", "not found") from None
    except IsADirectoryError:
        local.close()
        raise InputError("unreadable", "not a regular file (directory)") from None
    except Exception as exc:
        local.close()
        raise InputError("unreadable", str(exc) or type(exc).__name__) from None
    local.seek(0)
    return local


def file_identity(url: str) -> tuple[int, int]:
    """A URL file's size and a hash of its modification time (what makes a resumed run's inputs the same)."""
    try:
        fs, path = filesystem(url)
        info = fs.info(path)
    except Exception:
        return -1, -1
    changed = info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("created") or ""
    return int(info.get("size") or 0), hash(str(changed)) & 0x7FFFFFFF


def check_output_url(url: str, overwrite: bool) -> None:
    """Refuse an output URL that holds files (other than hidden ones) unless `overwrite`; one line."""
    try:
        fs, path = filesystem(url)
        names = [name for name in _names(fs, path) if not name.startswith(".")]
    except OSError as exc:
        raise OutputError(f"output URL cannot be used: {exc}") from None
    if names and not overwrite:
        raise OutputError(f"output directory {url} is not empty (use --overwrite to replace its corpus)")


def upload_output(local: Path, url: str, patterns: tuple[str, ...]) -> None:
    """Upload a committed local output to `url`: into `URL/.cleaner-staging-<id>/`, then each file moved into place.

    Earlier files of a run (names matching `patterns`) that the new run did
    not write are deleted once the new ones are in place.
    """
    fs, base = filesystem(url)
    base = base.rstrip("/")
    import uuid  # here: the command line imports this module, and only an upload needs an id

    staging = f"{base}/{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    names = sorted(path.name for path in local.iterdir() if path.is_file() and not path.name.startswith("."))
    fs.makedirs(staging, exist_ok=True)
    for name in names:
        fs.put_file(str(local / name), f"{staging}/{name}")
    old = [name for name in _names(fs, base) if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)]
    for name in names:
        fs.mv(f"{staging}/{name}", f"{base}/{name}")
    for name in sorted(set(old) - set(names)):
        fs.rm(f"{base}/{name}")
    fs.rm(staging, recursive=True)


def _names(fs: object, path: str) -> list[str]:
    """The names directly inside `path` ([] when it does not exist)."""
    if not fs.exists(path):
        return []
    return [entry.rstrip("/").rsplit("/", 1)[-1] for entry in fs.ls(path, detail=False)]
