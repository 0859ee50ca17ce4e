"""Refuse dangerous SPARQL before evaluation: updates, federation (SERVICE), LOAD, oversize text.

Two independent checks:

1. `screen_query` (in the server process, before a worker sees the query): drugkg's policy
   (drugkg.sparql.policy), which reads the query as the grammar's tokens, so keywords inside
   IRIs, prefixed names, variables, strings and comments are never mistaken for keywords. It
   names the operation and refuses updates, `SERVICE`, `LOAD` and over-deep nesting.
2. `service_in_algebra` (in the worker, right before evaluation): the same policy again, for a
   job that did not come through the screen.

A third layer does not read queries at all: the workers run under a seccomp filter that refuses
internet sockets (drugkg.server.sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from drugkg.sparql.policy import (
    QUERY_FORMS,
    UPDATE_OPERATIONS,
    QueryRefused,
    QueryText,
    analyse,
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
    size = len(text.encode("utf-8"))
    if size > max_length:
        raise QueryRefused(f"query is {size} bytes; this endpoint accepts at most {max_length}", 413)
    parsed = analyse(text)
    return ScreenedQuery(text=text, form=parsed.form or "SELECT", parsed=parsed)


def service_in_algebra(text: str) -> bool | None:
    """True if the query would read another URL or a file (SERVICE, LOAD); None if it is no SPARQL drugkg runs.

    The worker's own check before evaluation (drugkg/server/workers.py calls it by this name): the
    same grammar-token policy as the server's screen, so a job that did not come through the
    screen is still refused. It used to parse with rdflib (~20 ms a new query in each worker, and
    about a second for rdflib's first import); the policy reads the text in about 0.1 ms.
    """
    try:
        analyse(text)
    except QueryRefused as err:
        return True if err.fetches else None
    return False
