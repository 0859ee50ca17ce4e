"""Read the vendored W3C SPARQL 1.1 test manifests (tests/conformance/w3c/sparql11, see SOURCE.md).

Files keep their W3C IRIs: each file `DIR/NAME` under the vendored folder is
`https://w3c.github.io/rdf-tests/sparql/sparql11/DIR/NAME`, which is also the base of the
query and the name of the graph the file is loaded into.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection

__all__ = [
    "BASE",
    "ROOT",
    "EvaluationTest",
    "ProtocolTest",
    "SyntaxTest",
    "evaluation_tests",
    "iri_of",
    "load_file",
    "path_of",
    "protocol_tests",
    "syntax_tests",
]

ROOT = Path(__file__).resolve().parent / "w3c" / "sparql11"
BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML}


def iri_of(path: Path) -> str:
    return BASE + path.relative_to(ROOT).as_posix()


def path_of(iri: str) -> Path:
    return ROOT / iri.removeprefix(BASE)


def load_file(store: ox.Store, iri: str, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    path = path_of(iri)
    store.load(path=str(path), format=_FORMATS[path.suffix], base_iri=iri, to_graph=graph)


@dataclass(frozen=True)
class EvaluationTest:
    name: str  # DIR/NAME, e.g. "bindings/values7"
    query: str  # IRI of the .rq file
    data: tuple[str, ...]
    graph_data: tuple[str, ...]
    result: str | None

    @property
    def text(self) -> str:
        return path_of(self.query).read_text(encoding="utf-8")


@dataclass(frozen=True)
class SyntaxTest:
    name: str
    query: str
    positive: bool

    @property
    def text(self) -> str:
        return path_of(self.query).read_text(encoding="utf-8")


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    status_class: tuple[int, ...]  # 2, 3, 4: the acceptable first digits
    result_format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    graphs: tuple[tuple[str, str], ...]  # (file IRI, graph name)
    requests: tuple[ProtocolRequest, ...]


@functools.cache
def _manifest(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle", publicID=iri_of(path))


def _entries(path: Path) -> list[tuple[rdflib.Graph, rdflib.term.Node]]:
    graph = _manifest(path)
    out = []
    for manifest in graph.subjects(rdflib.RDF.type, MF.Manifest):
        for head in graph.objects(manifest, MF.entries):
            for entry in Collection(graph, head):
                if graph.value(entry, DAWGT.approval) != DAWGT.Rejected:
                    out.append((graph, entry))
    return out


def _included() -> list[Path]:
    graph = _manifest(ROOT / "manifest-sparql11-query.ttl")
    heads = list(graph.objects(None, MF.include))
    return [path_of(str(item)) for head in heads for item in Collection(graph, head)]


def _name(entry: rdflib.term.Node, path: Path) -> str:
    return f"{path.parent.name}/{str(entry).rsplit('#', 1)[-1]}"


@functools.lru_cache(maxsize=1)
def evaluation_tests() -> tuple[EvaluationTest, ...]:
    tests = []
    for path in _included():
        for graph, entry in _entries(path):
            if graph.value(entry, rdflib.RDF.type) != MF.QueryEvaluationTest:
                continue
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            tests.append(
                EvaluationTest(
                    name=_name(entry, path),
                    query=str(graph.value(action, QT.query)),
                    data=tuple(sorted(str(d) for d in graph.objects(action, QT.data))),
                    graph_data=tuple(sorted(str(d) for d in graph.objects(action, QT.graphData))),
                    result=str(result) if result is not None else None,
                )
            )
    return tuple(tests)


@functools.lru_cache(maxsize=1)
def syntax_tests() -> tuple[SyntaxTest, ...]:
    kinds = {
        MF.PositiveSyntaxTest11: True,
        MF.NegativeSyntaxTest11: False,
        MF.PositiveSyntaxTest: True,
        MF.NegativeSyntaxTest: False,
    }
    tests = []
    for path in _included():
        for graph, entry in _entries(path):
            kind = graph.value(entry, rdflib.RDF.type)
            if kind in kinds:
                tests.append(SyntaxTest(_name(entry, path), str(graph.value(entry, MF.action)), kinds[kind]))
    return tuple(tests)


@functools.lru_cache(maxsize=1)
def refused_syntax_tests() -> tuple[SyntaxTest, ...]:
    """The federation (SERVICE) and update syntax tests: queries and updates drugkg never runs."""
    kinds = {
        MF.PositiveSyntaxTest11: True,
        MF.NegativeSyntaxTest11: False,
        MF.PositiveUpdateSyntaxTest11: True,
        MF.NegativeUpdateSyntaxTest11: False,
    }
    tests = []
    for folder in ("syntax-fed", "syntax-update-1", "syntax-update-2"):
        path = ROOT / folder / "manifest.ttl"
        for graph, entry in _entries(path):
            kind = graph.value(entry, rdflib.RDF.type)
            if kind in kinds:
                tests.append(SyntaxTest(_name(entry, path), str(graph.value(entry, MF.action)), kinds[kind]))
    return tuple(tests)


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> ProtocolRequest:
    headers = []
    head = graph.value(node, HT.headers)
    for header in Collection(graph, head) if head is not None else ():
        headers.append((str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue))))
    body = graph.value(node, HT.body)
    chars = graph.value(body, CNT.chars) if body is not None else None
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else "UTF-8"
    response = graph.value(node, HT.resp)
    statuses = tuple(
        sorted(int(str(s).rsplit("StatusCode", 1)[-1][0]) for s in graph.objects(response, MF.expectedStatus))
    )
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=tuple(headers),
        body=None if chars is None else str(chars).encode(encoding),
        status_class=statuses,
        result_format=None if fmt is None else str(fmt),
        boolean=None if boolean is None else boolean.toPython(),
    )


@functools.lru_cache(maxsize=1)
def protocol_tests() -> tuple[ProtocolTest, ...]:
    path = ROOT / "protocol" / "manifest.ttl"
    tests = []
    for graph, entry in _entries(path):
        graphs = tuple(
            sorted(
                (str(graph.value(g, UT.graph)), str(graph.value(g, rdflib.RDFS.label)))
                for g in graph.objects(entry, UT.graphData)
            )
        )
        connection = graph.value(entry, MF.action)
        requests = tuple(_request(graph, r) for r in Collection(graph, graph.value(connection, HT.requests)))
        tests.append(ProtocolTest(_name(entry, path), graphs, requests))
    return tuple(tests)
