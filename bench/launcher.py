"""Start benchmark commands from a small process of their own, so that the peak RSS they report is theirs.

On Linux a process made by fork (or vfork, as `subprocess` uses) and exec
keeps, in the ``ru_maxrss`` that ``wait4`` reports for it, the high-water
mark of the address space it was started from. A command that a benchmark
starts after running the pipeline in-process (a few hundred MiB) therefore
reports at least that much, whatever it used itself: `bench/speed.py`
reported 320 MiB for HTML runs that peak at about 205 MiB when started from
a shell. A launcher is an interpreter of its own, with a fresh address
space: the commands it starts inherit only its few MiB.

    with Launcher() as launcher:
        done = launcher.run([sys.executable, "-m", "cleaner", "--help"], cwd=".", env=dict(os.environ))

It reads one JSON request a line on its standard input and answers each
with one JSON line on its standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class Completed:
    """One command's wall seconds (Popen to wait4), exit code, CPU seconds and peak RSS, as `wait4` reports them."""

    seconds: float
    returncode: int
    cpu_s: float  # user + system of the command and the children it waited for
    maxrss_kib: int  # the largest single process among the command and the children it waited for


class Launcher:
    """A small process that starts commands on request; started on first use, stopped by `close`."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, argv: list[str], cwd: str, env: dict[str, str], stderr: str | None = None) -> Completed:
        """Run `argv` in `cwd` with `env`, its standard output discarded and its standard error into the file `stderr` (or discarded)."""
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env, "stderr": stderr}) + "\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        if not answer:
            raise RuntimeError("the benchmark launcher exited")
        return Completed(**json.loads(answer))

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()
            self._process = None

    def _started(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             text=True, bufsize=1)
        return self._process


def serve(requests: IO[str], answers: IO[str]) -> None:
    """Run each request's command and write what `wait4` says of it."""
    for line in requests:
        request = json.loads(line)
        with open(request["stderr"] or os.devnull, "wb") as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(request["argv"], cwd=request["cwd"], env=request["env"],
                                       stdout=subprocess.DEVNULL, stderr=stderr)
            _pid, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
        done = Completed(seconds, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
        answers.write(json.dumps(done.__dict__) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
