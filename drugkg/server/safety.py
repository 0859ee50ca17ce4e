"""Refuse dangerous SPARQL before evaluation: updates, federation (SERVICE), LOAD, oversize text.

Two independent checks:

1. `screen_query` (in the server process, before a worker sees the query): drugkg's policy
   (drugkg.sparql.policy), which reads the query as the grammar's tokens, so keywords inside
   IRIs, prefixed names, variables, strings and comments are never mistaken for keywords. It
   names the operation and refuses updates, `SERVICE`, `LOAD` and over-deep nesting.
2. `service_in_algebra` (in the worker, right before evaluation): the same policy again, for a
   job that did not come through the screen.

A third layer does not read queries at all: the workers run under a seccomp filter that refuses
internet sockets (drugkg.execution.sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from drugkg.sparql.policy import (
    QUERY_FORMS,
    UPDATE_OPERATIONS,
    QueryRefused,
    QueryText,
    analyse,
    service_in_algebra,
)

__all__ = [
    "QUERY_FORMS",
    "UPDATE_OPERATIONS",
    "QueryRefused",
    "ScreenedQuery",
    "screen_query",
    "service_in_algebra",
]


@dataclass(frozen=True)
class ScreenedQuery:
    """A query that passed the screen, with its form (SELECT, ASK, CONSTRUCT or DESCRIBE)."""

    text: str
    form: str
    parsed: QueryText

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def screen_query(text: str, *, max_length: int) -> ScreenedQuery:
    """Check a query before any evaluation; raise QueryRefused (413, 403, 400) or return its form.

    A query whose form cannot be told is let through to the engine, whose parser then answers
    with the syntax error (400).
    """
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size > max_length:
        raise QueryRefused(f"query is {size} bytes; this endpoint accepts at most {max_length}", 413)
    parsed = analyse(text)
    return ScreenedQuery(text=text, form=parsed.form or "SELECT", parsed=parsed)
