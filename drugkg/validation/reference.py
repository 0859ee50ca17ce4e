"""The reference engine: plain pySHACL over an rdflib Memory graph (never over an Oxigraph-backed graph)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import (
    ConstraintLoadError,
    ReportableRuntimeError,
    ShapeLoadError,
    ValidationFailure,
)
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from drugkg.errors import DrugkgError
from drugkg.validation.fast import to_rdflib
from drugkg.validation.paths import IllFormedPath, path_from_rdf
from drugkg.validation.report import ValidationResult

__all__ = ["graph_of", "quiet_rdflib", "rdflib_graph", "results_from_report", "validate_with_pyshacl"]


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it reads; the shapes report those values instead."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def graph_of(quads: Iterable[ox.Quad | ox.Triple]) -> Graph:
    """Triples (named graphs merged) as an rdflib Memory graph, terms exactly as parsed."""
    g = Graph()
    with quiet_rdflib():
        for q in quads:
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))  # type: ignore[arg-type]
    return g


def rdflib_graph(store: ox.Store) -> Graph:
    """The default graph of `store` as an rdflib Memory graph."""
    return graph_of(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _result(report: Graph, node: Node) -> ValidationResult:
    path = report.value(node, SH.resultPath)
    try:
        parsed = path_from_rdf(report, path) if path is not None else None
    except IllFormedPath as err:
        raise DrugkgError(f"pySHACL reported a path drugkg cannot read: {err}") from None
    return ValidationResult(
        focus=report.value(node, SH.focusNode),  # type: ignore[arg-type]
        path=parsed,
        value=report.value(node, SH.value),  # type: ignore[arg-type]
        component=report.value(node, SH.sourceConstraintComponent),  # type: ignore[arg-type]
        severity=report.value(node, SH.resultSeverity),  # type: ignore[arg-type]
        source_shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
        messages=tuple(sorted({str(m) for m in report.objects(node, SH.resultMessage)})),
        source_constraint=report.value(node, SH.sourceConstraint),  # type: ignore[arg-type]
    )


def results_from_report(report: Graph) -> list[ValidationResult]:
    """The top-level results of a SHACL report (those under sh:detail are not counted again)."""
    out = {}
    for report_node in report.subjects(SH.conforms, None):
        for node in report.objects(report_node, SH.result):
            r = _result(report, node)
            out[r.key()] = r
    return [out[k] for k in sorted(out)]


def validate_with_pyshacl(data: Graph | ox.Store, shapes: Graph) -> list[ValidationResult]:
    """pySHACL's results for `data` (with the ontology already in it) against `shapes`, no inference."""
    graph = rdflib_graph(data) if isinstance(data, ox.Store) else data
    try:
        with quiet_rdflib():
            _conforms, report, _text = pyshacl.validate(
                graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=False
            )
    except (ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure) as err:
        raise DrugkgError(
            f"the shapes cannot be used: {getattr(err, 'message', None) or err}",
            expected="well-formed SHACL 1.0 shapes",
        ) from None
    except NotImplementedError as err:
        raise DrugkgError(f"the shapes use a SHACL feature that neither engine supports: {err}") from None
    except Exception as err:
        raise DrugkgError(
            f"pySHACL cannot run these shapes: {type(err).__name__}: {err}", expected="well-formed SHACL 1.0 shapes"
        ) from None
    if not isinstance(report, Graph):  # pySHACL's ValidationFailure: shapes it cannot run
        raise DrugkgError(
            f"pySHACL cannot use these shapes: {str(report).removeprefix('ValidationFailure: ')}",
            expected="SHACL shapes within the SHACL 1.0 rules (e.g. no VALUES in a SPARQL constraint)",
        )
    return results_from_report(report)
