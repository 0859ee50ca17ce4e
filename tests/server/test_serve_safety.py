"""Safety of /sparql: no updates, no outbound connections, size and time limits, at several layers."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest
import support.serving as fx
from support.serving import RES, VOCAB, RecordingListener, running_server

from drugkg.server.safety import QueryRefused, screen_query, service_in_algebra

# The shared fixtures of serve_fixtures.py, used by name below.
tiny_build = fx.tiny_build
tiny_server = fx.tiny_server

ASK_DRUG = f"ASK {{ <{RES}drug/baclofen> a <{VOCAB}Drug> }}"
# Seven-way cross join over every triple: ~30^7 rows, far beyond any time limit.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r . ?s ?t ?u }"


@pytest.fixture
def listener():
    rec = RecordingListener()
    yield rec
    rec.close()


# ---------------------------------------------------------------- updates


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {
            "method": "POST",
            "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
        },
        {
            "method": "POST",
            "content": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"method": "GET", "params": {"update": "DELETE WHERE { ?s ?p ?o }"}},
        {
            "method": "GET",
            "params": {"query": "PREFIX ex: <urn:x:> INSERT DATA { ex:a ex:b ex:c }"},
        },
        {"method": "POST", "data": {"query": "DROP ALL"}},
        {"method": "POST", "data": {"query": "# a comment\nclear default"}},
    ],
)
def test_update_is_403(tiny_server: str, request_kwargs: dict) -> None:
    kwargs = dict(request_kwargs)
    r = httpx.request(kwargs.pop("method"), f"{tiny_server}/sparql", **kwargs)
    assert r.status_code == 403, r.text
    assert "read-only" in r.text
    after = httpx.get(f"{tiny_server}/sparql", params={"query": "ASK { <urn:a> ?p ?o }"})
    assert after.json()["boolean"] is False
    assert httpx.get(f"{tiny_server}/sparql", params={"query": ASK_DRUG}).json()["boolean"] is True


def test_no_update_route(tiny_server: str) -> None:
    for path in ("/update", "/sparql/update", "/store", "/sparql/statements"):
        assert httpx.post(f"{tiny_server}{path}", data={"update": "CLEAR ALL"}).status_code in (404, 405)


# ---------------------------------------------------------------- outbound connections


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ ?x ?y ?z .SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "PREFIX x: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        'SELECT * WHERE {{ ?s ?p "\\u0022" . SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} ?a ?b "\\u0022" }}',
        'SELECT * WHERE {{ # comment "\n SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}',
    ],
)
def test_service_is_refused_and_never_connects(tiny_server: str, listener: RecordingListener, template: str) -> None:
    query = template.format(port=listener.port)
    r = httpx.post(f"{tiny_server}/sparql", data={"query": query})
    assert r.status_code == 403, r.text
    assert "SERVICE" in r.text
    time.sleep(0.3)
    assert listener.connections == []


def test_service_inside_a_literal_or_iri_is_only_text(tiny_server: str, listener: RecordingListener) -> None:
    query = (
        f'SELECT ?x WHERE {{ VALUES ?x {{ "SERVICE <http://127.0.0.1:{listener.port}/> {{ }}" '
        f"<http://127.0.0.1:{listener.port}/SERVICE> }} }}"
    )
    r = httpx.get(f"{tiny_server}/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 2
    assert listener.connections == []


def test_load_is_refused(tiny_server: str, listener: RecordingListener, tmp_path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:s> <urn:p> <urn:o> .\n")
    for target in (f"http://127.0.0.1:{listener.port}/data.ttl", secret.as_uri()):
        for body in ({"update": f"LOAD <{target}>"}, {"query": f"LOAD <{target}>"}):
            r = httpx.post(f"{tiny_server}/sparql", data=body)
            assert r.status_code == 403, r.text
    time.sleep(0.3)
    assert listener.connections == []
    assert httpx.get(f"{tiny_server}/sparql", params={"query": "ASK { <urn:s> ?p ?o }"}).json()["boolean"] is False


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            "a backslash escape such as \\u0053 is read only inside strings, IRIs and prefixed names",
        ),
        ("SELECT * {{ ?s ?p 'unterminated . SERVICE <http://127.0.0.1:{port}/> {{}} }}", 'unexpected character "\'"'),
        (
            "PREFIX SERVICE: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE:g {{ ?s ?p ?o }} }}",
            "would be read as the keyword SERVICE by the query engine",
        ),
    ],
)
def test_text_that_is_no_sparql_token_is_400_and_never_connects(
    tiny_server: str, listener: RecordingListener, template: str, message: str
) -> None:
    r = httpx.post(f"{tiny_server}/sparql", data={"query": template.format(port=listener.port)})
    assert r.status_code == 400, r.text
    assert message in r.text
    time.sleep(0.3)
    assert listener.connections == []


def test_the_worker_check_stands_alone() -> None:
    """The second layer (the policy again, in the worker) finds SERVICE on its own."""
    assert service_in_algebra("SELECT * { OPTIONAL { SERVICE <http://h/> { ?s ?p ?o } } }") is True
    assert service_in_algebra('SELECT * { ?s ?p "SERVICE <http://h/> {}" }') is False
    assert service_in_algebra("PREFIX SERVICE: <http://h/> SELECT * { SERVICE:g {} }") is True
    assert service_in_algebra("SELECT * { ?s ?p 'unterminated }") is None
    assert service_in_algebra("SELECT * WHERE " + "{" * 100 + "}" * 100) is None


@pytest.mark.parametrize(
    ("query", "form"),
    [
        (
            "PREFIX ex: <http://x/> BASE <http://b/> CONSTRUCT WHERE { ?s ?p ?o }",
            "CONSTRUCT",
        ),
        ("# SERVICE <http://h/>\nASK {}", "ASK"),
        ("describe <http://x/SERVICE>", "DESCRIBE"),
        ("SELECT ?service WHERE { ?service ?p 'LOAD <http://h/>' }", "SELECT"),
    ],
)
def test_screen_names_the_form_and_passes_harmless_text(query: str, form: str) -> None:
    assert screen_query(query, max_length=10_000).form == form


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { service <http://h/> {} }",
        "SELECT * {}SERVICE<http://h/>{}",
        "WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * { ?s ?p '''a''' . SERVICE <http://h/> {} }",
    ],
)
def test_screen_refuses(query: str) -> None:
    with pytest.raises(QueryRefused) as err:
        screen_query(query, max_length=10_000)
    assert err.value.status == 403


# ---------------------------------------------------------------- size limit


def test_a_query_over_the_limit_in_utf8_bytes_but_not_in_characters_is_413(tiny_build) -> None:
    text = "SELECT * WHERE { ?s ?p ?o } # " + "é" * 1_000  # 1,030 characters, 2,030 bytes
    with running_server(tiny_build, max_query_bytes=2_000) as url:
        response = httpx.get(f"{url}/sparql", params={"query": text})
    assert response.status_code == 413
    assert "query is 2030 bytes; this endpoint accepts at most 2000" in response.text


def test_oversize_query_is_413(tiny_build) -> None:
    with running_server(tiny_build, max_query_bytes=2_000) as url:
        big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 3_000
        for r in (
            httpx.get(f"{url}/sparql", params={"query": big}),
            httpx.post(f"{url}/sparql", data={"query": big}),
            httpx.post(
                f"{url}/sparql",
                content=big.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
            httpx.post(
                f"{url}/sparql",
                content=b"x" * 100_000,
                headers={"Content-Type": "application/sparql-query"},
            ),
        ):
            assert r.status_code == 413, r.text
            assert "2000" in r.text
        assert httpx.get(f"{url}/sparql", params={"query": ASK_DRUG}).json()["boolean"] is True


# ---------------------------------------------------------------- time limit


def test_timeout_stops_the_query_and_others_are_served(tiny_build) -> None:
    with running_server(tiny_build, timeout=1.0, workers=2) as url:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            started = time.monotonic()
            heavy = pool.submit(httpx.get, f"{url}/sparql", params={"query": HEAVY}, timeout=30)
            time.sleep(0.2)
            during = []
            while not heavy.done():  # meanwhile, other queries keep being answered
                r = httpx.get(f"{url}/sparql", params={"query": ASK_DRUG}, timeout=5)
                during.append((r.status_code, r.json()["boolean"]))
                time.sleep(0.05)
            answer = heavy.result()
            elapsed = time.monotonic() - started
        assert answer.status_code == 503
        assert "time limit of 1 s" in answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        # 1 s limit, plus room for a loaded CI machine; an unstopped query would run for minutes
        assert elapsed < 8.0, f"the stopped query took {elapsed:.1f} s to answer"
        assert len(during) >= 1 and set(during) == {(200, True)}, during
        # After it: the killed worker was replaced, and every worker answers.
        for _ in range(6):
            r = httpx.get(f"{url}/sparql", params={"query": ASK_DRUG}, timeout=10)
            assert r.status_code == 200 and r.json()["boolean"] is True
        # Two heavy queries at once fill both workers; both are stopped, then service resumes.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            both = [pool.submit(httpx.get, f"{url}/sparql", params={"query": HEAVY}, timeout=30) for _ in range(2)]
            assert [f.result().status_code for f in both] == [503, 503]
        assert httpx.get(f"{url}/sparql", params={"query": ASK_DRUG}, timeout=10).json()["boolean"] is True


# ---------------------------------------------------------------- the last layer: no sockets


def test_lexer_confusion_still_makes_no_connection(tiny_server: str, listener: RecordingListener) -> None:
    """`<` read as an IRI by a lexer but as less-than by the engine: whatever the screens
    conclude, the worker cannot open a connection."""
    port = listener.port
    queries = [
        f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<'>') SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }} FILTER('x') }}",
        f"SELECT * WHERE {{ <http://x/it's> ?p ?o . ?s ?p2 ?o2 FILTER(?o2<'>') "
        f"SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }} FILTER(' ') }}",
        f"PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE {{ ?s ?p ?o SERVICE:g {{ ?a ?b ?c }} }}",
    ]
    for query in queries:
        r = httpx.post(f"{tiny_server}/sparql", data={"query": query})
        assert r.status_code in (400, 403, 500), r.text
    time.sleep(0.3)
    assert listener.connections == []


def test_worker_sandbox_refuses_sockets(listener: RecordingListener) -> None:
    import subprocess
    import sys

    code = f"""
import pyoxigraph
from drugkg.execution.sandbox import block_network

assert block_network()
try:
    list(pyoxigraph.Store().query("SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"))
except PermissionError as err:
    print("refused:", err)
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "refused: Operation not permitted" in out.stdout, out.stderr
    time.sleep(0.3)
    assert listener.connections == []


def test_workers_report_the_sandbox(tiny_build) -> None:
    import asyncio

    from drugkg.execution import Executor, Limits, PoolSettings

    async def start_and_look() -> list[bool]:
        executor = Executor(tiny_build / "store", Limits(timeout=5), PoolSettings(workers=2))
        await executor.start()
        try:
            return [w.network_blocked for w in executor.workers]
        finally:
            await executor.stop()

    assert asyncio.run(start_and_look()) == [True, True, True]  # two workers and the spare
