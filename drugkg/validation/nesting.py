"""Refuse deeply nested RDF before a parser sees it: a linear scan, bounded in time and memory.

Deep nesting (Turtle `[ [ [ ...`, JSON-LD `{"a": {"a": ...`, RDF/XML elements inside elements)
makes parsers recurse or build huge intermediate states; real data nests a few levels.
"""

from __future__ import annotations

import re
from itertools import accumulate

import pyoxigraph as ox

from drugkg.errors import DrugkgError

__all__ = ["MAX_NESTING", "check_nesting"]

MAX_NESTING = 64

# what can hold brackets without nesting anything: strings, IRIs and comments
_TURTLE_OPAQUE = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*',
    re.DOTALL,
)
_TURTLE_BRACKETS = re.compile(rb"[^\[\]()]+")
_JSON_OPAQUE = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[^\[\]{}]+")
_XML_SKIP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_XML_TAG = re.compile(rb"<(/?)[^<>]*?(/?)>")
_OPENING = frozenset(b"[({")


def _depth(brackets: bytes) -> int:
    return max(accumulate(1 if c in _OPENING else -1 for c in brackets), default=0)


def _xml_depth(data: bytes) -> int:
    steps = []
    for tag in _XML_TAG.finditer(_XML_SKIP.sub(b"", data)):
        if tag.group(2):  # <empty/>
            continue
        steps.append(-1 if tag.group(1) else 1)
    return max(accumulate(steps), default=0)


def nesting_depth(data: bytes, fmt: ox.RdfFormat) -> int:
    """How deeply `data` nests blank nodes, lists, objects or elements (an upper bound for broken input)."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3):
        return _depth(_TURTLE_BRACKETS.sub(b"", _TURTLE_OPAQUE.sub(b"", data)))
    if fmt == ox.RdfFormat.JSON_LD:
        return _depth(_JSON_BRACKETS.sub(b"", _JSON_OPAQUE.sub(b"", data)))
    if fmt == ox.RdfFormat.RDF_XML:
        return _xml_depth(data)
    return 0  # N-Triples and N-Quads do not nest


def check_nesting(data: bytes, fmt: ox.RdfFormat, file: str, limit: int = MAX_NESTING) -> None:
    depth = nesting_depth(data, fmt)
    if depth > limit:
        raise DrugkgError(
            f"nested {depth} levels deep, above the limit of {limit}",
            file=file,
            expected=f"RDF nesting blank nodes, lists, objects or elements at most {limit} levels deep",
        )
