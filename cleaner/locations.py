"""Inputs and outputs by URL: object stores (`s3://`, `gs://`, ...) and any other fsspec filesystem.

A URL input is listed and read through fsspec (`fsspec.core.url_to_fs`, with
the credentials the environment gives the filesystem's library). A single
document is copied into an anonymous local temporary file by the task that
reads it, so the readers (gzip and the size checks) see a real file as they
do for a local path; `--max-bytes` is checked on the size the filesystem
reports before anything is fetched, and the copy stops once it passes the
limit. A container (WARC, JSONL, Parquet), which a run splits into many
tasks, is fetched once per run: planning it needs a scan of the whole file
anyway, so the run's driver copies it into the scratch folder
(`stage_url`), plans its units there, and the tasks read the staged copy,
a path in scratch they can all reach. A URL output is written locally
first, as any run is, and uploaded at the commit (`upload_output`). Scratch
is always local.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
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


def open_url(url: str, limit: int | None = None) -> BinaryIO:
    """The file at `url`, copied into an anonymous local temporary file (a real descriptor, as the readers need), at position 0.

    With `limit`, no more than `limit` + 1 bytes are fetched: a file the
    filesystem said was smaller but that streams more (a size it did not
    report, a file growing) is `too_large` once it passes the limit.
    """
    local = tempfile.TemporaryFile()
    try:
        copied = fetch_into(url, local, None if limit is None else limit + 1)
        if limit is not None and copied > limit:
            raise InputError("too_large", f"more than --max-bytes {limit} (the file streamed more than its reported size)")
    except BaseException:
        local.close()
        raise
    local.seek(0)
    return local


def fetch_into(url: str, target: BinaryIO, most: int | None = None) -> int:
    """Copy the file at `url` into `target` (at most `most` bytes when given); returns the bytes copied. `InputError` when it cannot be read."""
    try:
        fs, path = filesystem(url)
        with fs.open(path, "rb") as remote:
            return copy_stream(remote, target, most)
    except FileNotFoundError:
        raise InputError("unreadable", "not found") from None
    except IsADirectoryError:
        raise InputError("unreadable", "not a regular file (directory)") from None
    except Exception as exc:
        raise InputError("unreadable", str(exc) or type(exc).__name__) from None


def copy_stream(source: BinaryIO, target: BinaryIO, most: int | None = None) -> int:
    """Copy `source` into `target` in `COPY_CHUNK` pieces, stopping after `most` bytes when given; returns the bytes copied."""
    copied = 0
    while most is None or copied < most:
        chunk = source.read(COPY_CHUNK if most is None else min(COPY_CHUNK, most - copied))
        if not chunk:
            break
        target.write(chunk)
        copied += len(chunk)
    return copied


def url_size(url: str) -> int | None:
    """The size of the file at `url` as its filesystem reports it, or None when it does not say (or cannot be asked)."""
    try:
        fs, path = filesystem(url)
        size = fs.info(path).get("size")
    except Exception:  # the read that follows reports what is wrong with the URL
        return None
    return int(size) if isinstance(size, int) else None


def read_head(url: str, count: int) -> bytes:
    """The first `count` bytes of the file at `url` (a ranged read: the rest is not fetched); OSError when it cannot be read."""
    try:
        fs, path = filesystem(url)
        with fs.open(path, "rb") as remote:
            return remote.read(count)
    except OSError:
        raise
    except Exception as exc:
        raise OSError(f"cannot read {url}: {exc}") from None


def staged_name(url: str, occurrence: int = 0) -> str:
    """The name of a URL's staged copy: a hash of the URL (distinct URLs, distinct names), `-k` for its k-th time
    as an input of the run (k > 0), and the URL's last two suffixes, which the readers go by.

    >>> staged_name("s3://b/crawl/CC-MAIN-1.warc.gz")[16:], staged_name("memory://a.jsonl", 2)[16:]
    ('.warc.gz', '-2.jsonl')
    """
    suffixes = "".join(PurePosixPath(url.rstrip("/").rsplit("/", 1)[-1]).suffixes[-2:])
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return digest + (f"-{occurrence}" if occurrence else "") + suffixes


def stage_url(url: str, folder: Path, occurrence: int = 0) -> Path:
    """The file at `url` copied into `folder` (fetched once; a run's tasks read the copy), or `InputError` when it cannot be read.

    The copy is written under a temporary name and renamed when complete, so
    a copy that is there is whole; one already there with the size the
    filesystem reports (a resumed run's scratch) is used as it is.
    `occurrence` tells apart the copies of a URL given more than once.
    """
    target = folder / staged_name(url, occurrence)
    size = url_size(url)
    if size is not None and target.is_file() and target.stat().st_size == size:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        with open(temporary, "wb") as copy:
            fetch_into(url, copy)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return target


def file_identity(url: str) -> tuple[int, int]:
    """A URL file's size and a hash of its modification time (what makes a resumed run's inputs the same)."""
    try:
        fs, path = filesystem(url)
        info = fs.info(path)
    except Exception:
        return -1, -1
    changed = info.get("mtime") or info.get("LastModified") or info.get("updated") or info.get("created") or ""
    return int(info.get("size") or 0), zlib.crc32(str(changed).encode("utf-8", "surrogateescape"))


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
