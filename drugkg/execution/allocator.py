"""The memory allocator a query worker runs with: jemalloc where the system has it.

pyoxigraph's query evaluation allocates and frees a great deal; with glibc's malloc a worker
spent about 17% more CPU on the same queries than with jemalloc (bench/serve_speed.py measures
both). jemalloc goes in by `LD_PRELOAD`, in the worker's environment only. A worker reports the
allocator it actually runs with (`in_use`), so /health never claims one that did not load.
"""

from __future__ import annotations

import ctypes.util
import os

__all__ = ["CHOICES", "in_use", "preload_for"]

CHOICES = ("auto", "jemalloc", "system")
_SONAME = "libjemalloc.so.2"


def preload_for(choice: str) -> str | None:
    """The library to preload for `choice` ("auto": jemalloc if found), or None for glibc's malloc.

    Raises LookupError when jemalloc is asked for and not installed."""
    if choice == "system":
        return None
    found = _SONAME if ctypes.util.find_library("jemalloc") else None
    if found is None and choice == "jemalloc":
        raise LookupError("jemalloc is not installed (Debian: apt-get install libjemalloc2)")
    return found


def in_use() -> str:
    """ "jemalloc" when this process has jemalloc mapped, else "system"."""
    try:
        with open(f"/proc/{os.getpid()}/maps", encoding="utf-8", errors="replace") as maps:
            return "jemalloc" if "libjemalloc" in maps.read() else "system"
    except OSError:
        return "system"
