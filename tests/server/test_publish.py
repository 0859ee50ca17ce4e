"""`drugkg publish` to a real external store: `oxigraph serve` on loopback, then the same answers there."""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import support.serving as fx
from support.serving import GRAPH, free_port, wait_http

from drugkg.buildfolder import open_build
from drugkg.catalogue import load_catalogue
from drugkg.errors import DrugkgError
from drugkg.publish import STAGING_PREFIX, publish, staging_name
from drugkg.server.pages import catalogue_entries

# The shared fixtures of serve_fixtures.py, used by name below.
real_build = fx.real_build
real_server = fx.real_server
tiny_build = fx.tiny_build

ROOT = Path(__file__).resolve().parents[2]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
# Questions asked of both stores besides the catalogue's, so the comparison never runs empty.
QUESTIONS = [
    "SELECT ?label WHERE { <https://w3id.org/drugkg/resource/drug/baclofen> <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?brand WHERE { ?d <https://w3id.org/drugkg/vocab#brandName> ?brand }",
]


class Oxigraph:
    def __init__(self, url: str) -> None:
        self.url = url
        self.store = f"{url}/store"
        self.update = f"{url}/update"
        self.query = f"{url}/query"

    def select(self, query: str) -> list[dict[str, str]]:
        r = httpx.post(
            self.query,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        r.raise_for_status()
        return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]

    def graphs(self) -> set[str]:
        return {row["g"] for row in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    assert OXIGRAPH.is_file(), "the oxigraph package (PyPI) is a test dependency"
    port = free_port()
    proc = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(tmp_path / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=30)
        yield Oxigraph(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _rows(body: bytes) -> collections.Counter:
    """Solutions as a multiset of rows of (variable, term); blank nodes compared by kind only."""
    solutions = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if isinstance(solutions, ox.QueryBoolean):
        return collections.Counter([(("ask", str(bool(solutions))),)])
    rows: collections.Counter = collections.Counter()
    variables = solutions.variables
    for solution in solutions:
        row = []
        for var in variables:
            term = solution[var]
            shown = None if term is None else "_:b" if isinstance(term, ox.BlankNode) else str(term)
            row.append((var.value, shown))
        rows[tuple(row)] += 1
    return rows


def _answers(endpoint: str, query: str) -> collections.Counter:
    r = httpx.post(
        endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return _rows(r.content)


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run `drugkg ARGS` as the installed console script does (drugkg.cli:main)."""
    script = "import sys; from drugkg.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_publish_cli_then_same_answers(real_build, real_server: str, oxigraph: Oxigraph) -> None:
    done = _run_cli(
        "publish",
        "--to",
        oxigraph.store,
        "--update",
        oxigraph.update,
        "--query",
        oxigraph.query,
        "--data",
        str(real_build),
    )
    assert done.returncode == 0, done.stderr
    assert "swapped in at once" in done.stderr
    build = open_build(real_build)
    assert oxigraph.graphs() == set(build.graphs)  # one named graph per source, no staging left
    for graph, size in build.graphs.items():
        assert oxigraph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == [
            {"n": str(size)}
        ]
    catalogue = [q for q in load_catalogue() if q.form in ("SELECT", "ASK")]
    queries = [entry["query"] for entry in catalogue_entries(catalogue)] + QUESTIONS  # parameters bound
    for query in queries:
        embedded = _answers(f"{real_server}/sparql", query)
        external = _answers(oxigraph.query, query)
        assert embedded, f"no answer to compare: {query}"
        assert embedded == external, query


def test_publish_replaces_and_drops_stale_graphs(tiny_build, real_build, oxigraph: Oxigraph) -> None:
    publish(
        open_build(tiny_build),
        oxigraph.store,
        update_url=oxigraph.update,
        query_url=oxigraph.query,
    )
    assert GRAPH + "mappings/chebi" in oxigraph.graphs()
    report = publish(
        open_build(real_build),
        oxigraph.store,
        update_url=oxigraph.update,
        query_url=oxigraph.query,
    )
    assert report.atomic
    assert GRAPH + "mappings/chebi" in report.dropped
    assert oxigraph.graphs() == set(open_build(real_build).graphs)
    # the tiny build's tizanidine is gone with its graph
    assert oxigraph.select("SELECT * WHERE { <https://w3id.org/drugkg/resource/drug/tizanidine> ?p ?o }") == []


def test_failed_upload_leaves_live_graphs_untouched(tiny_build, real_build, oxigraph: Oxigraph) -> None:
    publish(open_build(tiny_build), oxigraph.store, update_url=oxigraph.update)
    before = {
        g: oxigraph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") for g in oxigraph.graphs()
    }

    class FailThirdPut(httpx.HTTPTransport):
        puts = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PUT":
                FailThirdPut.puts += 1
                if FailThirdPut.puts == 3:
                    return httpx.Response(500, text="disk full")
            return super().handle_request(request)

    def client(**kwargs: object) -> httpx.Client:
        return httpx.Client(transport=FailThirdPut(), **kwargs)  # type: ignore[arg-type]

    with pytest.raises(DrugkgError, match="500"):
        publish(
            open_build(real_build),
            oxigraph.store,
            update_url=oxigraph.update,
            client_factory=client,
        )
    after = {
        g: oxigraph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") for g in oxigraph.graphs()
    }
    assert after == before
    assert not any(g.startswith(STAGING_PREFIX) for g in oxigraph.graphs())


def test_publish_without_update_endpoint_is_refused(real_build, oxigraph: Oxigraph) -> None:
    """The Graph Store Protocol alone cannot swap several graphs at once: the default refuses."""
    with pytest.raises(DrugkgError, match="needs the server's SPARQL Update endpoint") as caught:
        publish(open_build(real_build), oxigraph.store)
    assert "--no-transaction" in str(caught.value)
    assert oxigraph.graphs() == set()
    done = _run_cli("publish", "--to", oxigraph.store, "--data", str(real_build))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--update URL" in done.stderr and "--no-transaction" in done.stderr, done.stderr
    assert oxigraph.graphs() == set()
    done = _run_cli(
        "publish",
        "--to",
        oxigraph.store,
        "--update",
        oxigraph.update,
        "--no-transaction",
        "--data",
        str(real_build),
    )
    assert done.returncode == 2 and "not both" in done.stderr, done.stderr


def test_publish_no_transaction_graph_by_graph(real_build, oxigraph: Oxigraph) -> None:
    report = publish(open_build(real_build), oxigraph.store, transaction=False)
    assert not report.atomic
    assert oxigraph.graphs() == set(open_build(real_build).graphs)
    assert report.triples == sum(open_build(real_build).graphs.values())
    done = _run_cli("publish", "--to", oxigraph.store, "--no-transaction", "--data", str(real_build))
    assert done.returncode == 0, done.stderr
    assert "--no-transaction" in done.stderr and "each replaced in turn" in done.stderr
    assert oxigraph.graphs() == set(open_build(real_build).graphs)


class _DropThenGone(httpx.HTTPTransport):
    """Forwards requests until the `fail_at`-th PUT, which reaches the store but whose answer is
    lost; from then on the server is unreachable (so the cleanup after the failure fails too)."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.fail_at, self.puts, self.gone = fail_at, 0, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.gone:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "PUT":
            self.puts += 1
            if self.puts == self.fail_at:
                super().handle_request(request).read()  # the store applies it ...
                self.gone = True  # ... and the client never hears
                raise httpx.RemoteProtocolError("server disconnected", request=request)
        return super().handle_request(request)


@pytest.mark.parametrize("with_query", [True, False], ids=["with-query", "without-query"])
def test_staging_graphs_of_an_interrupted_publish_are_removed_by_the_next(
    tiny_build, real_build, oxigraph: Oxigraph, with_query: bool
) -> None:
    publish(open_build(tiny_build), oxigraph.store, update_url=oxigraph.update)
    before = oxigraph.graphs()
    transport = _DropThenGone(fail_at=2)

    def client(**kwargs: object) -> httpx.Client:
        return httpx.Client(transport=transport, **kwargs)  # type: ignore[arg-type]

    with pytest.raises(DrugkgError) as caught:
        publish(
            open_build(real_build),
            oxigraph.store,
            update_url=oxigraph.update,
            query_url=oxigraph.query,
            client_factory=client,
        )
    message = str(caught.value)
    assert "live graphs are unchanged" in message, message
    assert "staging graphs could not be dropped" in message, message
    left = {g for g in oxigraph.graphs() if g.startswith(STAGING_PREFIX)}
    # the server kept both uploads; the cleanup could not reach it
    assert len(left) == 2, left
    assert oxigraph.graphs() - left == before  # live graphs untouched
    # a graph staged under a name of an older scheme (random token) is dropped too, given --query
    odd = STAGING_PREFIX + "0123456789ab:0"
    httpx.put(
        oxigraph.store,
        params={"graph": odd},
        content=b"<urn:s> <urn:p> <urn:o> .\n",
        headers={"Content-Type": "application/n-triples"},
    ).raise_for_status()

    report = publish(
        open_build(real_build),
        oxigraph.store,
        update_url=oxigraph.update,
        query_url=oxigraph.query if with_query else None,
    )
    build = open_build(real_build)
    staging_left = {g for g in oxigraph.graphs() if g.startswith(STAGING_PREFIX)}
    if with_query:
        assert set(report.leftovers) == left | {odd}
        assert staging_left == set()
        assert oxigraph.graphs() == set(build.graphs)
    else:  # the deterministic staging names were overwritten and moved; only the odd one is unknown
        assert left <= {staging_name(g) for g in build.graphs}
        assert staging_left == {odd}
        assert oxigraph.graphs() - {odd} >= set(build.graphs)
    for graph, size in build.graphs.items():
        assert oxigraph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == [
            {"n": str(size)}
        ]


def test_failed_publish_drops_its_staging_graphs_on_a_new_connection(
    tiny_build, real_build, oxigraph: Oxigraph
) -> None:
    """A PUT the store applied but whose answer was lost: its staging graph is dropped too."""
    publish(open_build(tiny_build), oxigraph.store, update_url=oxigraph.update)
    before = oxigraph.graphs()
    transports: list[httpx.HTTPTransport] = []

    def client(**kwargs: object) -> httpx.Client:
        # the first connection loses the answer to its 3rd PUT; the cleanup's connection is healthy
        transport = _DropThenGone(fail_at=3) if not transports else httpx.HTTPTransport()
        transports.append(transport)
        return httpx.Client(transport=transport, **kwargs)  # type: ignore[arg-type]

    with pytest.raises(DrugkgError, match="staging graphs were dropped") as caught:
        publish(
            open_build(real_build),
            oxigraph.store,
            update_url=oxigraph.update,
            client_factory=client,
        )
    assert "cannot reach" in str(caught.value) and "live graphs are unchanged" in str(caught.value)
    assert len(transports) == 2
    assert oxigraph.graphs() == before


def test_publish_errors_are_clear(real_build, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    down = f"http://127.0.0.1:{port}"
    done = _run_cli(
        "publish",
        "--to",
        f"{down}/store",
        "--update",
        f"{down}/update",
        "--data",
        str(real_build),
    )
    assert done.returncode == 2
    assert "cannot reach" in done.stderr and "Traceback" not in done.stderr
    assert "live graphs are unchanged" in done.stderr
    broken = tmp_path / "build"
    shutil.copytree(real_build, broken)
    (broken / "drugkg.nt").write_text("truncated")
    done = _run_cli(
        "publish",
        "--to",
        f"{down}/store",
        "--update",
        f"{down}/update",
        "--data",
        str(broken),
    )
    assert done.returncode == 2
    assert "drugkg.nt does not match its checksum" in done.stderr and "Traceback" not in done.stderr
    done = _run_cli("publish", "--to", "ftp://example.org/x")
    assert done.returncode == 2 and "not an http(s) URL" in done.stderr
