"""At most `max_rows` solutions of a SELECT answer, serialised, and whether there were more.

pyoxigraph serialises a whole answer and has no row limit, so the writer is stopped from the sink
it writes into once one solution more than the cap has come, and evaluation stops with it:

- JSON, the default: written as pyoxigraph writes it. Between two solutions the writer puts `},{`,
  so there is at most one solution more than the times `},{` occurs (a string value may hold it
  too, which only raises the bound). Only once that bound passes the cap are the solutions
  counted, one by one with the standard library's JSON decoder, and the answer is cut after the
  last one kept.
- XML, CSV and TSV: streamed as TSV (a line per solution, lossless for RDF terms) and cut after
  the cap; for XML and CSV read back with pyoxigraph's parser and written in the format asked.
"""

from __future__ import annotations

import codecs
import io
import json
from typing import Any, NamedTuple

__all__ = ["OXIGRAPH_FORMAT_NAMES", "Capped", "cap_solutions", "through_tsv"]

OXIGRAPH_FORMAT_NAMES = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
_BINDINGS = b'"bindings":['
_SEPARATOR = b"},{"


class Capped(NamedTuple):
    body: bytes
    truncated: bool
    rows: int | None  # None: not counted (a JSON answer under the cap with at least one solution)


class _Enough(Exception):
    """Raised from a sink to stop pyoxigraph's writer, and the evaluation behind it."""


_DECODE = json.JSONDecoder().raw_decode


class _JsonSink(io.RawIOBase):
    """Keeps pyoxigraph's JSON results; stops the writer once more than `limit` solutions came."""

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.separators = 0
        self.counting = False
        self.rows = 0
        self.kept = 0  # bytes of the answer up to the end of the last solution counted
        self.pending = ""  # decoded text after it, not yet a whole solution
        self.utf8: Any = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        start = max(0, len(self.buffer) - len(_SEPARATOR) + 1)  # a separator split across writes
        self.buffer += data
        if not self.counting:
            self.separators += self.buffer.count(_SEPARATOR, start)
            if self.separators < self.limit:
                return size
            self.counting = True
            self.kept = self.buffer.index(_BINDINGS) + len(_BINDINGS)
            self.utf8 = codecs.getincrementaldecoder("utf-8")()
            self.pending = self.utf8.decode(bytes(self.buffer[self.kept :]))
        else:
            self.pending += self.utf8.decode(bytes(data))
        self._count()
        return size

    def _count(self) -> None:
        text, position = self.pending, 0
        try:
            while True:
                start = position + 1 if self.rows and text.startswith(",", position) else position
                if start >= len(text) or text[start] == "]":
                    return
                try:
                    _, end = _DECODE(text, start)
                except json.JSONDecodeError:  # the solution is not all written yet
                    return
                if self.rows == self.limit:
                    raise _Enough()
                self.rows += 1
                self.kept += len(text[position:end].encode("utf-8"))
                position = end
        finally:
            self.pending = text[position:]


class _LineSink(io.RawIOBase):
    """Keeps what it is given; stops the writer once `limit` lines have come."""

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        self.lines += bytes(data).count(b"\n")  # the new bytes only: a large answer comes in many writes
        if self.lines >= self.limit:
            raise _Enough()
        return len(data)


def _json(solutions: Any, max_rows: int) -> Capped:
    import pyoxigraph

    sink = _JsonSink(max_rows)
    try:
        solutions.serialize(sink, pyoxigraph.QueryResultsFormat.JSON)
    except _Enough:
        return Capped(bytes(sink.buffer[: sink.kept]) + b"]}}", True, max_rows)
    body = bytes(sink.buffer)
    if sink.counting:
        return Capped(body, False, sink.rows)
    return Capped(body, False, 0 if body.endswith(b"[]}}") else None)


def through_tsv(solutions: Any, max_rows: int, format_key: str) -> Capped:
    """The cap for XML, CSV and TSV (tests compare the JSON way with it)."""
    import pyoxigraph

    sink = _LineSink(max_rows + 2)  # header + max_rows + one more to know there is more
    try:
        solutions.serialize(sink, pyoxigraph.QueryResultsFormat.TSV)
    except _Enough:
        pass
    lines = bytes(sink.buffer).split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows = lines[1:]
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    tsv = b"\n".join([lines[0], *rows]) + b"\n" if lines else b""
    if format_key == "tsv":
        return Capped(tsv, truncated, len(rows))
    fmt = getattr(pyoxigraph.QueryResultsFormat, OXIGRAPH_FORMAT_NAMES[format_key])
    parsed = pyoxigraph.parse_query_results(tsv, pyoxigraph.QueryResultsFormat.TSV)
    return Capped(parsed.serialize(format=fmt) or b"", truncated, len(rows))


def cap_solutions(solutions: Any, max_rows: int, format_key: str) -> Capped:
    """`solutions` (pyoxigraph's QuerySolutions) in `format_key`, cut after `max_rows` solutions."""
    if format_key == "json":
        return _json(solutions, max_rows)
    return through_tsv(solutions, max_rows, format_key)
