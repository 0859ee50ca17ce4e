"""`drugkg serve` keeps answering: worker deaths, memory bombs, abandoned runaways, greedy clients,
idle and slow connections, a forged Host header. Each case is bounded in count and time.

The clients are told apart by their loopback source address (127.0.0.2, 127.0.0.3, ...). The
result cache is off so that every query reaches a worker. Figures from these runs are in
docs/reliability.md.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import support.serving as fx
from support.serving import RES, VOCAB, running_server

from drugkg.execution.worker import rss_bytes

tiny_build = fx.tiny_build

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r . ?s ?t ?u }"
MIB = 1024 * 1024


def good(n: int) -> str:
    """A cheap query, distinct for each n, answered `true`."""
    return f"ASK {{ <{RES}drug/baclofen> a <{VOCAB}Drug> FILTER({n} >= 0) }}"


def memory_bomb(doublings: int = 34) -> str:
    """A string doubled by CONCAT `doublings` times: 16 bytes x 2^34 is 256 GiB."""
    binds = ['BIND("0123456789abcdef" AS ?s0)']
    binds += [f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(doublings)]
    return f"SELECT (STRLEN(?s{doublings}) AS ?n) WHERE {{ {' '.join(binds)} }}"


def client(address: str, timeout: float = 10) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def ask(http: httpx.Client, url: str, n: int) -> httpx.Response:
    return http.get(f"{url}/sparql", params={"query": good(n)})


def health(url: str) -> dict:
    return httpx.get(f"{url}/health", timeout=5).json()


def worker_pids(url: str, *, spares: bool = False) -> list[int]:
    """The answering workers' pids (and the spares' too if asked)."""
    return [w["pid"] for w in health(url)["workers"] if spares or w["state"] != "spare"]


def wait_settled(url: str, limit: float = 5.0) -> None:
    """Until the pool is back to 2 idle workers and 1 ready spare."""
    deadline = time.monotonic() + limit
    while sorted(w["state"] for w in health(url)["workers"]) != ["idle", "idle", "spare"]:
        assert time.monotonic() < deadline, health(url)
        time.sleep(0.05)


def first_200_after(url: str, started: float, limit: float = 5.0) -> tuple[float, list[int]]:
    """Seconds from `started` to the first 200 of a good query, and every status seen until then."""
    statuses = []
    n = 0
    with client("127.0.0.4") as http:
        while time.monotonic() - started < limit:
            n += 1
            response = ask(http, url, n)
            statuses.append(response.status_code)
            if response.status_code == 200:
                assert response.json()["boolean"] is True
                return time.monotonic() - started, statuses
            time.sleep(0.01)
    raise AssertionError(f"no 200 within {limit} s: {statuses[-5:]}")


@pytest.fixture(scope="module")
def server(tiny_build) -> Iterator[str]:
    with running_server(
        tiny_build, timeout=3.0, workers=2, result_cache_mb=0, memory_mb=200, header_timeout=1.0
    ) as url:
        yield url


# ---------------------------------------------------------------- worker deaths


def test_health_reports_the_pool_and_every_limit(server: str) -> None:
    response = httpx.get(f"{server}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert [w["state"] for w in body["workers"]] == ["idle", "idle", "spare"]
    # `make test` installs libjemalloc2 (the Makefile's jemalloc target); each worker says what it loaded
    assert [w["allocator"] for w in body["workers"]] == ["jemalloc", "jemalloc", "jemalloc"]
    # the tiny build is far under worker.MEMORY_STORE_MAX_QUADS: with --store auto each worker copies it into memory
    assert [w["store"] for w in body["workers"]] == ["memory", "memory", "memory"]
    assert body["limits"] == {
        "timeout_s": 3.0,
        "memory_mb_per_query": 200,
        "max_rows": 10_000,
        "workers": 2,
        "spare_workers": 1,
        "extra_workers": 2,
        "max_queue": 64,
        "client_workers": 1,
        "client_queue": 16,
        "client_seconds_per_minute": 60.0,
        "allocator": "auto",
        "store": "auto",
    }
    assert body["http"]["header_timeout_s"] == 1.0
    assert body["http"]["max_connections"] == 4096
    assert [body["http"][k] for k in ("client_ipv4_prefix", "client_ipv6_prefix", "trusted_proxies")] == [
        32,
        64,
        ["127.0.0.1", "::1"],
    ]


def test_kill_9_of_an_idle_worker_is_noticed_and_replaced(server: str) -> None:
    before = worker_pids(server)
    os.kill(before[0], signal.SIGKILL)
    started = time.monotonic()
    seconds, statuses = first_200_after(server, started)
    assert seconds < 1.0 and set(statuses) == {200}, (seconds, statuses)
    deadline = time.monotonic() + 5
    while len([p for p in worker_pids(server) if p not in before]) < 1:
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.05)
    assert before[0] not in worker_pids(server)
    assert health(server)["worker_exits"].get("killed by SIGKILL", 0) >= 1


def test_kill_9_of_a_busy_worker_answers_its_query_503(server: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool, client("127.0.0.2") as http:
        heavy = pool.submit(http.get, f"{server}/sparql", params={"query": HEAVY})
        deadline = time.monotonic() + 5
        while not [w for w in health(server)["workers"] if w["state"] == "busy"]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        busy = next(w["pid"] for w in health(server)["workers"] if w["state"] == "busy")
        os.kill(busy, signal.SIGKILL)
        started = time.monotonic()
        answer = heavy.result()
    assert answer.status_code == 503
    assert "stopped (killed by SIGKILL)" in answer.text and answer.headers["retry-after"] == "1"
    seconds, statuses = first_200_after(server, started)
    assert seconds < 1.0 and 500 not in statuses


def test_kill_9_of_every_worker_200_within_1_s(server: str) -> None:
    wait_settled(server)
    for pid in worker_pids(server):
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    seconds, statuses = first_200_after(server, started)
    assert seconds < 1.0 and set(statuses) <= {200, 503}, (seconds, statuses)
    assert httpx.get(f"{server}/health").status_code == 200


def test_kill_9_of_every_process_then_200(server: str) -> None:
    wait_settled(server)
    for pid in worker_pids(server, spares=True):  # the spare too: every process starts anew
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    during = httpx.get(f"{server}/health")  # 503 until a new worker is ready (a fast one may be, already)
    assert during.status_code in (200, 503) and during.json()["status"] == (
        "ready" if during.status_code == 200 else "unavailable"
    )
    seconds, statuses = first_200_after(server, started)
    # the new workers are forks of the template, which holds the store: no process start, no load
    assert seconds < 1.0 and set(statuses) <= {200, 503}, (seconds, statuses)
    assert httpx.get(f"{server}/health").status_code == 200


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return int(stat.read().rsplit(b")", 1)[1].split()[1])


def test_workers_are_forks_of_one_template_holding_the_store(server: str) -> None:
    wait_settled(server)
    template = health(server)["template"]
    assert template["state"] == "ready"
    assert [_parent(pid) for pid in worker_pids(server, spares=True)] == [template["pid"]] * 3
    # the OOM killer takes a worker (its query is answered 503, it is replaced) before the template
    ours = _oom_score_adj(_parent(template["pid"]))  # the server's, which the template keeps
    assert _oom_score_adj(template["pid"]) == ours
    assert [_oom_score_adj(pid) for pid in worker_pids(server, spares=True)] == [max(ours, 500)] * 3


def test_workers_and_template_write_no_core_dump(server: str) -> None:
    # a worker that aborts at its memory limit (Rust's failed allocation: SIGABRT) must not write
    # hundreds of megabytes of core where the kernel would put one
    wait_settled(server)
    now = health(server)
    pids = [now["template"]["pid"], now["standby_template"]["pid"], *worker_pids(server, spares=True)]
    assert [_core_limit(pid) for pid in pids] == [["0", "0"]] * 5


def _core_limit(pid: int) -> list[str]:
    with open(f"/proc/{pid}/limits", encoding="ascii") as limits:
        line = next(line for line in limits if line.startswith("Max core file size"))
    return line.split()[4:6]


def _oom_score_adj(pid: int) -> int:
    with open(f"/proc/{pid}/oom_score_adj", encoding="ascii") as adj:
        return int(adj.read())


def test_kill_9_of_the_fork_template_then_200_from_its_standby(server: str) -> None:
    wait_settled(server)
    before = health(server)
    old, standby = before["template"]["pid"], before["standby_template"]["pid"]
    assert _parent(standby) == old  # a fork of the template, sharing its copy of the store
    os.kill(old, signal.SIGKILL)  # its workers end with it (they die with their parent)
    started = time.monotonic()
    seconds, statuses = first_200_after(server, started)
    # the standby takes its place: new workers are forks of it, with no new copy of the store
    assert seconds < 1.0 and set(statuses) <= {200, 503}, (seconds, statuses)
    wait_settled(server)
    deadline = time.monotonic() + 5
    while (health(server)["standby_template"] or {}).get("state") != "ready":
        assert time.monotonic() < deadline, health(server)
        time.sleep(0.05)
    after = health(server)
    assert after["template"] == {"pid": standby, "state": "ready"}
    assert _parent(after["standby_template"]["pid"]) == standby  # and it keeps a standby of its own
    assert [_parent(pid) for pid in worker_pids(server, spares=True)] == [standby] * 3
    # its 3 workers, and any replacement asked of it before its end was seen
    assert after["worker_exits"].get("ended with its fork template", 0) >= 3


def test_kill_9_of_the_standby_template_makes_another(server: str) -> None:
    wait_settled(server)
    before = health(server)
    standby = before["standby_template"]["pid"]
    os.kill(standby, signal.SIGKILL)
    with client("127.0.0.4") as http:
        assert ask(http, server, 1).status_code == 200  # the template and its workers go on
    deadline = time.monotonic() + 5
    while (health(server)["standby_template"] or {}).get("pid") in (None, standby):
        assert time.monotonic() < deadline, health(server)
        time.sleep(0.05)
    after = health(server)
    assert after["template"] == before["template"] and after["restarts"] == before["restarts"]
    assert _parent(after["standby_template"]["pid"]) == before["template"]["pid"]


def test_a_server_that_stops_leaves_no_template_behind(tiny_build) -> None:
    with running_server(tiny_build, workers=1, result_cache_mb=0) as url:
        deadline = time.monotonic() + 5
        while (health(url)["standby_template"] or {}).get("state") != "ready":
            assert time.monotonic() < deadline, health(url)
            time.sleep(0.05)
        now = health(url)
        pids = [now["template"]["pid"], now["standby_template"]["pid"], *worker_pids(url, spares=True)]
    deadline = time.monotonic() + 5
    while [pid for pid in pids if _alive(pid)]:
        assert time.monotonic() < deadline, [pid for pid in pids if _alive(pid)]
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False


def test_no_worker_alive_is_not_ready_until_one_is(tiny_build) -> None:
    """What /health reports: `alive` is False from the deaths until a replacement is ready."""
    import asyncio

    from drugkg.execution import Executor, Limits, PoolSettings

    async def scenario() -> tuple[bool, bool, float]:
        # on disk: every replacement is a new process that opens the store, so none is ready at once
        # (forks of the template, in memory, can be ready before the last old worker is seen to end)
        executor = Executor(tiny_build / "store", Limits(), PoolSettings(workers=2, store="disk"))
        await executor.start()
        try:
            before = executor.alive
            old = list(executor.workers)
            for worker in old:
                os.kill(worker.pid, signal.SIGKILL)
            started = time.monotonic()
            while not all(w.ended for w in old):
                await asyncio.sleep(0.001)
            after_deaths = executor.alive  # the replacements were spawned a moment ago: not ready
            while not executor.alive:
                await asyncio.sleep(0.005)
            return before, after_deaths, time.monotonic() - started
        finally:
            await executor.stop()

    before, after_deaths, recovered = asyncio.run(scenario())
    assert (before, after_deaths) == (True, False)
    assert recovered < 3.0, recovered


# ---------------------------------------------------------------- budgets


def test_memory_bomb_is_503_and_the_worker_memory_returns(server: str) -> None:
    wait_settled(server)
    baseline = max(rss_bytes(p) for p in worker_pids(server))
    with client("127.0.0.2", timeout=30) as http:
        answer = http.post(f"{server}/sparql", data={"query": memory_bomb()})
    assert answer.status_code == 503
    assert "memory budget of 200 MiB" in answer.text
    wait_settled(server)
    after = max(rss_bytes(p) for p in worker_pids(server))
    assert after < baseline + 20 * MIB, (baseline // MIB, after // MIB)
    with client("127.0.0.3") as http:
        assert ask(http, server, 1).json()["boolean"] is True


@pytest.mark.parametrize("method", ["GET", "POST"])  # a GET of /sparql takes the fast path
def test_abandoned_runaways_do_not_delay_another_client(server: str, method: str) -> None:
    def runaway() -> str:
        try:
            with client("127.0.0.2", timeout=1.0) as http:
                if method == "GET":
                    http.get(f"{server}/sparql", params={"query": HEAVY})
                else:
                    http.post(f"{server}/sparql", data={"query": HEAVY})
        except httpx.TimeoutException:
            return "abandoned"
        return "answered"

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        runaways = [pool.submit(runaway) for _ in range(8)]
        time.sleep(0.3)
        with client("127.0.0.3") as http:
            started = time.perf_counter()
            during = ask(http, server, 2)
            during_s = time.perf_counter() - started
        assert [f.result() for f in runaways] == ["abandoned"] * 8
    with client("127.0.0.3") as http:
        started = time.perf_counter()
        after = ask(http, server, 3)
        after_s = time.perf_counter() - started
    assert during.status_code == 200 and during_s < 1.0, during_s
    assert after.status_code == 200 and after_s < 1.0, after_s
    # the abandoned queries were stopped, not left running to their time limit
    deadline = time.monotonic() + 1.5
    while health(server)["busy_workers"]:
        assert time.monotonic() < deadline, health(server)
        time.sleep(0.05)


def test_new_clients_long_queries_do_not_hold_back_a_light_query(server: str, caplog: pytest.LogCaptureFixture) -> None:
    """Two new clients' first queries are light until timed, and take both workers: once they
    have run past HEAVY_QUERY_SECONDS, the spare answers a third client's query as an extra
    worker, and afterwards the pool is back to two workers and a spare."""
    wait_settled(server)
    caplog.set_level(logging.INFO, logger="drugkg.serve")
    restarts = health(server)["restarts"]

    def long_query(address: str) -> int:
        with client(address, timeout=10) as http:
            return http.post(f"{server}/sparql", data={"query": HEAVY}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        longs = [pool.submit(long_query, address) for address in ("127.0.0.5", "127.0.0.6")]
        deadline = time.monotonic() + 2
        while health(server)["busy_workers"] < 2:
            assert time.monotonic() < deadline, health(server)
            time.sleep(0.02)
        time.sleep(0.4)  # both past HEAVY_QUERY_SECONDS (0.25 s)
        with client("127.0.0.7") as http:
            started = time.perf_counter()
            light = ask(http, server, 7)
            light_s = time.perf_counter() - started
        assert [f.result() for f in longs] == [503, 503]  # the time limit (3 s) stopped them
    assert light.status_code == 200 and light.json()["boolean"] is True
    assert light_s < 1.0, light_s  # not the 2.6 s left of the long queries
    lent = [r.getMessage() for r in caplog.records if "as an extra worker" in r.getMessage()]
    assert len(lent) == 1, lent
    wait_settled(server)  # the extra given back: two workers and one spare again
    after = health(server)
    assert after["extra_workers"] == 0 and after["restarts"] == restarts + 2, after  # the two timed out


def test_nested_query_is_400_or_a_clean_503_never_500(server: str) -> None:
    nested = "SELECT * WHERE " + "{ " * 2220 + "?s ?p ?o " + "} " * 2220
    with client("127.0.0.2", timeout=20) as http:
        answer = http.post(f"{server}/sparql", data={"query": nested})
    if answer.status_code == 503:  # the engine's stack gave out: the worker died and was replaced
        assert "the query worker running this query stopped" in answer.text
    else:
        assert answer.status_code == 400, answer.text
    seconds, statuses = first_200_after(server, time.monotonic())
    assert seconds < 1.5 and 500 not in statuses


def test_full_queue_is_503_with_retry_after(tiny_build) -> None:
    # no extra workers: the spare would otherwise take the waiting query once the first has run 0.25 s
    with (
        running_server(tiny_build, timeout=2.0, workers=1, max_queue=1, result_cache_mb=0, extra_workers=0) as url,
        concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool,
    ):
        first = pool.submit(client("127.0.0.2").post, f"{url}/sparql", data={"query": HEAVY})
        time.sleep(0.3)
        second = pool.submit(client("127.0.0.3").post, f"{url}/sparql", data={"query": HEAVY})
        time.sleep(0.3)
        with client("127.0.0.4") as http:
            third = ask(http, url, 1)
        assert third.status_code == 503 and third.headers["retry-after"] == "1"
        assert "the server is busy (1 queries waiting)" in third.text
        assert [first.result().status_code, second.result().status_code] == [503, 503]


def test_client_past_its_query_seconds_gets_429_and_others_do_not(tiny_build) -> None:
    with running_server(tiny_build, timeout=1.0, workers=2, client_seconds=1.0, result_cache_mb=0) as url:
        with client("127.0.0.2") as greedy:
            assert greedy.post(f"{url}/sparql", data={"query": HEAVY}).status_code == 503
            refused = ask(greedy, url, 1)
        assert refused.status_code == 429
        assert "used its 1 s of query time per minute" in refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        with client("127.0.0.3") as other:
            assert ask(other, url, 2).json()["boolean"] is True


@pytest.mark.parametrize(
    ("settings", "same_64", "other_64"),
    [
        ({}, 429, 200),  # by default an IPv6 client is its /64
        ({"client_ipv6_prefix": 128}, 200, 200),  # each address its own client
        ({"trusted_proxies": ()}, 429, 429),  # nobody's X-Forwarded-For: every request is 127.0.0.1's
    ],
)
def test_ipv6_clients_share_a_budget_per_64_and_only_a_trusted_proxy_names_them(
    tiny_build, settings: dict, same_64: int, other_64: int
) -> None:
    """With one query per client at a time, a client behind the proxy on 127.0.0.1 holds a worker;
    another address of its /64 is the same client, one of another /64 is not, and a client that
    is no proxy cannot pass for the busy one by sending X-Forwarded-For itself."""
    with (
        running_server(tiny_build, timeout=2.0, workers=2, client_queue=1, result_cache_mb=0, **settings) as url,
        concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool,
        client("127.0.0.1") as proxy,
        client("127.0.0.3") as poser,
    ):
        busy = pool.submit(
            proxy.post, f"{url}/sparql", data={"query": HEAVY}, headers={"X-Forwarded-For": "2001:db8::1"}
        )
        deadline = time.monotonic() + 2
        while not health(url)["busy_workers"]:
            assert time.monotonic() < deadline, health(url)
            time.sleep(0.02)

        def status(http: httpx.Client, forwarded_for: str, n: int) -> int:
            response = http.get(f"{url}/sparql", params={"query": good(n)}, headers={"X-Forwarded-For": forwarded_for})
            if response.status_code == 429:
                assert "this client already has 1 queries waiting or running" in response.text
            else:
                assert response.json()["boolean"] is True
            return response.status_code

        assert status(proxy, "2001:db8::2", 1) == same_64
        assert status(proxy, "2001:db8:0:1::1", 2) == other_64
        assert status(poser, "2001:db8::1", 3) == 200  # counted as 127.0.0.3
        assert busy.result().status_code == 503


# ---------------------------------------------------------------- connections


def test_2000_idle_connections_do_not_stop_good_queries(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    idle = []
    try:
        for i in range(2000):
            sock = socket.socket()
            sock.bind((f"127.0.1.{i % 250 + 1}", 0))
            sock.connect(("127.0.0.1", port))
            idle.append(sock)
        time.sleep(0.2)
        with client("127.0.0.3") as http:
            started = time.perf_counter()
            answer = ask(http, server, 4)
            seconds = time.perf_counter() - started
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert seconds < 2.0, seconds
    finally:
        for sock in idle:
            sock.close()


def test_slow_headers_are_cut_off_at_the_header_timeout(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")  # never finished
        sock.settimeout(5)
        started = time.monotonic()
        assert sock.recv(100) == b""
        closed_after = time.monotonic() - started
    assert 0.8 < closed_after < 2.5, closed_after


def test_idle_keep_alive_connection_is_closed(tiny_build) -> None:
    with running_server(tiny_build, keepalive_timeout=1.0) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(5)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            started = time.monotonic()
            while sock.recv(4096):
                pass
            assert time.monotonic() - started < 2.5


# ---------------------------------------------------------------- what answers say


def test_host_header_is_never_reflected(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", headers={"Host": "evil.example:666", "Accept": "text/turtle"})
    assert answer.status_code == 200
    assert "evil.example" not in answer.text
    assert f"<{server}/sparql>" in answer.text


def test_immutable_pages_have_an_etag_and_answer_304(server: str) -> None:
    first = httpx.get(f"{server}/vocab", headers={"Accept": "text/turtle"})
    assert first.status_code == 200 and first.headers["etag"].startswith('"')
    again = httpx.get(f"{server}/vocab", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other_format = httpx.get(
        f"{server}/vocab", headers={"Accept": "application/n-triples", "If-None-Match": first.headers["etag"]}
    )
    assert other_format.status_code == 200 and other_format.headers["etag"] != first.headers["etag"]
    assert "etag" not in httpx.get(f"{server}/sparql", params={"query": good(5)}).headers


def test_access_log_one_line_per_request(tiny_build, capfd: pytest.CaptureFixture[str]) -> None:
    import json

    with running_server(tiny_build, access_log="json") as url:
        httpx.get(f"{url}/health")
        httpx.get(f"{url}/sparql", params={"query": good(6)})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [(e["method"], e["path"].split("?")[0], e["status"]) for e in lines] == [
        ("GET", "/health", 200),
        ("GET", "/sparql", 200),
    ]
    assert all(e["client"] == "127.0.0.1" and e["bytes"] > 0 and e["ms"] >= 0 for e in lines)


# ---------------------------------------------------------------- lanes and the cache


def test_heavy_lane_keeps_a_worker_for_light_clients(tiny_build) -> None:
    """Pages (and heavy clients) share at most all workers but one: a light query is never stuck."""
    import asyncio

    from drugkg.execution import Executor, Limits, PoolSettings, QueryTimeout
    from drugkg.execution.jobs import QueryJob

    async def scenario() -> tuple[list[str], float, int]:
        executor = Executor(tiny_build / "store", Limits(timeout=2.0), PoolSettings(workers=2))
        await executor.start()
        try:
            heavy = [
                asyncio.ensure_future(executor.run(QueryJob(HEAVY, "json", 10), f"10.0.0.{k}", heavy=True))
                for k in range(3)
            ]
            await asyncio.sleep(0.3)
            busy = executor.status()["busy_workers"]
            started = time.perf_counter()
            kind, _, _, body, _ = await executor.run(QueryJob(good(7), "json", 10), "10.0.0.9")
            light_s = time.perf_counter() - started
            assert kind == "boolean" and b'"boolean":true' in body
            outcomes = []
            for task in heavy:
                try:
                    await task
                    outcomes.append("answered")
                except QueryTimeout:
                    outcomes.append("timeout")
            return outcomes, light_s, busy
        finally:
            await executor.stop()

    outcomes, light_s, busy = asyncio.run(scenario())
    assert busy == 1  # three heavy jobs waiting, one running: the other worker stays free
    assert light_s < 0.5, light_s
    assert outcomes == ["timeout"] * 3


def test_a_repeated_query_is_answered_from_the_cache(tiny_build) -> None:
    with running_server(tiny_build) as url:
        first = httpx.get(f"{url}/sparql", params={"query": good(8)})
        second = httpx.get(f"{url}/sparql", params={"query": good(8)})
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and second.json()["boolean"] is True
        assert health(url)["result_cache"]["hits"] == 1


def test_workers_that_cannot_start_are_a_clear_error_not_an_empty_pool(tmp_path) -> None:
    """Regression: start() returned with no worker at all when every worker died starting."""
    import asyncio

    from drugkg.errors import DrugkgError
    from drugkg.execution import Executor, Limits, PoolSettings

    async def start() -> None:
        executor = Executor(tmp_path / "no-store", Limits(), PoolSettings(workers=2))
        try:
            await executor.start()
        finally:
            await executor.stop()

    started = time.monotonic()
    with pytest.raises(DrugkgError, match="the query workers keep ending as they start"):
        asyncio.run(start())
    assert time.monotonic() - started < 15


def test_allocator_system_runs_workers_on_the_system_malloc_with_the_same_answer(tiny_build) -> None:
    import asyncio

    from drugkg.execution import Executor, Limits, PoolSettings
    from drugkg.execution.jobs import QueryJob

    async def answer(allocator: str) -> tuple[list[str], bytes]:
        executor = Executor(
            tiny_build / "store", Limits(), PoolSettings(workers=1, spare_workers=0, allocator=allocator)
        )
        await executor.start()
        try:
            job = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json", 10)
            return [w["allocator"] for w in executor.status()["workers"]], (await executor.run(job, "c")).body
        finally:
            await executor.stop()

    system, jemalloc = asyncio.run(answer("system")), asyncio.run(answer("jemalloc"))
    assert system[0] == ["system"] and jemalloc[0] == ["jemalloc"]
    assert system[1] == jemalloc[1] and b'"n"' in system[1]


def test_workers_holding_the_store_in_memory_answer_as_on_disk(tmp_path: Path) -> None:
    import asyncio
    import json

    import pyoxigraph as ox

    from drugkg.execution import Executor, Limits, PoolSettings
    from drugkg.execution.jobs import QueryJob

    queries = {
        "count": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json"),
        "graphs": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "json"),
        "named graphs": ("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "json"),
        "blank nodes": ("SELECT ?list ?first WHERE { ?list rdf:first ?first }", "json"),
        "graph": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s a owl:Class ; ?p ?o }", "ntriples"),
    }
    prologue = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "

    ex = "http://example.org/"
    disk_store = ox.Store(str(tmp_path / "store"))
    head, tail = ox.BlankNode("c14n0"), ox.BlankNode("c14n1")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    disk_store.extend(
        [
            ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "list"), head, ox.NamedNode(ex + "g1")),
            ox.Quad(head, ox.NamedNode(rdf + "first"), ox.Literal("one", language="en"), ox.NamedNode(ex + "g1")),
            ox.Quad(head, ox.NamedNode(rdf + "rest"), tail, ox.NamedNode(ex + "g1")),
            ox.Quad(tail, ox.NamedNode(rdf + "first"), ox.Literal("2", datatype=ox.NamedNode(ex + "n"))),
            ox.Quad(tail, ox.NamedNode(rdf + "rest"), ox.NamedNode(rdf + "nil")),
            ox.Quad(
                ox.NamedNode(ex + "C"), ox.NamedNode(rdf + "type"), ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
            ),
        ]
    )
    disk_store.add_graph(ox.NamedNode(ex + "empty"))
    disk_store.flush()
    del disk_store

    async def answers(store: str) -> tuple[list[str], dict[str, bytes]]:
        executor = Executor(tmp_path / "store", Limits(), PoolSettings(workers=1, spare_workers=0, store=store))
        await executor.start()
        try:
            got = {
                name: (await executor.run(QueryJob(prologue + text, fmt, 100_000), "c")).body
                for name, (text, fmt) in queries.items()
            }
            return [w["store"] for w in executor.status()["workers"]], got
        finally:
            await executor.stop()

    def rows(body: bytes, fmt: str) -> list[str]:
        if fmt == "ntriples":
            return sorted(map(str, ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
        return sorted(json.dumps(row, sort_keys=True) for row in json.loads(body)["results"]["bindings"])

    (memory_held, memory), (disk_held, disk) = asyncio.run(answers("memory")), asyncio.run(answers("disk"))
    assert memory_held == ["memory"] and disk_held == ["disk"]
    for name, (_, fmt) in queries.items():
        assert rows(memory[name], fmt) == rows(disk[name], fmt), name
    assert len(rows(memory["blank nodes"], "json")) == 2
    assert '"value":"http://example.org/empty"' in memory["named graphs"].decode()
    assert '"type":"bnode","value":"c14n' in memory["blank nodes"].decode(), "the copy keeps the build's labels"


def test_serve_refuses_an_allocator_that_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from drugkg.execution import allocator

    monkeypatch.setattr(allocator.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(LookupError, match=r"jemalloc is not installed \(Debian: apt-get install libjemalloc2\)"):
        allocator.preload_for("jemalloc")
    assert allocator.preload_for("auto") is None and allocator.preload_for("system") is None
