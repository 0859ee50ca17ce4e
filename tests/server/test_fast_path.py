"""The fast path for a program's GET of /sparql (drugkg.server.fast_path), on a real server.

Its answers are compared with the application's over the whole W3C suite in
tests/query/test_w3c_sparql.py; here: which requests it takes, and how it keeps HTTP/1.1's
connection rules (pipelining, HTTP/1.0, keep-alive after an error, a client that hangs up).
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.serving import running_server, tiny_build  # noqa: F401

from drugkg.server.fast_path import SparqlFastPath

ASK = "ASK { ?s ?p ?o }"
# About 0.1-0.5 s of work: 100 x 100 x 40 rows counted.
_VALUES = " ".join(str(n) for n in range(100))
SLOW = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {_VALUES} }} VALUES ?b {{ {_VALUES} }} VALUES ?c {{ {_VALUES[:110]} }} }}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r . ?s ?t ?u }"


@pytest.fixture(scope="module")
def server(tiny_build: Path) -> Iterator[str]:  # noqa: F811
    with running_server(tiny_build, timeout=5.0, workers=2, result_cache_mb=0) as url:
        yield url


def answered(url: str) -> int:
    fast = httpx.get(f"{url}/health").json()["fast_path"]
    assert fast["on"] is True
    return int(fast["answered"])


def get_line(query: str, *, version: str = "1.1", extra: str = "") -> bytes:
    target = "/sparql?" + urllib.parse.urlencode({"query": query})
    return f"GET {target} HTTP/{version}\r\nHost: x\r\n{extra}\r\n".encode()


def read_responses(sock: socket.socket, count: int, limit: float = 10.0) -> list[tuple[int, dict[str, str], bytes]]:
    """`count` whole responses (Content-Length bodies) read from `sock`."""
    data = b""
    responses: list[tuple[int, dict[str, str], bytes]] = []
    deadline = time.monotonic() + limit
    sock.settimeout(limit)
    while len(responses) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(responses)} responses"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
        size = int(headers["content-length"])
        while len(data) < size:
            data += sock.recv(65536)
        responses.append((int(status_line.split()[1]), headers, data[:size]))
        data = data[size:]
        assert time.monotonic() < deadline
    return responses


def connect(url: str) -> socket.socket:
    parts = urllib.parse.urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


@pytest.mark.parametrize(
    ("headers", "taken"),
    [
        ([], True),
        ([(b"accept", b"application/sparql-results+xml")], True),
        ([(b"content-length", b"0")], True),
        ([(b"origin", b"http://elsewhere.example")], False),  # CORS headers are due
        ([(b"accept", b"text/html,*/*")], False),  # a browser: the page may be due
        ([(b"x-forwarded-for", b"192.0.2.1")], False),  # the proxy middleware names the client
        ([(b"x-forwarded-proto", b"https")], False),
        ([(b"expect", b"100-continue")], False),
        ([(b"transfer-encoding", b"chunked")], False),
        ([(b"content-length", b"5")], False),
        ([(b"upgrade", b"websocket")], False),
    ],
)
def test_which_gets_it_takes(headers: list[tuple[bytes, bytes]], taken: bool) -> None:
    assert SparqlFastPath.takes({"method": "GET", "path": "/sparql", "headers": headers}) is taken


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/sparql"), ("HEAD", "/sparql"), ("GET", "/sparql/"), ("GET", "/")]
)
def test_other_requests_are_not_taken(method: str, path: str) -> None:
    assert SparqlFastPath.takes({"method": method, "path": path, "headers": []}) is False


def test_a_get_query_is_answered_by_it_and_the_rest_by_the_application(server: str) -> None:
    before = answered(server)
    response = httpx.get(f"{server}/sparql", params={"query": ASK})
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": True}
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert response.headers["vary"] == "Accept" and response.headers["cache-control"] == "no-store"
    assert answered(server) == before + 1
    posted = httpx.post(f"{server}/sparql", data={"query": ASK})
    description = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    with_origin = httpx.get(f"{server}/sparql", params={"query": ASK}, headers={"Origin": "http://o.example"})
    assert (posted.status_code, description.status_code, with_origin.status_code) == (200, 200, 200)
    assert posted.json() == response.json()
    assert "sd:endpoint" in description.text or "sparql-service-description" in description.text
    assert with_origin.headers["access-control-allow-origin"] == "*"
    assert answered(server) == before + 1


def test_no_fast_path_sends_every_request_to_the_application(tiny_build: Path) -> None:  # noqa: F811
    with running_server(tiny_build, fast_path=False, workers=1, result_cache_mb=0) as url:
        response = httpx.get(f"{url}/sparql", params={"query": ASK})
        assert response.json()["boolean"] is True
        assert httpx.get(f"{url}/health").json()["fast_path"] == {"on": False}


def test_pipelined_requests_are_answered_in_order(server: str) -> None:
    """Three GETs in one write, the first the slowest: their answers come in the order asked."""
    with connect(server) as sock:
        sock.sendall(get_line(SLOW) + get_line("ASK { FILTER(false) }") + get_line(ASK))
        responses = read_responses(sock, 3)
    assert [status for status, _, _ in responses] == [200, 200, 200]
    bodies = [body for _, _, body in responses]
    assert b'"value":"400000"' in bodies[0], bodies[0]
    assert bodies[1:] == [b'{"head":{},"boolean":false}', b'{"head":{},"boolean":true}']


def test_http_1_0_is_answered_and_closed(server: str) -> None:
    with connect(server) as sock:
        sock.sendall(get_line(ASK, version="1.0"))
        [(status, headers, body)] = read_responses(sock, 1)
        assert (status, headers["connection"], body) == (200, "close", b'{"head":{},"boolean":true}')
        assert sock.recv(1) == b""  # closed by the server


def test_an_error_keeps_the_connection_open(server: str) -> None:
    before = answered(server)
    with connect(server) as sock:
        sock.sendall(get_line("SELEC"))
        [(status, headers, body)] = read_responses(sock, 1)
        assert (status, body) == (400, b"syntax error: error at 1:6: expected [_]\n")
        assert "connection" not in headers
        sock.sendall(get_line(ASK))
        [(status, _, body)] = read_responses(sock, 1)
        assert (status, body) == (200, b'{"head":{},"boolean":true}')
    assert answered(server) == before + 2


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ("update", b"SPARQL Update is not allowed: this endpoint is read-only\n"),
        ("query", b"SPARQL Update (INSERT) is not allowed: this endpoint is read-only\n"),
    ],
)
def test_an_update_is_refused_with_403_and_the_connection_kept(server: str, parameter: str, message: bytes) -> None:
    with connect(server) as sock:
        target = "/sparql?" + urllib.parse.urlencode({parameter: "INSERT DATA { <a:b> <a:c> <a:d> }"})
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode() + get_line(ASK))
        (status, headers, body), (second, _, _) = read_responses(sock, 2)
    assert (status, body) == (403, message)
    assert headers["content-type"] == "text/plain; charset=utf-8" and second == 200


def test_a_client_that_hangs_up_has_its_query_stopped(server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="drugkg.serve")
    with connect(server) as sock:
        sock.sendall(get_line(HEAVY))
        time.sleep(0.3)
    deadline = time.monotonic() + 2
    while httpx.get(f"{server}/health").json()["busy_workers"]:
        assert time.monotonic() < deadline, "the abandoned query is still running"
        time.sleep(0.05)
    assert any("went away; stopping its query" in r.getMessage() for r in caplog.records)
    assert httpx.get(f"{server}/sparql", params={"query": ASK}).json()["boolean"] is True


def test_each_answer_is_logged(tiny_build: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with running_server(tiny_build, workers=1, result_cache_mb=0, access_log="json") as url:
        httpx.get(f"{url}/sparql", params={"query": ASK})
        httpx.get(f"{url}/sparql", params={"query": "SELEC"})
    import json

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    sparql = [
        (line["method"], line["path"].split("?")[0], line["status"], line["bytes"])
        for line in lines
        if "query=" in line["path"]
    ]
    assert sparql == [("GET", "/sparql", 200, 26), ("GET", "/sparql", 400, 41)]


def test_a_fault_in_the_fast_path_is_a_503_and_the_server_goes_on(
    server: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import drugkg.server.fast_path as fast_path

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(fast_path, "plan_query", broken)
    with httpx.Client() as http:
        response = http.get(f"{server}/sparql", params={"query": ASK})
        assert (response.status_code, response.text) == (503, "the query could not be run just now; try again\n")
        monkeypatch.undo()
        again = http.get(f"{server}/sparql", params={"query": ASK})  # the same connection
    assert again.json()["boolean"] is True
    assert any("the fast path failed" in r.getMessage() for r in caplog.records)


def test_a_header_that_would_split_the_response_is_never_written(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import drugkg.server.fast_path as fast_path
    from drugkg.server.protocol import Reply

    def injected(*args: object) -> Reply:
        return Reply(200, b"{}", "application/json", (("X-Drugkg-Parameter-Hint", "a\r\nX-Evil: 1"),))

    monkeypatch.setattr(fast_path, "answer_reply", injected)
    response = httpx.get(f"{server}/sparql", params={"query": "ASK { FILTER(1 > 0) }"})
    assert (response.status_code, response.text) == (503, "the answer could not be written; try again\n")
    assert "x-evil" not in response.headers and "x-drugkg-parameter-hint" not in response.headers
