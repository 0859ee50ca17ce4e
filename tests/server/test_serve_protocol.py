"""SPARQL 1.1 Protocol on /sparql, with real clients: httpx, SPARQLWrapper, rdflib's SPARQLStore.

The server runs on a free loopback port over a small build whose triples are known, so every
test asserts the exact answer, its status code and its Content-Type.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import support.serving as fx
from rdflib.compare import to_isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from support.serving import GRAPH, RES, TINY_DRUG, VOCAB, running_server

# The shared fixtures of serve_fixtures.py, used by name below.
tiny_build = fx.tiny_build
tiny_server = fx.tiny_server

TREATS = (
    f"PREFIX drugkg: <{VOCAB}> SELECT ?drug WHERE {{ ?drug drugkg:treats <{RES}condition/spasticity> }} ORDER BY ?drug"
)
TREATING = {RES + "drug/baclofen", RES + "drug/tizanidine"}
CONSTRUCT = f"PREFIX drugkg: <{VOCAB}> CONSTRUCT {{ ?d drugkg:treats ?c }} WHERE {{ ?d drugkg:treats ?c }}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def _values(body: bytes, fmt: ox.QueryResultsFormat, var: str) -> set[str]:
    return {row[var].value for row in ox.parse_query_results(body, fmt)}  # type: ignore[index, union-attr]


# ---------------------------------------------------------------- httpx: formats and methods


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            ox.QueryResultsFormat.JSON,
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            ox.QueryResultsFormat.TSV,
        ),
        (
            "application/json",
            "application/sparql-results+json",
            ox.QueryResultsFormat.JSON,
        ),
        (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
    ],
)
def test_select_by_accept(tiny_server: str, accept: str | None, content_type: str, fmt: ox.QueryResultsFormat) -> None:
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(f"{tiny_server}/sparql", params={"query": TREATS}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == content_type
    assert _values(r.content, fmt, "drug") == TREATING


def test_select_csv(tiny_server: str) -> None:
    r = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": TREATS},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["drug"]
    assert rows[1:] == [
        [RES + "drug/baclofen"],
        [RES + "drug/tizanidine"],
    ]  # ORDER BY kept


@pytest.mark.parametrize(
    ("param", "content_type"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("json", "application/sparql-results+json"),
    ],
)
def test_select_format_parameter_beats_accept(tiny_server: str, param: str, content_type: str) -> None:
    r = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": TREATS, "format": param},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == content_type
    assert "baclofen" in r.text and "tizanidine" in r.text


def test_post_form_and_direct(tiny_server: str) -> None:
    form = httpx.post(
        f"{tiny_server}/sparql",
        data={"query": TREATS},
        headers={"Accept": "application/sparql-results+json"},
    )
    direct = httpx.post(
        f"{tiny_server}/sparql",
        content=TREATS.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    for r in (form, direct):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert _values(r.content, ox.QueryResultsFormat.JSON, "drug") == TREATING


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"ASK {{ <{TINY_DRUG}> ?p ?o }}", True),
        ("ASK { <urn:x:nothing> ?p ?o }", False),
    ],
)
def test_ask(tiny_server: str, query: str, expected: bool) -> None:
    r = httpx.get(f"{tiny_server}/sparql", params={"query": query})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["boolean"] is expected
    x = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert x.headers["content-type"].startswith("application/sparql-results+xml")
    assert bool(ox.parse_query_results(x.content, ox.QueryResultsFormat.XML)) is expected


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        (None, "text/turtle", "turtle"),
    ],
)
def test_construct_by_accept(tiny_server: str, accept: str | None, content_type: str, rdflib_format: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(f"{tiny_server}/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == content_type
    graph = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    treats = rdflib.URIRef(VOCAB + "treats")
    assert {str(s) for s in graph.subjects(treats, rdflib.URIRef(RES + "condition/spasticity"))} == TREATING
    assert len(graph) == 2


def test_describe(tiny_server: str) -> None:
    r = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": f"DESCRIBE <{TINY_DRUG}>", "format": "ntriples"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/n-triples")
    graph = rdflib.Graph().parse(data=r.text, format="nt")
    assert graph.value(rdflib.URIRef(TINY_DRUG), rdflib.RDFS.label) == rdflib.Literal("baclofen", lang="en")


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (TREATS, "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json"),
        (TREATS, "image/png"),
    ],
)
def test_not_acceptable(tiny_server: str, query: str, accept: str) -> None:
    r = httpx.get(f"{tiny_server}/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 406
    assert "offered" in r.text


def test_syntax_error_is_400_with_parser_message(tiny_server: str) -> None:
    r = httpx.get(f"{tiny_server}/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert "syntax error" in r.text and "1:" in r.text  # the parser's position


def test_bad_requests(tiny_server: str) -> None:
    twice = httpx.get(f"{tiny_server}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert twice.status_code == 400 and "once" in twice.text
    wrong_type = httpx.post(
        f"{tiny_server}/sparql",
        content=b"ASK {}",
        headers={"Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415
    bad_graph = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": "ASK {}", "default-graph-uri": "not an iri"},
    )
    assert bad_graph.status_code == 400


def test_default_and_named_graph_uri(tiny_server: str) -> None:
    query = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    r = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": query, "default-graph-uri": GRAPH + "ontology"},
    )
    labels = {row["l"]["value"] for row in r.json()["results"]["bindings"]}
    assert labels == {
        "drugkg vocabulary",
        "drug",
        "condition",
        "treats",
        "maximum daily dose (mg)",
    }
    union = httpx.get(f"{tiny_server}/sparql", params={"query": query})
    assert {"baclofen", "drug"} <= {row["l"]["value"] for row in union.json()["results"]["bindings"]}
    graphs = httpx.get(
        f"{tiny_server}/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": [GRAPH + "mappings/chebi", GRAPH + "examples"],
        },
    )
    assert {row["g"]["value"] for row in graphs.json()["results"]["bindings"]} == {
        GRAPH + "mappings/chebi",
        GRAPH + "examples",
    }


def test_service_description(tiny_server: str) -> None:
    r = httpx.get(f"{tiny_server}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(f"{tiny_server}/sparql")
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query}  # no SPARQL11Update: read-only
    assert "Read-only" in str(graph.value(service, rdflib.RDFS.comment))
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {
        GRAPH + "ontology",
        GRAPH + "monograph/baclofen",
        GRAPH + "mappings/chebi",
        GRAPH + "examples",
    }
    jsonld = httpx.get(f"{tiny_server}/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
    browser = httpx.get(f"{tiny_server}/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    # a person with a browser reads the service description as a page (it used to redirect to /)
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")
    assert "drugkg SPARQL endpoint (read-only)" in browser.text


def test_row_limit_is_stated(tiny_build) -> None:
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    with running_server(tiny_build, max_rows=7) as url:
        r = httpx.get(f"{url}/sparql", params={"query": cross})
        assert r.status_code == 200
        assert r.headers["X-SPARQL-MaxRows"] == "7"
        assert len(r.json()["results"]["bindings"]) == 7
        for fmt, media in (
            ("xml", ox.QueryResultsFormat.XML),
            ("tsv", ox.QueryResultsFormat.TSV),
        ):
            body = httpx.get(f"{url}/sparql", params={"query": cross, "format": fmt}).content
            assert len(list(ox.parse_query_results(body, media))) == 7  # type: ignore[arg-type]
        small = httpx.get(f"{url}/sparql", params={"query": TREATS})
        assert "X-SPARQL-MaxRows" not in small.headers
        graph = httpx.get(
            f"{url}/sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"},
        )
        assert graph.headers["X-SPARQL-MaxRows"] == "7"
        assert len(rdflib.Graph().parse(data=graph.text, format="nt")) == 7


def test_cors(tiny_server: str) -> None:
    r = httpx.get(
        f"{tiny_server}/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
    )
    assert r.headers["access-control-allow-origin"] == "*"
    assert "X-SPARQL-MaxRows" in r.headers["access-control-expose-headers"]
    pre = httpx.options(
        f"{tiny_server}/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "content-type" in pre.headers["access-control-allow-headers"].lower()


# ---------------------------------------------------------------- SPARQLWrapper


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(tiny_server: str, method: str) -> None:
    sw = SPARQLWrapper(f"{tiny_server}/sparql")
    sw.setMethod(method)
    sw.setQuery(TREATS)
    sw.setReturnFormat(JSON)
    result = sw.query()
    assert result.info()["content-type"].startswith("application/sparql-results+json")
    data = result.convert()
    assert [b["drug"]["value"] for b in data["results"]["bindings"]] == sorted(TREATING)


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        (XML, "application/sparql-results+xml"),
        (CSV, "text/csv"),
        (TSV, "text/tab-separated-values"),
    ],
)
def test_sparqlwrapper_select_other_formats(tiny_server: str, fmt: str, content_type: str) -> None:
    sw = SPARQLWrapper(f"{tiny_server}/sparql")
    sw.setQuery(TREATS)
    sw.setReturnFormat(fmt)
    result = sw.query()
    assert result.info()["content-type"].split(";")[0] == content_type
    converted = result.convert()
    if fmt == XML:
        uris = {node.firstChild.data for node in converted.getElementsByTagName("uri")}
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        uris = {line.strip().strip("<>") for line in text.splitlines()[1:] if line.strip()}
    assert uris == TREATING


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        (TURTLE, "text/turtle"),
        (N3, "text/turtle"),
        (JSONLD, "application/ld+json"),
        (RDFXML, "application/rdf+xml"),
    ],
)
def test_sparqlwrapper_construct(tiny_server: str, fmt: str, content_type: str) -> None:
    sw = SPARQLWrapper(f"{tiny_server}/sparql")
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(fmt)
    result = sw.query()
    assert result.info()["content-type"].split(";")[0] == content_type
    converted = result.convert()
    graph = (
        converted
        if isinstance(converted, rdflib.Graph)
        else rdflib.Graph().parse(
            data=converted,
            format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}.get(fmt, "xml"),
        )
    )
    treats = rdflib.URIRef(VOCAB + "treats")
    assert {str(s) for s in graph.subjects(treats, None)} == TREATING


def test_sparqlwrapper_ask(tiny_server: str) -> None:
    sw = SPARQLWrapper(f"{tiny_server}/sparql")
    sw.setQuery(f"ASK {{ <{TINY_DRUG}> a <{VOCAB}Drug> }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True


# ---------------------------------------------------------------- rdflib SPARQLStore


def test_rdflib_sparqlstore(tiny_server: str) -> None:
    store = SPARQLStore(f"{tiny_server}/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(TREATS))
    assert [str(r[0]) for r in rows] == sorted(TREATING)
    bound = graph.query(
        "SELECT ?label WHERE { ?d <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        initBindings={"d": rdflib.URIRef(TINY_DRUG)},
    )
    assert [r[0] for r in bound] == [rdflib.Literal("baclofen", lang="en")]
    assert (
        rdflib.URIRef(TINY_DRUG),
        rdflib.RDF.type,
        rdflib.URIRef(VOCAB + "Drug"),
    ) in graph
    xml_store = SPARQLStore(f"{tiny_server}/sparql", returnFormat="xml", method="POST")
    assert {str(r[0]) for r in rdflib.Graph(store=xml_store).query(TREATS)} == TREATING


def test_rdflib_sparqlstore_refuses_updates(tiny_server: str) -> None:
    store = SPARQLStore(f"{tiny_server}/sparql")
    with pytest.raises(TypeError):  # rdflib's read-only store: no update ever leaves the client
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert (
        json.loads(httpx.get(f"{tiny_server}/sparql", params={"query": "ASK { <urn:a> ?p ?o }"}).text)["boolean"]
        is False
    )


# ---------------------------------------------------------------- the programs' path and Starlette's agree

_AGREE = [
    ("GET", {"query": TREATS}, None, {}),
    ("GET", {"query": CONSTRUCT}, None, {"Accept": "text/turtle"}),
    ("GET", {"query": TREATS, "format": "csv"}, None, {}),
    ("GET", {"query": "SELECT * WHERE { ?s ?p }"}, None, {}),
    ("GET", {"query": TREATS}, None, {"Accept": "image/png"}),
    ("GET", {"query": "INSERT DATA { <a> <b> <c> }"}, None, {}),
    ("GET", {"query": f"SELECT * WHERE {{ SERVICE <{RES}x> {{ ?s ?p ?o }} }}"}, None, {}),
    ("GET", {"query": "ASK {}", "update": "x"}, None, {}),
    ("GET", {"query": TREATS, "default-graph-uri": GRAPH + "baclofen"}, None, {}),
    ("GET", {}, None, {"Accept": "text/turtle"}),
    ("POST", {}, {"query": TREATS}, {}),
    ("POST", {}, TREATS.encode(), {"Content-Type": "application/sparql-query"}),
    ("POST", {}, b"x", {"Content-Type": "text/plain"}),
]


@pytest.mark.parametrize(("method", "params", "body", "headers"), _AGREE)
def test_programs_path_answers_as_the_routed_path(
    tiny_server: str, method: str, params: dict[str, str], body: object, headers: dict[str, str]
) -> None:
    """A request without Origin takes drugkg.server.app.SparqlFront; with Origin, Starlette's
    router and CORS middleware. Both must give the same status, type, headers and body."""

    def ask(extra: dict[str, str]) -> httpx.Response:
        data = body if isinstance(body, dict) else None
        content = body if isinstance(body, bytes) else None
        return httpx.request(
            method, f"{tiny_server}/sparql", params=params, data=data, content=content, headers={**headers, **extra}
        )

    direct, routed = ask({}), ask({"Origin": "http://client.example"})
    assert routed.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in direct.headers
    assert direct.status_code == routed.status_code
    ignored = {"access-control-allow-origin", "access-control-expose-headers", "date"}
    if params or method == "POST":
        assert direct.content == routed.content
    else:  # the service description: the same graph, under fresh blank node labels of any length
        assert to_isomorphic(rdflib.Graph().parse(data=direct.text, format="turtle")) == to_isomorphic(
            rdflib.Graph().parse(data=routed.text, format="turtle")
        )
        ignored.add("content-length")

    def shown(response: httpx.Response) -> dict[str, str]:
        kept = {k: v for k, v in response.headers.items() if k not in ignored}
        vary = [v for v in kept.pop("vary", "").split(", ") if v and v != "Origin"]  # CORS adds Origin
        return {**kept, "vary": ", ".join(vary)}

    assert shown(direct) == shown(routed)
