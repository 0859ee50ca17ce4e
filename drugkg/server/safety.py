"""Refuse dangerous SPARQL before evaluation: updates, federation (SERVICE), LOAD, oversize text.

Two independent checks:

1. `screen_query` (in the server process, before a worker sees the query): drugkg's policy
   (drugkg.sparql.policy), which reads the query as the grammar's tokens, so keywords inside
   IRIs, prefixed names, variables, strings and comments are never mistaken for keywords. It
   names the operation and refuses updates, `SERVICE`, `LOAD` and over-deep nesting.
2. `service_in_algebra` (in the worker, right before evaluation): rdflib's SPARQL parser builds
   the parse tree and any `ServiceGraphPattern` node in it refuses the query.

A third layer does not read queries at all: the workers run under a seccomp filter that refuses
internet sockets (drugkg.server.sandbox).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseResults

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


def _walk(node: Any) -> bool:
    name = getattr(node, "name", None)
    if name == "ServiceGraphPattern":
        return True
    if isinstance(node, (str, bytes)):
        return False
    if isinstance(node, dict):  # rdflib's CompValue nodes
        return any(_walk(v) for v in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_walk(v) for v in node)
    return False


# Parsing costs ~15 ms a query; the same text often comes again (query pages, clients polling).
@functools.lru_cache(maxsize=512)
def service_in_algebra(text: str) -> bool | None:
    """True if rdflib's parse tree of the query holds a SERVICE pattern; None if rdflib cannot parse it."""
    from pyparsing import ParseException  # rdflib's parser is built on pyparsing
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except (ParseException, ValueError, TypeError, RecursionError):
        return None
    except Exception:  # noqa: BLE001 - rdflib raises assorted errors on queries it does not support
        return None
    return _walk(tree)
