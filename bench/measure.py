"""Run a command as a child process and measure it: wall time, peak memory of its whole process tree."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PYTHON", "ROOT", "Run", "kill_tree", "median", "run_measured", "tree_rss"]

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int | None  # None: stopped at the time limit
    stdout: str = ""
    stderr: str = ""

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _descendants(pid: int) -> list[int]:
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _pss(pid: int) -> int:
    """Bytes of a process's proportional set size: its resident pages, each shared page divided
    among the processes sharing it (drugkg's forked workers share the store's pages)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> float:
    """Memory (MB) of a process and all its descendants: their PSS summed, so a page shared by
    several of them counts once (RSS where the kernel gives no PSS)."""
    return sum(_pss(p) for p in _descendants(pid)) / 1e6


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a process we started and every process below it (by id, never by name)."""
    for p in reversed(_descendants(pid)):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


class _Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak


def run_measured(
    cmd: Sequence[str], *, timeout: float, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run `cmd`, sampling the RSS of its process tree; stop it (SIGKILL) at `timeout` seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd or ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
        start_new_session=True,
    )
    sampler = _Sampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        out, err = proc.communicate()
        code = None
    seconds = time.perf_counter() - start
    peak = sampler.stop()
    return Run(seconds, peak, code, out[-200_000:], err[-4000:])


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
