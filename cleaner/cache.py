"""A per-user cache of data that is slow to build from installed files: versioned, verified, rebuilt when stale.

langdetect's profiles (55 JSON files) and jusText's stoplists (100 text
files) take about a second and a half to parse and index at every start of
a process; read back from one prebuilt file they take a few hundredths.
`cached` keeps such data under the user's cache directory
(``$CLEANER_CACHE_DIR``, else ``$XDG_CACHE_HOME/cleaner``, else
``~/.cache/cleaner``), one file per name and key (`cache_path`), so two
installs sharing a cache directory (two virtual environments, two checkouts)
each keep theirs instead of rebuilding it at every start of the other; the
oldest versions of a name beyond `KEEP_VERSIONS` are deleted when a new one
is written.

A cache never gives a wrong result. Each file is keyed by a hash of what
its data is built from: the format of this module, the Python version (the
payload is `marshal` data), the caller's version string (the library's
version and a revision of the build code) and the bytes of every source
file, in the order given (so an upgraded or edited profile changes the
key). On load the key must match and the payload must match its SHA-256,
then the caller's `decode` checks its shape; anything else (a stale key, a
truncated or corrupt file, a payload of the wrong shape) means the data is
built again from its sources and the file replaced atomically (written
beside it, then renamed). A cache directory that cannot be written only
costs the rebuild: the data is returned all the same.

`marshal` and not `pickle`: loading marshal data runs no code.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = b"cleaner-cache 1\n"
DIGEST_SIZE = 32  # SHA-256
MARSHAL_VERSION = 4
KEY_IN_NAME = 6  # bytes of the key in a file's name (12 hex digits): the file's key is still checked in full
KEEP_VERSIONS = 3  # files kept per name, the newest: a new build deletes the older ones beyond these


class StaleCache(ValueError):
    """A cache file that cannot be used: absent, stale, corrupt, or of the wrong shape."""


def cache_dir() -> Path:
    """Where cache files live: $CLEANER_CACHE_DIR, else $XDG_CACHE_HOME/cleaner, else ~/.cache/cleaner."""
    explicit = os.environ.get("CLEANER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cleaner"


def cache_key(name: str, version: str, sources: Iterable[Path]) -> bytes:
    """The SHA-256 of everything the cached data is built from (see the module)."""
    digest = hashlib.sha256()
    for part in (FORMAT, name.encode(), sys.version.encode(), str(marshal.version).encode(), version.encode()):
        digest.update(len(part).to_bytes(8, "little") + part)
    for source in sources:
        data = source.read_bytes()
        label = source.name.encode("utf-8", "surrogateescape")
        digest.update(len(label).to_bytes(8, "little") + label + len(data).to_bytes(8, "little") + data)
    return digest.digest()


def cached(name: str, version: str, sources: Iterable[Path], build: Callable[[], T],
           encode: Callable[[T], object], decode: Callable[[object], T]) -> T:
    """`build()`, or the same data read back from the cache file `name` when it is current and sound.

    `encode` turns the built data into marshal-able values and `decode`
    turns them back, raising `StaleCache` (or ValueError, TypeError,
    KeyError, IndexError) when they are not of the expected shape.
    """
    key = cache_key(name, version, sources)
    path = cache_path(name, key)
    try:
        return decode(read_payload(path, key))
    except (OSError, StaleCache, ValueError, TypeError, KeyError, IndexError, EOFError):
        pass
    data = build()
    try:
        value = encode(data)
    except (ValueError, TypeError):  # data this encoding cannot hold: used, not cached
        return data
    if write_payload(path, key, value):
        prune_versions(name, keep=path)
    return data


def cache_path(name: str, key: bytes) -> Path:
    """The cache file of `name` built under `key`: the name, then the key's first bytes in hex."""
    return cache_dir() / f"{name}-{key[:KEY_IN_NAME].hex()}.cache"


def prune_versions(name: str, keep: Path, versions: int = KEEP_VERSIONS) -> None:
    """Delete the cache files of `name` other than the newest `versions` (by modification time), never `keep`.

    The one file an earlier release kept per name (``NAME.cache``) goes too. A file in use by another process is only unlinked: that process keeps
    reading what it opened, and at worst builds its data again next time.
    """
    try:
        found = [path for path in keep.parent.glob(f"{name}-*.cache") if path != keep and is_version_of(path, name)]
        found.sort(key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for path in [*found[versions - 1:], keep.parent / f"{name}.cache"]:
            path.unlink(missing_ok=True)
    except OSError:  # a file gone meanwhile, or a directory that cannot be listed: pruning is best effort
        pass


def is_version_of(path: Path, name: str) -> bool:
    """A file that `cache_path` names for `name` (not one of another name that begins with it and a hyphen)."""
    suffix = path.name[len(name) + 1:-len(".cache")]
    return len(suffix) == 2 * KEY_IN_NAME and all(c in "0123456789abcdef" for c in suffix)


def read_payload(path: Path, key: bytes) -> object:
    """The marshalled payload of the cache file at `path`; `StaleCache` unless its key is `key` and its digest holds."""
    blob = path.read_bytes()
    head = len(FORMAT) + 2 * DIGEST_SIZE
    if len(blob) < head or not blob.startswith(FORMAT):
        raise StaleCache(f"not a cache file: {path}")
    stored_key, digest = blob[len(FORMAT):len(FORMAT) + DIGEST_SIZE], blob[len(FORMAT) + DIGEST_SIZE:head]
    payload = memoryview(blob)[head:]
    if stored_key != key:
        raise StaleCache(f"stale: {path}")
    if hashlib.sha256(payload).digest() != digest:
        raise StaleCache(f"corrupt: {path}")
    return marshal.loads(payload)


def write_payload(path: Path, key: bytes, value: object) -> bool:
    """Write `value` to the cache file at `path`, atomically; False (and nothing written) when it cannot be."""
    temp = None
    try:
        payload = marshal.dumps(value, MARSHAL_VERSION)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(FORMAT + key + hashlib.sha256(payload).digest())
            out.write(payload)
        os.replace(temp, path)
        return True
    except (OSError, ValueError):  # ValueError: a value marshal cannot hold
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        return False
