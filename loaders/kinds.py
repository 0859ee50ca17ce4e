"""What the build needs of each source kind beyond reading it: its quads, the small record that the
checks across files use, those checks, and the dates the dataset's issue date is taken from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.namespaces import RDF_TYPE
from drugkg.rdfconvert import to_quads
from loaders.monograph import is_shared_subject, monograph_ox_triples
from loaders.monograph_model import TERM_KINDS, Monograph
from loaders.sssom import MappingSet, expand_subject, sssom_triples

__all__ = [
    "AcrossFiles",
    "MonographFacts",
    "check_monograph_across",
    "check_sssom_across",
    "monograph_dates",
    "monograph_facts",
    "monograph_quads",
    "sssom_dates",
    "sssom_facts",
    "sssom_quads",
]

_RDF_TYPE = ox.NamedNode(RDF_TYPE)


@dataclass
class AcrossFiles:
    """What the files read so far have defined, for the checks that span files (kinds in table order)."""

    terms: dict[tuple[str, str], tuple[dict[str, Any], Path]] = field(default_factory=dict)
    drugs: dict[str, Path] = field(default_factory=dict)
    sources: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class MonographFacts:
    """What the checks across files need of a monograph, small enough to send back from a worker."""

    drug_id: str
    terms: tuple[tuple[tuple[str, str], dict[str, Any]], ...]  # ((kind, id), model_dump()) in file order
    sources: tuple[tuple[str, dict[str, Any]], ...]  # (id, model_dump()) in file order
    dates: tuple[dt.date, ...]
    typed_subjects: frozenset[str]


def monograph_quads(m: Monograph, graph: ox.NamedNode, shared: ox.NamedNode) -> list[ox.Quad]:
    """The drug's own triples in `graph`; the terms and sources it shares with other drugs in `shared`."""
    return [ox.Quad(s, p, o, shared if is_shared_subject(s.value) else graph) for s, p, o in monograph_ox_triples(m)]


def monograph_facts(m: Monograph, quads: Iterable[ox.Quad]) -> MonographFacts:
    return MonographFacts(
        drug_id=m.drug.id,
        terms=tuple(((k, term.id), term.model_dump()) for k in TERM_KINDS for term in getattr(m.terms, k)),
        sources=tuple((src.id, src.model_dump()) for src in m.sources),
        dates=tuple(src.last_updated for src in m.sources),
        typed_subjects=frozenset(
            q.subject.value for q in quads if q.predicate == _RDF_TYPE and not isinstance(q.subject, ox.Triple)
        ),
    )


def check_monograph_across(facts: MonographFacts, path: Path, seen: AcrossFiles) -> None:
    """One drug per monograph, and shared terms and sources defined alike in every file."""
    if facts.drug_id in seen.drugs:
        raise DrugkgError(
            f"drug id {facts.drug_id!r} is also defined in {seen.drugs[facts.drug_id]}",
            file=str(path),
            where="drug.id",
            expected="one monograph per drug",
        )
    seen.drugs[facts.drug_id] = path
    for key, dumped in facts.terms:
        if key in seen.terms and seen.terms[key][0] != dumped:
            kind, term_id = key
            raise DrugkgError(
                f"terms.{kind} {term_id!r} differs from its definition in {seen.terms[key][1]}",
                file=str(path),
                where=f"terms.{kind}",
                expected="the same definition of a shared term in every file",
            )
        seen.terms.setdefault(key, (dumped, path))
    for source_id, dumped in facts.sources:
        if source_id in seen.sources and seen.sources[source_id][0] != dumped:
            raise DrugkgError(
                f"source {source_id!r} differs from its definition in {seen.sources[source_id][1]}",
                file=str(path),
                where="sources",
                expected="the same source record in every file",
            )
        seen.sources.setdefault(source_id, (dumped, path))
    seen.subjects.update(facts.typed_subjects)


def monograph_dates(facts: MonographFacts) -> Iterable[dt.date]:
    return facts.dates


def sssom_quads(ms: MappingSet, graph: ox.NamedNode, shared: ox.NamedNode) -> list[ox.Quad]:
    return list(to_quads(sssom_triples(ms), graph.value))


def sssom_facts(ms: MappingSet, quads: Iterable[ox.Quad]) -> MappingSet:
    return ms


def check_sssom_across(ms: MappingSet, path: Path, seen: AcrossFiles) -> None:
    """Every mapping's subject is a resource that some monograph defines."""
    for mapping, line in zip(ms.mappings, ms.lines, strict=True):
        if expand_subject(ms, mapping) not in seen.subjects:
            raise DrugkgError(
                f"column subject_id: {mapping.subject_id!r} is not a resource of any monograph",
                file=str(path),
                where=f"line {line}",
                expected="the id of a curated drug or term",
            )


def sssom_dates(ms: MappingSet) -> Iterable[dt.date]:
    return (ms.metadata.mapping_date,)
