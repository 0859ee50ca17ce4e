"""The W3C SPARQL 1.1 query suites, run from their manifests (tests/conformance/w3c, see SOURCE.md).

- Query evaluation: drugkg's answer (embedded, and over HTTP through the app) equals bare
  pyoxigraph's on every test (a fresh store holding only the test's data); and drugkg's answer
  equals the W3C expected result, except where bare Oxigraph itself differs (xfail, strict).
- Syntax: every positive test is accepted and every negative one refused, embedded and over HTTP
  (200 / 400, never a 500).
- Protocol: every test passes, except the update tests, which get 403 by design.

drugkg serves every test from one store: each data file is loaded into a named graph called by
the file's IRI, and a test's dataset is chosen with default-graph-uri / named-graph-uri (a graph
that is not in the store stands for an empty default graph).
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from conformance.w3c_manifests import (
    EvaluationTest,
    evaluation_tests,
    load_file,
    path_of,
    protocol_tests,
    refused_syntax_tests,
    syntax_tests,
)
from rdflib.compare import to_isomorphic
from starlette.testclient import TestClient

from drugkg.errors import DrugkgError
from drugkg.querying import run_on_store
from drugkg.sparql import analyse
from drugkg.sparql.lexer import tokenize

NO_GRAPH = "urn:x-drugkg:no-graph"

# Where bare Oxigraph 0.5.13 itself differs from the W3C expected result (drugkg gives the same
# answer as bare Oxigraph, checked by the tests above them).
_BOOLEAN = (
    'Oxigraph stores xsd:boolean literals in canonical form: the data\'s "0"^^xsd:boolean '
    'comes back as "false"^^xsd:boolean'
)
_ZERO_PATH = (
    "Oxigraph gives no zero-length path match for a fixed end that is not in the graph (the spec matches it to itself)"
)
OXIGRAPH_DIFFERS: dict[str, str] = {
    "aggregates/agg-empty-group-count-graph": "COUNT in a subquery inside GRAPH ?g: Oxigraph gives one row with ?g "
    "unbound and ?c 2; the W3C result has one row per graph (0 and 2)",
    "aggregates/agg-groupconcat-04": "Oxigraph keeps the common language tag on GROUP_CONCAT's result "
    '("1 2"@en); the test expects the simple literal "1 2"',
    "aggregates/agg-groupconcat-06": 'Oxigraph keeps the language tag on GROUP_CONCAT\'s result ("1"@en); '
    'the test expects the simple literal "1"',
    "bindings/graph": "Oxigraph leaves ?g unbound for a VALUES row with UNDEF ?g inside GRAPH ?g",
    "cast/cast-bool": _BOOLEAN,
    "cast/cast-decimal": _BOOLEAN,
    "cast/cast-double": _BOOLEAN,
    "cast/cast-float": _BOOLEAN,
    "cast/cast-int": _BOOLEAN,
    "cast/cast-string": _BOOLEAN,
    "negation/graph-minus": "MINUS inside GRAPH ?g: Oxigraph gives no row; the W3C result has ?a = :a",
    "property-path/zero_or_more_set_end": _ZERO_PATH,
    "property-path/zero_or_more_set_start": _ZERO_PATH,
    "property-path/zero_or_one_set_end": _ZERO_PATH,
    "property-path/zero_or_one_set_start": _ZERO_PATH,
}

# Positive syntax tests that bare Oxigraph refuses.
OXIGRAPH_REFUSES = {
    "syntax-query/test_4": "Oxigraph refuses a call to a function IRI it does not know (:function) when parsing, "
    "before evaluation",
}

Answer = tuple[str, Any]


# ---------------------------------------------------------------- answers in a comparable form


_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + "double": float, _XSD + "float": float, _XSD + "decimal": Decimal, _XSD + "integer": int}


def _term(term: ox.Term | None) -> str | None:
    """A term as text; blank nodes all alike; a numeric literal by its value ("3.0E4" = "30000" as doubles)."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        try:
            value = _NUMERIC[term.datatype.value](term.value)
        except (ValueError, ArithmeticError):
            return str(term)
        if isinstance(value, Decimal):
            value = value.normalize()
        return f"{value!r}^^{term.datatype}"
    return str(term)


def _graph(triples: Any) -> Any:
    data = ox.serialize([t if isinstance(t, ox.Triple) else t.triple for t in triples], format=ox.RdfFormat.N_TRIPLES)
    return to_isomorphic(rdflib.Graph().parse(data=(data or b"").decode(), format="nt"))


def canonical(result: Any) -> Answer:
    """Booleans as they are, solutions as a multiset of rows (blank nodes as `_:`), graphs up to isomorphism."""
    if isinstance(result, ox.QueryBoolean):
        return ("boolean", bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = sorted(v.value for v in result.variables)
        rows = collections.Counter(tuple((n, _term(s[n])) for n in names) for s in result)
        return ("solutions", (tuple(names), rows))
    return ("graph", _graph(result))


def _refusal(err: Exception) -> Answer:
    return ("error", type(err).__name__)


def _same(a: Answer, b: Answer) -> bool:
    if a[0] == "error" or b[0] == "error":
        return a[0] == b[0]  # both refuse the query (the message may differ)
    return a == b


# ---------------------------------------------------------------- the three engines


def bare(test: EvaluationTest) -> Answer:
    store = ox.Store()
    for iri in test.data:
        load_file(store, iri, ox.DefaultGraph())
    for iri in test.graph_data:
        load_file(store, iri, ox.NamedNode(iri))
    try:
        return canonical(store.query(test.text, base_iri=test.query))
    except (SyntaxError, OSError, RuntimeError, ValueError) as err:
        return _refusal(err)


def _dataset(test: EvaluationTest) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The test's dataset as protocol graphs; none when the query names its own (FROM)."""
    if analyse(test.text).dataset:
        return (), ()
    return (test.data or (NO_GRAPH,)), test.graph_data


def embedded(shared: ox.Store, test: EvaluationTest) -> Answer:
    default, named = _dataset(test)
    try:
        return canonical(
            run_on_store(shared, test.text, default_graphs=default, named_graphs=named, base_iri=test.query)
        )
    except DrugkgError as err:
        return _refusal(err)


def over_http(client: TestClient, test: EvaluationTest) -> Answer:
    default, named = _dataset(test)
    form = analyse(test.text).form
    graph = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    data = {
        "query": f"BASE <{test.query}>\n{test.text}",
        "default-graph-uri": list(default),
        "named-graph-uri": list(named),
    }
    response = client.post("/sparql", data=data, headers={"Accept": accept})
    assert response.status_code != 500, response.text
    if response.status_code >= 400:
        return ("error", str(response.status_code))
    if graph:
        return ("graph", _graph(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))
    return canonical(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))


def expected(test: EvaluationTest) -> Answer:
    assert test.result is not None
    path = path_of(test.result)
    if path.suffix in (".srx", ".srj"):
        fmt = ox.QueryResultsFormat.XML if path.suffix == ".srx" else ox.QueryResultsFormat.JSON
        return canonical(ox.parse_query_results(path=str(path), format=fmt))
    triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=test.result)]
    if any(t.object == _RS_RESULT_SET for t in triples):
        return _rdf_result_set(triples)
    return ("graph", _graph(triples))


_RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
_RS_RESULT_SET = ox.NamedNode(_RS + "ResultSet")


def _rdf_result_set(triples: list[ox.Triple]) -> Answer:
    """A result set written in RDF (the rs: vocabulary) as canonical solutions."""
    by_subject: dict[Any, dict[str, list[Any]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for t in triples:
        by_subject[t.subject][t.predicate.value.removeprefix(_RS)].append(t.object)
    result_set = next(
        s
        for s, p in by_subject.items()
        if _RS_RESULT_SET in p.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])
    )
    names = sorted(v.value for v in by_subject[result_set]["resultVariable"])
    rows: collections.Counter[tuple[tuple[str, str | None], ...]] = collections.Counter()
    for solution in by_subject[result_set]["solution"]:
        values = {
            by_subject[b]["variable"][0].value: by_subject[b]["value"][0] for b in by_subject[solution]["binding"]
        }
        rows[tuple((n, _term(values.get(n))) for n in names)] += 1
    return ("solutions", (tuple(names), rows))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def shared_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store holding every test's files, each in a named graph called by the file's IRI."""
    out = tmp_path_factory.mktemp("w3c-build")
    store = ox.Store(str(out / "store"))
    loaded: set[str] = set()
    for test in evaluation_tests():
        for iri in (*test.data, *test.graph_data):
            if iri not in loaded:
                load_file(store, iri, ox.NamedNode(iri))
                loaded.add(iri)
    for ptest in protocol_tests():
        for iri, name in ptest.graphs:
            if name not in loaded:
                load_file(store, iri, ox.NamedNode(name))
                loaded.add(name)
    store.flush()
    del store
    return out


@pytest.fixture(scope="module")
def shared(shared_build: Path) -> ox.Store:
    return ox.Store.read_only(str(shared_build / "store"))


@pytest.fixture(scope="module")
def client(shared_build: Path) -> Iterator[TestClient]:
    from drugkg.buildfolder import BuildFolder
    from drugkg.server.app import create_app
    from drugkg.server.config import ServerConfig

    app = create_app(ServerConfig(build_dir=shared_build), BuildFolder(shared_build, {}))
    with TestClient(app, base_url="http://www.example") as test_client:
        # the workers hold the store in memory (--store auto, a small store): that path is compared here
        assert {w["store"] for w in test_client.get("/health").json()["workers"]} == {"memory"}
        yield test_client


EVALUATION = {t.name: t for t in evaluation_tests()}


def _with_marks(names: list[str], marks: dict[str, str]) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.xfail(reason=marks[n], strict=True)) if n in marks else n for n in names]


# ---------------------------------------------------------------- query evaluation


@pytest.mark.parametrize("name", sorted(EVALUATION))
def test_embedded_answer_equals_bare_oxigraph(shared: ox.Store, name: str) -> None:
    test = EVALUATION[name]
    ours, theirs = embedded(shared, test), bare(test)
    assert _same(ours, theirs), f"{name}: drugkg {ours!r}\nbare Oxigraph {theirs!r}"


@pytest.mark.parametrize("name", sorted(EVALUATION))
def test_http_answer_equals_bare_oxigraph(client: TestClient, name: str) -> None:
    test = EVALUATION[name]
    ours, theirs = over_http(client, test), bare(test)
    assert _same(ours, theirs), f"{name}: drugkg over HTTP {ours!r}\nbare Oxigraph {theirs!r}"


@pytest.mark.parametrize("name", _with_marks(sorted(n for n, t in EVALUATION.items() if t.result), OXIGRAPH_DIFFERS))
def test_embedded_answer_is_the_w3c_result(shared: ox.Store, name: str) -> None:
    test = EVALUATION[name]
    ours, want = embedded(shared, test), expected(test)
    assert ours == want, f"{name}: drugkg {ours!r}\nW3C {want!r}"


@pytest.mark.parametrize("name", sorted(n for n, t in EVALUATION.items() if analyse(t.text).form == "SELECT"))
def test_json_row_cap_equals_the_tsv_way(shared: ox.Store, name: str) -> None:
    """drugkg.execution.row_cap writes JSON directly: the same bytes as through TSV, at every cap."""
    from test_row_cap import check_both_ways

    test = EVALUATION[name]
    default, named = _dataset(test)
    try:
        solutions = run_on_store(shared, test.text, default_graphs=default, named_graphs=named, base_iri=test.query)
    except DrugkgError:
        assert bare(test)[0] == "error", f"{name}: drugkg refused a query bare Oxigraph answers"
        return
    answer = solutions.serialize(format=ox.QueryResultsFormat.JSON)
    for cap in (1, 2, 3, 10_000):
        check_both_ways(answer, cap)


# ---------------------------------------------------------------- syntax

SYNTAX = {t.name: t for t in syntax_tests()}


def _accepted_embedded(text: str, base: str) -> bool:
    try:
        analyse(text)
        ox.Store().query(text, base_iri=base)
    except (DrugkgError, SyntaxError):
        return False
    return True


@pytest.mark.parametrize("name", _with_marks(sorted(SYNTAX), OXIGRAPH_REFUSES))
def test_syntax_embedded(name: str) -> None:
    test = SYNTAX[name]
    assert _accepted_embedded(test.text, test.query) is test.positive


@pytest.mark.parametrize("name", _with_marks(sorted(SYNTAX), OXIGRAPH_REFUSES))
def test_syntax_over_http(client: TestClient, name: str) -> None:
    test = SYNTAX[name]
    response = client.post(
        "/sparql",
        data={"query": f"BASE <{test.query}>\n{test.text}"},
        headers={"Accept": "application/sparql-results+json, application/n-triples"},
    )
    assert response.status_code == (200 if test.positive else 400), response.text


REFUSED = {t.name: t for t in refused_syntax_tests()}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_federation_and_update_syntax_is_refused(client: TestClient, name: str) -> None:
    """SERVICE and updates, well-formed or not: refused (403, or 400 for text that is no query), never run."""
    test = REFUSED[name]
    as_query = client.post("/sparql", data={"query": test.text})
    as_update = client.post("/sparql", data={"update": test.text})
    assert as_update.status_code == 403, as_update.text
    words = {t.text.upper() for t in tokenize(test.text) if t.kind == "word"}
    empty = words <= {"BASE", "PREFIX"}  # an update of no operation: as a query, no query
    if test.positive and empty:
        assert as_query.status_code == 400, as_query.text
    elif test.positive:
        assert as_query.status_code == 403, as_query.text
        assert "SERVICE is not allowed" in as_query.text or "SPARQL Update" in as_query.text
    else:
        assert as_query.status_code in (400, 403), as_query.text


# ---------------------------------------------------------------- protocol

PROTOCOL = {t.name: t for t in protocol_tests()}


def _is_update(request: Any) -> bool:
    media = {k.lower(): v for k, v in request.headers}.get("content-type", "")
    return media.startswith("application/sparql-update") or (request.body or b"").startswith(b"update=")


def _check_response(response: Any, request: Any) -> None:
    assert response.status_code // 100 in request.status_class, (response.status_code, response.text)
    media = response.headers.get("content-type", "").split(";")[0]
    if request.result_format == "boolean":
        assert media == "application/sparql-results+xml" or media.startswith("application/sparql-results")
        result = ox.parse_query_results(response.content, format=_results_format(media))
        assert isinstance(result, ox.QueryBoolean)
        if request.boolean is not None:
            assert bool(result) is request.boolean
    elif request.result_format == "tabular":
        assert isinstance(ox.parse_query_results(response.content, format=_results_format(media)), ox.QuerySolutions)
    elif request.result_format == "RDF":
        assert media in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


def _results_format(media: str) -> ox.QueryResultsFormat:
    return {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[media]


@pytest.mark.parametrize("name", sorted(PROTOCOL))
def test_protocol(client: TestClient, name: str) -> None:
    """Each request as the manifest writes it; an update test stops at its update, which must get 403."""
    for request in PROTOCOL[name].requests:
        parts = urlsplit(request.path)
        path = "/sparql" + ("?" + parts.query if parts.query else "")
        response = client.request(request.method, path, content=request.body, headers=dict(request.headers))
        assert response.status_code != 500, response.text
        if name.startswith("protocol/update_"):
            assert _is_update(request), f"{name}: an update test whose first request is no update"
            assert response.status_code == 403, response.text
            assert "read-only" in response.text
            return
        _check_response(response, request)


# ---------------------------------------------------------------- exact parameters


def _rows(result: Any) -> tuple[tuple[str, ...], list[dict[str, ox.Term | None]]]:
    names = tuple(v.value for v in result.variables)
    return names, [{n: s[n] for n in names} for s in result]


def _multiset(names: tuple[str, ...], rows: list[dict[str, ox.Term | None]]) -> collections.Counter[Any]:
    return collections.Counter(tuple((n, _term(r[n])) for n in sorted(names)) for r in rows)


def parameter_verdicts(shared: ox.Store, test: EvaluationTest) -> Iterator[tuple[str, str, str]]:
    """(variable, value, verdict) for each value a SELECT test's answer gives each variable.

    The verdict is "same" (the bound answer is exactly the unbound one filtered to the value),
    "refused" (drugkg says why it cannot bind it exactly) or "different".
    """
    default, named = _dataset(test)
    options = {"default_graphs": default, "named_graphs": named, "base_iri": test.query}
    try:
        unbound = run_on_store(shared, test.text, **options)
    except DrugkgError:
        return
    if not isinstance(unbound, ox.QuerySolutions):
        return
    names, rows = _rows(unbound)
    for name in names:
        values = {r[name] for r in rows if r[name] is not None and not isinstance(r[name], ox.BlankNode)}
        for value in sorted(values, key=str):
            want = _multiset(names, [r for r in rows if r[name] == value])
            try:
                got = run_on_store(shared, test.text, {name: value}, **options)
            except DrugkgError as err:
                assert f"cannot bind the parameter ?{name}: " in str(err), str(err)
                yield name, str(value), "refused"
                continue
            assert isinstance(got, ox.QuerySolutions)
            yield name, str(value), "same" if _multiset(*_rows(got)) == want else "different"


@pytest.mark.parametrize("name", sorted(EVALUATION))
def test_bound_parameter_is_the_filtered_answer(shared: ox.Store, name: str) -> None:
    different = [
        (v, value) for v, value, verdict in parameter_verdicts(shared, EVALUATION[name]) if verdict == "different"
    ]
    assert different == [], f"{name}: binding changed the answer for {different}"


@pytest.mark.parametrize(
    ("name", "variable", "reason"),
    [
        ("bindings/values7", "o2", "it is not bound in every solution of the WHERE group before each OPTIONAL"),
        ("aggregates/agg08b", "O12", "it is the target of a BIND or of an AS in the SELECT clause"),
        ("grouping/group03", "w", "it is not bound in every solution of the WHERE group before each OPTIONAL"),
    ],
)
def test_inexact_bindings_named_in_the_issue_are_refused(
    shared: ox.Store, name: str, variable: str, reason: str
) -> None:
    verdicts = {(v, verdict) for v, _, verdict in parameter_verdicts(shared, EVALUATION[name])}
    assert (variable, "refused") in verdicts and (variable, "same") not in verdicts
    test = EVALUATION[name]
    with pytest.raises(DrugkgError, match=f"cannot bind the parameter \\?{variable}: {reason}"):
        default, named = _dataset(test)
        run_on_store(shared, test.text, {variable: ox.Literal("x")}, default_graphs=default, named_graphs=named)


# ---------------------------------------------------------------- the fast path, against the application
# Two real servers on the same store: one answers a program's GET of /sparql in the protocol
# (drugkg.server.fast_path), the other (--no-fast-path) sends every request through the
# application. Status, headers (but `date`) and body must be the same.

_RESULT_ACCEPTS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "*/*",
    None,
)
_GRAPH_ACCEPTS = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
_PARSED_AS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_PARSED_AS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def two_servers(shared_build: Path) -> Iterator[tuple[Any, Any]]:
    import json

    import httpx
    from support.serving import running_server

    manifest = shared_build / "manifest.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"drugkg_version": "test", "files": {}}), encoding="utf-8")
    settings: dict[str, Any] = {"public_url": "http://www.example/", "result_cache_mb": 0}
    with (
        running_server(shared_build, fast_path=True, **settings) as fast_url,
        running_server(shared_build, fast_path=False, **settings) as app_url,
        httpx.Client(base_url=fast_url, timeout=30) as fast,
        httpx.Client(base_url=app_url, timeout=30) as app,
    ):
        assert app.get("/health").json()["fast_path"] == {"on": False}
        yield fast, app


def _answered(client: Any) -> int:
    return int(client.get("/health").json()["fast_path"]["answered"])


def _body_as_answer(media: str, body: bytes) -> Any:
    """A body with its blank node labels made alike: parsed, or (CSV) with the labels blanked."""
    import re

    if media in _PARSED_AS:
        return canonical(ox.parse_query_results(body, format=_PARSED_AS[media]))
    if media in _GRAPH_PARSED_AS:
        return _graph(ox.parse(body, format=_GRAPH_PARSED_AS[media]))
    return re.sub(rb"_:[A-Za-z0-9]+", b"_:", body)


def _same_reply(two_servers: tuple[Any, Any], method: str, path: str, **request: Any) -> Any:
    fast, app = two_servers
    before = _answered(fast)
    got = fast.request(method, path, **request)
    taken = _answered(fast) - before
    want = app.request(method, path, **request)
    assert got.status_code == want.status_code, (got.text, want.text)
    got_headers = [(k, v) for k, v in got.headers.multi_items() if k != "date"]
    want_headers = [(k, v) for k, v in want.headers.multi_items() if k != "date"]
    if got.content != want.content:  # fresh blank node labels, which may differ in length too
        media = want.headers.get("content-type", "").split(";")[0]
        assert _body_as_answer(media, got.content) == _body_as_answer(media, want.content)
        got_headers = [(k, v) for k, v in got_headers if k != "content-length"]
        want_headers = [(k, v) for k, v in want_headers if k != "content-length"]
    assert got_headers == want_headers
    assert got.status_code != 500, got.text
    return taken


@pytest.mark.parametrize("index_name", list(enumerate(sorted(EVALUATION))), ids=lambda p: p[1])
def test_fast_path_evaluation_equals_the_application(two_servers: tuple[Any, Any], index_name: Any) -> None:
    index, name = index_name
    test = EVALUATION[name]
    default, named = _dataset(test)
    graph = analyse(test.text).form in ("CONSTRUCT", "DESCRIBE")
    accepts = _GRAPH_ACCEPTS if graph else _RESULT_ACCEPTS
    accept = accepts[index % len(accepts)]
    params = {"query": f"BASE <{test.query}>\n{test.text}", "default-graph-uri": default, "named-graph-uri": named}
    headers = {"Accept": accept} if accept else {}
    assert _same_reply(two_servers, "GET", "/sparql", params=params, headers=headers) == 1


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_fast_path_syntax_equals_the_application(two_servers: tuple[Any, Any], name: str) -> None:
    test = SYNTAX[name]
    params = {"query": f"BASE <{test.query}>\n{test.text}"}
    headers = {"Accept": "application/sparql-results+json, application/n-triples"}
    assert _same_reply(two_servers, "GET", "/sparql", params=params, headers=headers) == 1


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_fast_path_refusals_equal_the_application(two_servers: tuple[Any, Any], name: str) -> None:
    text = REFUSED[name].text
    assert _same_reply(two_servers, "GET", "/sparql", params={"query": text}) == 1
    assert _same_reply(two_servers, "GET", "/sparql", params={"update": text}) == 1


@pytest.mark.parametrize("name", sorted(PROTOCOL))
def test_fast_path_protocol_suite_equals_the_application(two_servers: tuple[Any, Any], name: str) -> None:
    """Every request as the manifest writes it; the fast path takes its GETs that name a query."""
    for request in PROTOCOL[name].requests:
        parts = urlsplit(request.path)
        path = "/sparql" + ("?" + parts.query if parts.query else "")
        headers = dict(request.headers)
        taken = _same_reply(two_servers, request.method, path, content=request.body, headers=headers)
        named_query = "query=" in parts.query or "update=" in parts.query
        html = "text/html" in {k.lower(): v for k, v in headers.items()}.get("accept", "")
        assert taken == (request.method == "GET" and named_query and not html and not request.body)
