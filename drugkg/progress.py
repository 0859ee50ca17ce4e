"""Progress bars (tqdm) for long work, on a terminal only: quiet when stderr is piped or in CI, and
under `--quiet`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm  # type: ignore[import-untyped]

__all__ = ["Stages", "enabled", "set_quiet", "track"]

T = TypeVar("T")
_state = {"quiet": False}


def set_quiet(quiet: bool) -> None:
    """`--quiet`: no progress bars (and, in drugkg.cli, no informational messages)."""
    _state["quiet"] = quiet


def enabled() -> bool:
    """Whether to draw progress: stderr is a terminal and --quiet was not given."""
    return not _state["quiet"] and sys.stderr.isatty()


def track(items: Iterable[T], *, total: int, desc: str, unit: str = "file") -> Iterator[T]:
    """`items`, with a bar of `total` steps on a terminal."""
    if not enabled():
        yield from items
        return
    with tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr, leave=True, dynamic_ncols=True) as bar:
        yield from bar


class Stages:
    """A bar over the named stages of one piece of work (`validate: checking shapes`)."""

    def __init__(self, desc: str, names: Iterable[str]) -> None:
        self._names = list(names)
        self._bar = (
            tqdm(total=len(self._names), desc=desc, unit="step", file=sys.stderr, leave=True, dynamic_ncols=True)
            if enabled()
            else None
        )
        self._started = False

    def start(self, name: str) -> None:
        """Mark the previous stage done and show `name` as running."""
        if self._bar is None:
            return
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_postfix_str(name)

    def close(self) -> None:
        if self._bar is not None:
            if self._started:
                self._bar.update(1)
            self._bar.close()
