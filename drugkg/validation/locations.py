"""Where each focus node is stated: file and line, for Turtle, TriG and N-Triples inputs (CI annotations).

Oxigraph's parsers give no positions, so each file is scanned once, line by line, for a statement that
starts with the node (written `<iri>` or as a prefixed name the file declares); failing that, the first
line that mentions it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

__all__ = ["focus_locations"]

_LINE_FORMATS = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS}


def _spellings(iris: Iterable[str], prefixes: dict[str, str]) -> dict[str, str]:
    """How a file may write each IRI: `<iri>`, or `prefix:local` for each prefix it declares."""
    out: dict[str, str] = {}
    for iri in iris:
        out[f"<{iri}>"] = iri
        for prefix, namespace in prefixes.items():
            if namespace and iri.startswith(namespace):
                out[f"{prefix}:{iri[len(namespace) :]}"] = iri
    return out


def _scan(path: Path, spellings: dict[str, str]) -> dict[str, int]:
    subject_lines: dict[str, int] = {}
    any_lines: dict[str, int] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            words = line.split(None, 1)
            if words and words[0] in spellings:
                subject_lines.setdefault(spellings[words[0]], number)
            elif len(any_lines) < len(spellings):
                for spelling in (w.rstrip(";,.") for w in line.split()):
                    if spelling in spellings:
                        any_lines.setdefault(spellings[spelling], number)
    return {**any_lines, **subject_lines}


def focus_locations(
    iris: Iterable[str], files: Iterable[tuple[Path, ox.RdfFormat, dict[str, str]]]
) -> dict[str, tuple[str, int]]:
    """focus IRI -> (file, line) of the first file that states it, for files whose format has lines."""
    wanted = set(iris)
    found: dict[str, tuple[str, int]] = {}
    for path, fmt, prefixes in files:
        if fmt not in _LINE_FORMATS or not wanted - set(found):
            continue
        for iri, line in _scan(path, _spellings(wanted - set(found), prefixes)).items():
            found.setdefault(iri, (str(path), line))
    return found
