"""Refuse dangerous SPARQL before evaluation: updates, federation (SERVICE), oversize text.

Two independent checks, both conservative (a false alarm refuses a query; nothing is let
through on a guess):

1. `screen_query` (in the server process, before a worker sees the query): a scanner that
   blanks out comments, string literals and IRIs, then looks at the words left; it reads the
   text both as written and with `\\uXXXX` escapes undone (the SPARQL grammar undoes them
   before parsing; Oxigraph 0.5 does not). It names the operation (query form or
   update) and refuses `SERVICE` and every update operation (`LOAD` among them).
2. `service_in_algebra` (in the worker, right before evaluation): rdflib's SPARQL parser builds
   the parse tree and any `ServiceGraphPattern` node in it refuses the query.

A lexer outside the engine can never be sure to read a query as the engine does (`<` is both
an IRI opener and less-than), so a third layer does not read queries at all: the workers run
under a seccomp filter that refuses internet sockets (drugkg.server.sandbox).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseResults

__all__ = [
    "LEXICAL_TOKENS",
    "QUERY_FORMS",
    "UPDATE_KEYWORDS",
    "QueryRefused",
    "ScreenedQuery",
    "screen_query",
    "service_in_algebra",
    "unescape_codepoints",
]

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)
# Keywords that make an engine fetch a URL or read a file. SPARQL 1.1 queries have only
# SERVICE; LOAD is an update (refused anyway) but is named so the message says why.
_FETCHING = ("SERVICE", "LOAD")

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# The lexical tokens inside which a keyword is only text (SPARQL 1.1 grammar, section 19.8),
# read as Oxigraph reads them: a backslash and the character after it are one unit (ECHAR and
# \u escapes in strings, PN_LOCAL_ESC such as `ex:a\#` in names), and IRIs may hold \u escapes.
LEXICAL_TOKENS = _TOKENS = re.compile(
    r"""
      (?P<escape>\\[\s\S])
    | (?P<comment>\#[^\r\n]*)
    | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*''')
    | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*\"\"\")
    | (?P<short1>'(?:[^'\\\n\r]|\\[^\n\r])*')
    | (?P<short2>"(?:[^"\\\n\r]|\\[^\n\r])*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    """,
    re.VERBOSE,
)
# A possible keyword: any run of letters that is not a variable name. Deliberately loose: a
# prefixed name such as `ex:service` counts too (a false alarm), so that no spelling the
# engine's parser might read as the keyword (`.SERVICE`, `SERVICE:g`) slips through.
_WORD = re.compile(r"(?<![A-Za-z?$])([A-Za-z]+)(?![A-Za-z])")
# BASE and PREFIX declarations, then the word naming the operation.
_OPERATION = re.compile(
    r"\A(?:\s*(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>))*\s*([A-Za-z]*)", re.IGNORECASE
)


class QueryRefused(Exception):
    """A query this endpoint will not evaluate; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ScreenedQuery:
    """A query that passed the screen, with its form (SELECT, ASK, CONSTRUCT or DESCRIBE)."""

    text: str
    form: str

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def unescape_codepoints(text: str) -> str:
    """Replace `\\uXXXX` / `\\UXXXXXXXX` escapes, which SPARQL processes before parsing."""

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(repl, text)


def _blank_out(text: str) -> str:
    """The text with comments dropped and every string and IRI emptied (`""`, `<>`)."""

    def repl(match: re.Match[str]) -> str:
        if match.group("comment") is not None:
            return " "
        if match.group("escape") is not None:
            return "_"
        return "<>" if match.group("iri") is not None else ' "" '

    return _TOKENS.sub(repl, text)


def screen_query(text: str, *, max_length: int) -> ScreenedQuery:
    """Check a query before any evaluation; raise QueryRefused (413, 403) or return its form.

    A query whose form cannot be told is let through to the engine, whose parser then answers
    with the syntax error (400).
    """
    if len(text.encode("utf-8")) > max_length:
        raise QueryRefused(
            f"query is {len(text.encode('utf-8'))} bytes; this endpoint accepts at most {max_length}",
            413,
        )
    # Read the text both as written and with its codepoint escapes undone: engines differ on
    # whether they undo them, and an escaped quote could hide a keyword in one reading only.
    words: set[str] = set()
    operations: list[str] = []
    for variant in dict.fromkeys((text, unescape_codepoints(text))):
        code = _blank_out(variant)
        words.update(m.group(1).upper() for m in _WORD.finditer(code))
        match = _OPERATION.match(code)
        operations.append(match.group(1).upper() if match else "")
    for first in operations:
        if first in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"SPARQL Update ({first}) is not allowed: this endpoint is read-only",
                403,
            )
    first = operations[0]
    for word in _FETCHING:
        if word in words:
            raise QueryRefused(
                f"{word} is not allowed: this endpoint never fetches other URLs or files "
                "(federated queries are refused)",
                403,
            )
    form = first if first in QUERY_FORMS else "SELECT"
    return ScreenedQuery(text=text, form=form)


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
