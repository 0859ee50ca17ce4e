"""The W3C SHACL test suites (vendored in tests/conformance/w3c/shacl/), read from their manifests.

`cases()` follows mf:include and mf:entries from the top manifest and returns every sht:Validate
test: its data graph, shapes graph, and expected report (or sht:Failure). `expected_keys`,
`pyshacl_keys` and `drugkg_keys` turn a report into the set of results the tests compare:
(focus node, path, constraint component, severity, value, source shape), with each blank node
replaced by a description of what the graph states about it (so blank nodes of different parses
compare by structure, as pySHACL's own test runner compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, Namespace

from drugkg.validation.paths import path_to_rdf
from drugkg.validation.reference import rdflib_graph
from drugkg.validation.report import ValidationOutcome

__all__ = ["SUITE", "Case", "cases", "drugkg_keys", "expected_keys", "pyshacl_keys", "pyshacl_validate"]

SUITE = Path(__file__).resolve().parents[1] / "conformance" / "w3c" / "shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
FAILURE = "failure"
_DEPTH = 6

Key = tuple[object, ...]


@dataclass(frozen=True)
class Case:
    id: str  # e.g. core/node/class-001
    label: str
    data: Path
    shapes: Path
    file: Path  # the manifest file that holds the expected report
    result: URIRef | BNode  # the expected sh:ValidationReport, or sht:Failure

    @property
    def suite(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def expects_failure(self) -> bool:
        return self.result == SHT.Failure


def _local(uri: object) -> Path:
    return Path(unquote(urlparse(str(uri)).path))


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.as_uri())


def cases(manifest: Path = SUITE / "manifest.ttl") -> list[Case]:
    """Every sht:Validate entry reachable from `manifest`, in manifest order."""
    g = _parse(manifest)
    found: list[Case] = []
    for m in g.subjects(RDF.type, MF.Manifest):
        for entries in g.objects(m, MF.entries):
            for entry in Collection(g, entries):  # type: ignore[arg-type]
                if (entry, RDF.type, SHT.Validate) not in g:
                    continue
                action = g.value(entry, MF.action)
                test_id = str(_local(entry).relative_to(SUITE))
                found.append(
                    Case(
                        id=test_id,
                        label=str(g.value(entry, RDFS_LABEL) or ""),
                        data=_local(g.value(action, SHT.dataGraph)),
                        shapes=_local(g.value(action, SHT.shapesGraph)),
                        file=manifest,
                        result=g.value(entry, MF.result),  # type: ignore[arg-type]
                    )
                )
        for included in g.objects(m, MF.include):
            found.extend(cases(_local(included)))
    return found


def term_key(g: Graph, term: object, depth: int = 0) -> object:
    """An IRI or literal as itself; a blank node as the set of what `g` states about it (to a depth)."""
    if term is None:
        return None
    if isinstance(term, BNode):
        if depth >= _DEPTH:
            return ("bnode",)
        return ("bnode", frozenset((str(p), term_key(g, o, depth + 1)) for p, o in g.predicate_objects(term)))
    if isinstance(term, Literal):
        return ("literal", str(term), str(term.datatype or ""), (term.language or "").lower())
    return ("iri", str(term))


def _report_keys(report: Graph, context: Graph) -> tuple[bool, set[Key]]:
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    conforms = bool(report.value(node, SH.conforms).value)  # type: ignore[union-attr]
    keys = set()
    for r in report.objects(node, SH.result):
        keys.add(
            (
                term_key(context, report.value(r, SH.focusNode)),
                term_key(report, report.value(r, SH.resultPath)),
                str(report.value(r, SH.sourceConstraintComponent)),
                str(report.value(r, SH.resultSeverity)),
                term_key(context, report.value(r, SH.value)),
                term_key(context, report.value(r, SH.sourceShape)),
            )
        )
    return conforms, keys


def expected_keys(case: Case) -> tuple[bool, set[Key]]:
    g = _parse(case.file)
    report = Graph()
    for t in g.triples((None, None, None)):
        report.add(t)
    report.add((case.result, RDF.type, SH.ValidationReport))
    return _report_keys(report, g)


def pyshacl_validate(case: Case) -> tuple[bool, Graph, Graph] | str:
    """Plain pySHACL on the case, as pySHACL's own runner loads it: (conforms, report, data+shapes), or FAILURE."""
    data = _parse(case.data)
    shapes = data if case.shapes == case.data else _parse(case.shapes)
    try:
        conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    except Exception:
        return FAILURE
    if not isinstance(report, Graph):
        return FAILURE
    return bool(conforms), report, data + shapes


def pyshacl_keys(case: Case) -> tuple[bool, set[Key]] | str:
    got = pyshacl_validate(case)
    if isinstance(got, str):
        return got
    _conforms, report, context = got
    return _report_keys(report, context + report)


def drugkg_keys(outcome: ValidationOutcome) -> tuple[bool, set[Key]]:
    """drugkg's results as the same keys (blank nodes described from the data and shapes drugkg read)."""
    context = rdflib_graph(outcome.store) + outcome.shapes_graph
    keys = set()
    for r in outcome.results:
        paths = Graph()
        path = term_key(paths, path_to_rdf(paths, r.path)) if r.path is not None else None
        keys.add(
            (
                term_key(context, r.focus),
                path,
                str(r.component),
                str(r.severity),
                term_key(context, r.value),
                term_key(context, r.source_shape),
            )
        )
    return not outcome.results, keys
