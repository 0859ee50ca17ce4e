"""One query path: the policy, the dataset rules and the row cap, the same in the CLI and over HTTP.

Regression tests for what issue 13 measured on main: keyword-like names refused by substring
screens, FROM ignored, the protocol's dataset rules, relative IRIs, SERVICE and deep nesting in
the CLI, and silent row caps.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import support.serving as fx
from starlette.testclient import TestClient
from support.serving import GRAPH, RecordingListener

from drugkg.sparql import MAX_DEPTH, QueryRefused, analyse

ROOT = Path(__file__).resolve().parents[2]
CHEBI = GRAPH + "mappings/chebi"  # one triple in the tiny build
MONOGRAPH = GRAPH + "monograph/baclofen"
VOID = "https://w3id.org/drugkg/graph/void"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NESTED = "SELECT * WHERE " + "{" * 2220 + " ?s ?p ?o " + "}" * 2220  # 4.4 kB; crashed the CLI (exit 139)

tiny_build = fx.tiny_build


def drugkg_query(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "query", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def client(tiny_build: Path) -> Iterator[TestClient]:
    from drugkg.buildfolder import open_build
    from drugkg.server.app import create_app
    from drugkg.server.config import ServerConfig

    build = open_build(tiny_build)
    config = ServerConfig(build_dir=build.path, max_rows=4, public_url="http://127.0.0.1:8000/")
    app = create_app(config, build)
    with TestClient(app, base_url="http://evil.example:666") as test_client:
        yield test_client


def _select(client: TestClient, query: str, **params: list[str]) -> list[dict[str, str]]:
    response = client.post(
        "/sparql", data={"query": query, **params}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


# ---------------------------------------------------------------- the policy reads tokens, not substrings


@pytest.mark.parametrize(
    "query",
    [
        (
            "PREFIX schema: <http://schema.org/> SELECT ?x WHERE { ?x a <https://w3id.org/drugkg/vocab#Drug> "
            "FILTER NOT EXISTS { ?x a schema:Service } }"
        ),
        "SELECT ?x ?viral_load WHERE { ?x <https://w3id.org/drugkg/vocab#maxDailyDoseMg> ?viral_load }",
        (
            "PREFIX ex: <http://example.org/> SELECT DISTINCT ?x WHERE { ?x a <https://w3id.org/drugkg/vocab#Drug> ; ?p ?o "
            "FILTER(?p != ex:load) }"
        ),
    ],
)
def test_keyword_like_names_are_answered(client: TestClient, tiny_build: Path, query: str) -> None:
    """These got 403 from main's substring screens; now the rows bare Oxigraph gives."""
    store = ox.Store.read_only(str(tiny_build / "store"))
    expected = list(store.query(query, use_default_graph_as_union=True))
    rows = _select(client, query)
    assert rows and len(rows) == len(expected)


def test_keyword_like_names_with_exact_rows(client: TestClient) -> None:
    rows = _select(
        client, "SELECT ?x ?viral_load WHERE { ?x <https://w3id.org/drugkg/vocab#maxDailyDoseMg> ?viral_load }"
    )
    assert rows == [{"x": fx.TINY_DRUG, "viral_load": "80"}]


def test_nested_query_is_400_and_the_endpoint_keeps_answering(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": NESTED})
    assert response.status_code == 400
    assert f"the query nests brackets more than {MAX_DEPTH} deep" in response.text
    assert _select(client, "SELECT ?n WHERE { BIND(1 AS ?n) }") == [{"n": "1"}]


def test_nested_query_is_exit_2_in_the_cli() -> None:
    out = drugkg_query("-e", NESTED, "--no-build", "--data", "/nonexistent-build")
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert f"the query nests brackets more than {MAX_DEPTH} deep" in out.stderr
    assert "Traceback" not in out.stderr


def test_depth_at_the_limit_is_accepted() -> None:
    query = "SELECT * WHERE " + "{" * MAX_DEPTH + " ?s ?p ?o " + "}" * MAX_DEPTH
    assert analyse(query).depth == MAX_DEPTH
    with pytest.raises(QueryRefused):
        analyse("SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))


def test_depth_is_refused_at_the_first_bracket_past_the_limit_whatever_follows() -> None:
    opening = "SELECT * WHERE " + "{ " * 1000
    past = len("SELECT * WHERE ") + 2 * MAX_DEPTH  # the offset of bracket MAX_DEPTH + 1
    for tail in ("?s ?p ?o " + "} " * 1000, "\x00 and the rest is never read", "SELEKT ^^ }"):
        with pytest.raises(QueryRefused, match=rf"more than {MAX_DEPTH} deep \(at offset {past}\)"):
            analyse(opening + tail)
    told = re.escape("syntax error at line 1, column 17: unexpected character '\\x00'")
    with pytest.raises(QueryRefused, match=told):
        analyse("SELECT * WHERE {\x00" + "{ " * 1000)  # the first problem in the text is the one told
    assert analyse('ASK { FILTER("' + "{" * 500 + "\" != '((((') }").depth == 2  # brackets in strings do not nest


def test_a_refused_query_asked_again_is_refused_alike() -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    raised = []
    for _ in range(3):
        with pytest.raises(QueryRefused) as caught:
            analyse(query)
        raised.append(caught.value)
    assert [(str(r), r.status, r.fetches) for r in raised] == [(str(raised[0]), 403, True)] * 3
    assert str(raised[0]).startswith("SERVICE is not allowed")
    assert len({id(r) for r in raised}) == 3  # a new exception each time: no traceback grows on a cached one


def test_cli_refuses_service_with_exit_2_and_no_connection(tmp_path: Path) -> None:
    listener = RecordingListener()
    try:
        query = tmp_path / "federated.rq"
        query.write_text(
            f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}\n"
        )
        out = drugkg_query("--file", str(query), "--no-build", "--data", str(tmp_path / "no-build"))
        time.sleep(0.3)
        assert out.returncode == 2, out.stderr
        assert out.stderr.strip().endswith(
            "SERVICE is not allowed: drugkg never fetches other URLs or files (federated queries are refused)"
        )
        assert listener.connections == []
    finally:
        listener.close()


def test_policy_reads_form_dataset_and_where_group() -> None:
    query = analyse(
        "BASE <http://b/> PREFIX g: <http://g/> # SELECT\nCONSTRUCT FROM <x> FROM NAMED g:y WHERE { ?s ?p ?o }"
    )
    assert query.form == "CONSTRUCT"
    assert query.dataset.default == ("http://b/x",) and query.dataset.named == ("http://g/y",)
    assert query.construct_short is True
    assert analyse("ASK { FILTER('''{''' = \"}\") }").where_brace == 4


# ---------------------------------------------------------------- the dataset


def test_from_is_honoured_in_the_cli(built: Path) -> None:
    """main counted every graph (3552 then); FROM <void> counts the void graph alone, as default-graph-uri does."""
    base = ["--no-build", "--data", str(built), "--format", "csv"]
    via_from = drugkg_query("-e", f"SELECT (COUNT(*) AS ?n) FROM <{VOID}> WHERE {{ ?s ?p ?o }}", *base)
    via_option = drugkg_query("-e", COUNT, "--default-graph", VOID, *base)
    store = ox.Store.read_only(str(built / "store"))
    in_void = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(VOID))))
    assert via_from.stdout.splitlines() == ["n", str(in_void)] == via_option.stdout.splitlines()
    assert 500 < in_void < len(store)


def test_from_is_honoured_over_http(client: TestClient) -> None:
    assert _select(client, f"SELECT (COUNT(*) AS ?n) FROM <{CHEBI}> WHERE {{ ?s ?p ?o }}") == [{"n": "1"}]
    assert _select(client, COUNT, **{"default-graph-uri": [CHEBI]}) == [{"n": "1"}]


def test_protocol_graphs_override_from(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{MONOGRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _select(client, query, **{"default-graph-uri": [CHEBI]}) == [{"n": "1"}]


def test_only_named_graph_uri_leaves_the_default_graph_empty(client: TestClient) -> None:
    params = {"named-graph-uri": [CHEBI]}
    assert _select(client, COUNT, **params) == [{"n": "0"}]
    assert _select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **params) == [{"g": CHEBI}]


def test_from_named_only_leaves_the_default_graph_empty(client: TestClient) -> None:
    assert _select(client, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{CHEBI}> WHERE {{ ?s ?p ?o }}") == [{"n": "0"}]


def test_without_a_dataset_the_default_graph_is_the_union(client: TestClient, tiny_build: Path) -> None:
    store = ox.Store.read_only(str(tiny_build / "store"))
    assert _select(client, COUNT) == [{"n": str(len(store))}]
    graphs = sorted(g.value for g in store.named_graphs())
    assert sorted(r["g"] for r in _select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")) == graphs


def test_only_default_graph_uri_gives_graph_no_named_graphs_in_the_cli(built: Path) -> None:
    out = drugkg_query(
        "-e",
        "SELECT ?g WHERE { GRAPH ?g { } }",
        "--default-graph",
        VOID,
        "--no-build",
        "--data",
        str(built),
        "--format",
        "csv",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["g"]


def test_only_default_graph_uri_gives_graph_no_named_graphs_over_http(client: TestClient) -> None:
    """Protocol 2.1.4: with only default-graph-uri, the dataset has no named graphs."""
    assert _select(client, "SELECT ?g WHERE { GRAPH ?g { } }", **{"default-graph-uri": [CHEBI]}) == []
    assert _select(client, COUNT, **{"default-graph-uri": [CHEBI]}) == [{"n": "1"}]


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = client.post(
        "/sparql", data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200, response.text
    assert response.text.strip() == (
        '<http://127.0.0.1:8000/s> <http://127.0.0.1:8000/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )


def test_relative_iris_resolve_against_the_query_file_in_the_cli(built: Path, tmp_path: Path) -> None:
    query = tmp_path / "relative.rq"
    query.write_text("SELECT ?x WHERE { BIND(<thing> AS ?x) }\n")
    out = drugkg_query("--file", str(query), "--no-build", "--data", str(built), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["x", (tmp_path / "thing").as_uri()]


# ---------------------------------------------------------------- row caps say so

FIVE = "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } }"


def test_cut_result_is_signalled_over_http(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": FIVE}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["X-SPARQL-MaxRows"] == "4"
    body = response.json()
    assert body["head"] == {"vars": ["i"], "link": ["https://w3id.org/drugkg/vocab#TruncatedResult"]}
    assert [b["i"]["value"] for b in body["results"]["bindings"]] == ["1", "2", "3", "4"]
    xml = client.post("/sparql", data={"query": FIVE}, headers={"Accept": "application/sparql-results+xml"})
    assert '<link href="https://w3id.org/drugkg/vocab#TruncatedResult"/></head>' in xml.text
    assert len(list(ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML))) == 4


def test_whole_result_has_no_signal(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert "X-SPARQL-MaxRows" not in response.headers
    assert json.loads(response.content)["head"] == {"vars": ["i"]}


def test_cut_result_is_signalled_in_the_cli(built: Path) -> None:
    out = drugkg_query("-e", FIVE, "--max-rows", "3", "--no-build", "--data", str(built), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["i", "1", "2", "3"]
    assert out.stderr.strip() == (
        "drugkg query: result cut at 3 rows (--max-rows 3); there are more: "
        "make the query more selective, or raise --max-rows"
    )
    whole = drugkg_query("-e", FIVE, "--max-rows", "5", "--no-build", "--data", str(built), "--format", "csv")
    assert whole.stdout.splitlines() == ["i", "1", "2", "3", "4", "5"] and whole.stderr == ""


def test_rdflib_engine_refuses_from_rather_than_fetch_it() -> None:
    import rdflib

    from drugkg.querying import run_on_graph

    with pytest.raises(QueryRefused, match="rdflib would load the graphs from their IRIs"):
        run_on_graph(rdflib.Graph(), "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s <http://x/#SERVICE> ?o }",  # '#' inside an IRI starts no comment
        'SELECT * { ?s ?p """ a "" SERVICE <http://h/> {} """ }',  # long string with inner quotes
        "SELECT * { ?s ?p ''' it's ''SERVICE'' ''' }",
        "SELECT ?load ?service WHERE { ?service <http://x/load> ?load }",
        "PREFIX load: <http://x/> SELECT * { ?s load:x ?o }",
        "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",  # less-than, not an IRI
    ],
)
def test_keywords_inside_other_tokens_are_text(query: str) -> None:
    assert analyse(query).form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "# not a comment" . SERVICE <http://h/> {} }',
        "SELECT * { ?s ?p ''' ' ''' SERVICE <http://h/> {} }",
        "SELECT * { ?s <http://x/> ?o } # }\n  ; SERVICE <http://h/> {}",
        "select * { service<http://h/>{} }",
    ],
)
def test_service_after_other_tokens_is_found(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE is not allowed") as err:
        analyse(query)
    assert err.value.status == 403


def test_from_counts_what_default_graph_uri_counts_on_the_real_build(built: Path) -> None:
    """The issue's done-when figure, over HTTP: the void graph's size both ways (main counted every graph with FROM)."""
    from drugkg.buildfolder import open_build
    from drugkg.server.app import create_app
    from drugkg.server.config import ServerConfig

    build = open_build(built)
    with TestClient(create_app(ServerConfig(build_dir=build.path), build)) as real:
        via_from = _select(real, f"SELECT (COUNT(*) AS ?n) FROM <{VOID}> WHERE {{ ?s ?p ?o }}")
        via_protocol = _select(real, COUNT, **{"default-graph-uri": [VOID]})
    in_void = len(
        list(ox.Store.read_only(str(built / "store")).quads_for_pattern(None, None, None, ox.NamedNode(VOID)))
    )
    assert via_from == via_protocol == [{"n": str(in_void)}]
