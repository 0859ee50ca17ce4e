"""The reference engine: plain pySHACL over an rdflib Memory graph (never over an Oxigraph-backed graph)."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from drugkg.errors import DrugkgError
from drugkg.validation.fast import to_rdflib
from drugkg.validation.report import Path, ValidationResult

__all__ = ["rdflib_graph", "results_from_report", "validate_with_pyshacl"]


def rdflib_graph(store: ox.Store) -> Graph:
    """The default graph of `store` as an rdflib Memory graph."""
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))  # type: ignore[arg-type]
    return g


def _path(g: Graph, node: object) -> Path:
    if isinstance(node, URIRef):
        return Path.of(str(node))
    inverse = g.value(node, SH.inversePath)  # type: ignore[arg-type]
    if inverse is not None:
        return Path("inverse", steps=(_path(g, inverse),))
    return Path("sequence", steps=tuple(_path(g, item) for item in Collection(g, node)))  # type: ignore[arg-type]


def results_from_report(report: Graph) -> list[ValidationResult]:
    out = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        r = ValidationResult(
            focus=report.value(node, SH.focusNode),  # type: ignore[arg-type]
            path=_path(report, path) if path is not None else None,
            value=report.value(node, SH.value),  # type: ignore[arg-type]
            component=report.value(node, SH.sourceConstraintComponent),  # type: ignore[arg-type]
            severity=report.value(node, SH.resultSeverity),  # type: ignore[arg-type]
            source_shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
            messages=tuple(sorted({str(m) for m in report.objects(node, SH.resultMessage)})),
            source_constraint=report.value(node, SH.sourceConstraint),  # type: ignore[arg-type]
        )
        out[r.key()] = r
    return [out[k] for k in sorted(out)]


def validate_with_pyshacl(data: Graph | ox.Store, shapes: Graph) -> list[ValidationResult]:
    """pySHACL's results for `data` (with the ontology already in it) against `shapes`, no inference."""
    graph = rdflib_graph(data) if isinstance(data, ox.Store) else data
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False,
                                                allow_warnings=False)
    if not isinstance(report, Graph):  # pySHACL's ValidationFailure: shapes it cannot run
        raise DrugkgError(f"pySHACL cannot use these shapes: {str(report).removeprefix('ValidationFailure: ')}",
                          expected="SHACL shapes within the SHACL 1.0 rules (e.g. no VALUES in a SPARQL constraint)")
    return results_from_report(report)  # type: ignore[arg-type]
