"""The memory allocator a run's processes use: mimalloc when the machine has it, else the C library's.

lxml (libxml2), which trafilatura parses and copies every page with, makes
and frees millions of small blocks a run; glibc's allocator spends a tenth
of an HTML run on them (`malloc` alone 4.7% of the in-process path, and
freeing a page's tree 0.76 ms of its 26). mimalloc, Microsoft's allocator
(Debian's `libmimalloc2.0`, MIT), does the same work for less: a whole
1-worker run over the 990 dev pages took 0.88x the CPU with it, the fast
path 0.95x and the text dumps 1.00x, every output byte-identical
(`bench/HISTORY.md`).

A process cannot change its allocator once it runs, so `cleaner run` and
`cleaner learn-rules`, started as programs, start themselves again at once
(the same process, `os.execv`) with the library preloaded (`LD_PRELOAD`),
before they import anything heavy; the local executor's workers are forked
from that process and share its allocator. A Ray worker uses its own node's
environment: the library's path on the driver's machine is not passed on.

`CLEANER_ALLOCATOR` chooses: `auto` (the default: mimalloc when found),
`system` (the C library's), or the path of an allocator's shared library to
preload instead (jemalloc's, say). An `LD_PRELOAD` that already names an
allocator is left as the user set it.
"""

from __future__ import annotations

import os
import sys
from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence

from cleaner.errors import ConfigError

ENV = "CLEANER_ALLOCATOR"
PRELOAD = "LD_PRELOAD"
# mimalloc's shared library by its Debian names, newest first (libmimalloc3 in Debian 14, libmimalloc2.0 in 12 and 13).
MIMALLOC_NAMES = ("libmimalloc.so.3", "libmimalloc.so.2")
# A preloaded library with one of these in its name replaces malloc already: the user chose an allocator.
ALLOCATOR_MARKS = ("malloc",)
# The commands that process a corpus restart under the allocator; `explain` and the others do too little for it.
ALLOCATING_COMMANDS = frozenset(("run", "learn-rules"))


# How to start this program again with an allocator preloaded: `os.execve(executable, argv, env)`. This module
# is all the process a restart replaces imports, so it uses `os` and `sys` alone (dataclasses, pathlib and
# sysconfig took 28 ms of an interpreter started without `site`, which a restart pays for nothing).
Restart = namedtuple("Restart", ["executable", "argv", "env"])


def multiarch() -> str:
    """The platform's multiarch name (x86_64-linux-gnu, say), "" where it has none."""
    name = getattr(sys.implementation, "_multiarch", None)  # sysconfig's MULTIARCH, without importing sysconfig
    if name is None:
        import sysconfig

        name = sysconfig.get_config_var("MULTIARCH")
    return name or ""


def library_dirs() -> list[str]:
    """Where the system's shared libraries are, as Debian and most distributions lay them out."""
    arch = multiarch()
    return [*([os.path.join("/usr/lib", arch)] if arch else []), "/usr/lib64", "/usr/lib", "/usr/local/lib"]


def find_mimalloc(dirs: Iterable[str | os.PathLike] | None = None) -> str | None:
    """The path of mimalloc's shared library on this machine, or None."""
    for directory in library_dirs() if dirs is None else dirs:
        for name in MIMALLOC_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
    return None


def wanted(env: Mapping[str, str], dirs: Iterable[str | os.PathLike] | None = None) -> str | None:
    """The library `CLEANER_ALLOCATOR` asks to preload (None: the C library's allocator).

    A path that is not a file is a usage error: the user asked for an
    allocator that a run would silently go without.
    """
    choice = env.get(ENV, "auto").strip() or "auto"
    if choice == "system":
        return None
    if choice == "auto":
        return find_mimalloc(dirs)
    if not os.path.isfile(choice):
        raise ConfigError(f"{ENV}={choice}: not 'auto', 'system' or the path of a shared library")
    return choice


def preloaded(env: Mapping[str, str]) -> list[str]:
    """The libraries `LD_PRELOAD` names (separated by spaces or colons, as the dynamic loader reads it)."""
    return env.get(PRELOAD, "").replace(":", " ").split()


def restart(orig_argv: Sequence[str], executable: str, env: Mapping[str, str], library: str | None) -> Restart | None:
    """How to start this program again with `library` preloaded; None when there is nothing to do.

    Nothing to do: no library, not on Linux, no interpreter to start, or
    `library` preloaded already (after the restart: so a library the loader
    could not preload is not tried twice) or another allocator preloaded.
    """
    if library is None or not sys.platform.startswith("linux") or not executable or not orig_argv:
        return None
    libraries = preloaded(env)
    if library in libraries or any(mark in os.path.basename(name) for name in libraries for mark in ALLOCATOR_MARKS):
        return None
    return Restart(executable, list(orig_argv), {**env, PRELOAD: " ".join([*libraries, library])})


def without(env: Mapping[str, str], library: str | None) -> dict[str, str]:
    """`env` with `library` taken out of `LD_PRELOAD`: the environment a program had before it restarted under it."""
    kept = [name for name in preloaded(env) if library is None or name != library]
    rest = {key: value for key, value in env.items() if key != PRELOAD}
    return {**rest, PRELOAD: " ".join(kept)} if kept else rest


def restart_with_allocator() -> None:
    """Start this program again under the allocator `CLEANER_ALLOCATOR` wants, unless it runs under one already.

    Returns only when no restart is needed or the restart failed (the run
    then goes on with the C library's allocator).
    """
    plan = restart(sys.orig_argv, sys.executable, os.environ, wanted(os.environ))
    if plan is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(plan.executable, plan.argv, plan.env)
    except OSError:
        return


def restart_early(argv: Sequence[str]) -> None:
    """`restart_with_allocator` for a corpus command (`argv[1]`), before the command line's modules are imported.

    The program's entry (`cleaner/__main__.py`) calls it first, so the restart
    does not pay for importing and parsing twice (about 25 ms of the 60 it
    costs). A `CLEANER_ALLOCATOR` it cannot use is left for `cli.main`, which
    restarts too (when this did not) and reports it in one line.
    """
    if argv[1:2] and argv[1] in ALLOCATING_COMMANDS:
        try:
            restart_with_allocator()
        except ConfigError:
            return


def active(maps: str | os.PathLike = "/proc/self/maps") -> str:
    """The allocator library mapped into this process ("" for the C library's, or where that cannot be told)."""
    try:
        with open(maps, encoding="utf-8", errors="surrogateescape") as lines:
            mapped = {line.rsplit(None, 1)[-1] for line in lines if "/" in line}
    except OSError:
        return ""
    return next((path for path in sorted(mapped) if any(mark in os.path.basename(path) for mark in ALLOCATOR_MARKS)), "")
