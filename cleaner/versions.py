"""The installed versions of Python distributions, as `importlib.metadata.version` gives them, read without it.

A run's fingerprint holds the versions of the libraries whose results reach
the output (`runner.OUTPUT_LIBRARIES`), so every run, one file or a crawl,
looks them up before its first task. `importlib.metadata` imports the
`email` package to parse the metadata's headers (22 ms here) and takes 7 ms
more to find the eight; a text run imports nothing else that needs it.

`installed_versions` finds a distribution where `importlib.metadata` does:
the first ``NAME-VERSION.dist-info`` directory, in the order of `sys.path`
and of each directory's listing, whose name normalises to the one asked
for (PEP 503's normalisation, with underscores as in the directory's name),
and reads the ``Version`` header of its ``METADATA``. Anything else it
meets first (an ``.egg-info``, an egg, a zip file on `sys.path`, a
``METADATA`` without the header) it leaves to `importlib.metadata` itself,
so the answer is the same either way (`tests/test_versions.py` compares
them for every distribution installed).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

SEPARATORS = re.compile(r"[-_.]+")
INFO_SUFFIXES = (".dist-info", ".egg-info")


def normalized(name: str) -> str:
    """A distribution's name as `importlib.metadata` compares it: runs of "-", "_" and "." one "_", lower case."""
    return SEPARATORS.sub("_", name).lower()


def installed_versions(names: Iterable[str], path: list[str] | None = None) -> dict[str, str]:
    """The installed version of each of `names` ("" for one that is not installed), looked up on `path` (`sys.path`)."""
    asked = list(names)
    wanted = {normalized(name) for name in asked}
    found: dict[str, str | None] = {}  # None: met first in a form only `importlib.metadata` reads
    for entry in sys.path if path is None else path:
        if isinstance(entry, str) and (entry.lower().endswith(".egg") or os.path.isfile(entry)):
            found.update({key: None for key in wanted if key not in found})  # an egg or a zip file
            continue
        for child in listing(entry):
            low = child.lower()
            if low.endswith(INFO_SUFFIXES):
                key = normalized(low.rpartition(".")[0].partition("-")[0])
                if key in wanted and key not in found:
                    found[key] = header_version(os.path.join(entry or ".", child)) if low.endswith(".dist-info") else None
        if len(found) == len(wanted):
            break
    # A name met nowhere is on no directory, egg or zip file of the path: importlib.metadata would not find it either.
    return {name: "" if (key := normalized(name)) not in found else found[key] or metadata_version(name, path) for name in asked}


def listing(entry: object) -> list[str]:
    """The names in the directory `entry` of `sys.path`, in `os.listdir`'s order ([] when it is not a readable directory)."""
    if not isinstance(entry, str):
        return []
    try:
        return os.listdir(entry or ".")
    except OSError:
        return []


def header_version(info: str) -> str | None:
    """The ``Version`` header of the ``METADATA`` in the ``.dist-info`` directory `info` (None without one)."""
    try:
        with open(os.path.join(info, "METADATA"), encoding="utf-8", errors="surrogateescape") as metadata:
            for line in metadata:
                if not line.strip():
                    return None  # the end of the headers
                field, colon, value = line.partition(":")
                if colon and field.strip().lower() == "version":
                    return value.strip()
    except OSError:
        return None
    return None


def metadata_version(name: str, path: list[str] | None) -> str:
    """`importlib.metadata`'s version of `name` on `path` ("" when it finds none)."""
    from importlib.metadata import distributions

    found = next(iter(distributions(name=name, path=sys.path if path is None else path)), None)
    return found.version if found is not None and found.version is not None else ""
