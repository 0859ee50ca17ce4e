"""Loaders: one module per kind of curated source, each from a parsed, checked source to triples.

`LOADERS` is the one table of source kinds; the build takes its files, order and every per-kind
step from it and has no branch on a kind's name, so a new kind of source is one new module and one
new row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.kinds import (
    AcrossFiles,
    check_monograph_across,
    check_sssom_across,
    monograph_dates,
    monograph_facts,
    monograph_quads,
    sssom_dates,
    sssom_facts,
    sssom_quads,
)
from loaders.monograph import monograph_triples, read_monograph
from loaders.sssom import read_sssom, sssom_triples

__all__ = ["LOADERS", "AcrossFiles", "SourceKind"]


@dataclass(frozen=True)
class SourceKind:
    """A kind of curated source: where its files are, how to read and check one, and how it becomes quads.

    `facts` is what the checks across files need of a file (it travels back from a worker process,
    so keep it small); `check_across` runs on it in table order, with what earlier files defined."""

    name: str
    pattern: str  # glob below the data folder
    read: Callable[[Path], Any]
    triples: Callable[[Any], Iterable[tuple[Any, Any, Any]]]
    graph_kind: str  # the named graph is <base>graph/<graph_kind>/<file stem>
    quads: Callable[[Any, ox.NamedNode, ox.NamedNode], list[ox.Quad]]  # (parsed, own graph, shared graph)
    facts: Callable[[Any, list[ox.Quad]], Any]
    check_across: Callable[[Any, Path, AcrossFiles], None]
    dates: Callable[[Any], Iterable[dt.date]]
    required: bool = False  # a data folder without a file of this kind is refused


LOADERS: dict[str, SourceKind] = {
    "monograph": SourceKind(
        "monograph",
        "drugs/*.yaml",
        read_monograph,
        monograph_triples,
        "monograph",
        monograph_quads,
        monograph_facts,
        check_monograph_across,
        monograph_dates,
        required=True,
    ),
    "sssom": SourceKind(
        "sssom",
        "mappings/*.sssom.tsv",
        read_sssom,
        sssom_triples,
        "mappings",
        sssom_quads,
        sssom_facts,
        check_sssom_across,
        sssom_dates,
    ),
}
