"""A cache of serialised answers: the store is read-only, so an answer never goes stale."""

from __future__ import annotations

import collections
from collections.abc import Hashable

from drugkg.execution.jobs import Answer

__all__ = ["ResultCache"]


class ResultCache:
    """Least-recently-used answers up to `max_bytes` of bodies (0: caching off)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: collections.OrderedDict[Hashable, Answer] = collections.OrderedDict()

    def get(self, key: Hashable) -> Answer | None:
        if not self.max_bytes:
            return None
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, answer: Answer) -> None:
        body = answer.body
        if not self.max_bytes or len(body) > self.max_bytes // 8 or key in self._items:
            return
        self._items[key] = answer
        self.size += len(body)
        while self.size > self.max_bytes:
            _, old = self._items.popitem(last=False)
            self.size -= len(old.body)

    def status(self) -> dict[str, int]:
        return {
            "entries": len(self._items),
            "bytes": self.size,
            "hits": self.hits,
            "misses": self.misses,
            "max_bytes": self.max_bytes,
        }
