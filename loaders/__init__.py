"""Loaders: one module per kind of curated source, each from a parsed, checked source to triples.

`LOADERS` is the one table of source kinds; the build takes its files and order from it, so a new
kind of source is one new module and one new row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.monograph import monograph_triples, read_monograph
from loaders.sssom import read_sssom, sssom_triples

__all__ = ["SourceKind", "LOADERS"]


@dataclass(frozen=True)
class SourceKind:
    """A kind of curated source: where its files are, how to read and check one, how to make triples."""

    name: str
    pattern: str  # glob below the data folder
    read: Callable[[Path], Any]
    triples: Callable[[Any], Iterable[tuple[Any, Any, Any]]]
    graph_kind: str  # the named graph is <base>graph/<graph_kind>/<file stem>


LOADERS: dict[str, SourceKind] = {
    "monograph": SourceKind("monograph", "drugs/*.yaml", read_monograph, monograph_triples, "monograph"),
    "sssom": SourceKind("sssom", "mappings/*.sssom.tsv", read_sssom, sssom_triples, "mappings"),
}
