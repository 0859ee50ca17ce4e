"""Load and abuse `drugkg serve` on loopback, bounded in count and time; print and write the figures.

    python -m bench.abuse [--data BUILD] [--good N] [--seconds S] [--out test-artifacts/abuse.json]

Starts `drugkg serve --timeout 1 --header-timeout 3 --memory-mb 256 --result-cache-mb 0 --workers 2` on a free
127.0.0.1 port (no result cache: every good query reaches a worker), then:

1. baseline: two clients run the catalogue queries (queries/*.rq) N times in all;
2. abuse: the same two clients run the same N catalogue queries while eight others, each from
   its own loopback address, send malformed queries, oversized queries, SPARQL updates, SERVICE
   queries, queries that run past the time limit, runaways they abandon after 0.5 s, memory
   bombs, 2,220-deep nesting and half-sent requests (slowloris), while 500 idle connections are
   held open and a worker (idle and busy in turn) is killed -9 every 2 s, until the good clients
   are done (or S seconds);
3. the end: every catalogue query is asked again and must give the baseline's answer.

Reported: requests by kind and status, p50/p99 latency of the catalogue queries with and without the
abuse, the server's RSS (the process and its worker processes, from /proc) at start, peak and end.
Nothing leaves the machine: every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER_TIMEOUT_S = 1  # the --timeout the server is started with
HEADER_TIMEOUT_S = 3  # its --header-timeout (slowloris is cut off after this); no result cache

# what each kind of abuse must get (anything else, and every 500, is a failure)
EXPECTED: dict[str, set[int]] = {
    "good": {200},
    "malformed": {400},
    "oversized": {413},
    "update-post": {403},
    "update-in-query": {403},
    "service": {400, 403},
    "slow": {503},
    "runaway-abandoned": {-1},  # the client hangs up after 0.5 s; the server stops the query
    "memory-bomb": {503},
    "nested": {400, 503},  # 400 once the nesting depth is checked before evaluation; 503 if the worker dies of it
    "slowloris": {0},  # 0: the server closed the half-sent request at its header timeout
    "killed": {200},  # a good query whose worker was killed -9 under it: 503, then 200 on the retry
    "abuse-killed": {503},  # another request whose worker the killer chose: "... stopped (killed by SIGKILL)"
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o }"
MEMORY_BOMB = (
    'SELECT (STRLEN(?s34) AS ?n) WHERE { BIND("0123456789abcdef" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(34))
    + " }"
)
NESTED = "SELECT * WHERE " + "{ " * 2220 + "?s ?p ?o " + "} " * 2220
IDLE_CONNECTIONS = 500
KILL_EVERY_S = 2.0

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MALFORMED = [
    "SELECT * WHERE {",
    "SELEKT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s <bad iri> ?o }",
    "\x00\x01",
    "PREFIX : <x> SELECT * WHERE { ?s :p ?o } GROUP BY",
    "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def catalogue() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


class MemorySampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss_kib(self.pid))
            time.sleep(0.1)

    def stop(self) -> int:
        self._halt.set()
        self.join(timeout=2)
        return self.peak


@dataclass
class Tally:
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses.setdefault(kind, Counter())[status] += 1
            if kind in ("good", "killed") and status == 200:
                self.latencies.append(seconds)
            if status not in EXPECTED[kind] and len(self.unexpected) < 20:
                self.unexpected.append(f"{kind}: {status} {detail[:160]}")


def _request(client: httpx.Client, base: str, kind: str, i: int, queries: list[str]) -> httpx.Response:
    url = base + "/sparql"
    if kind == "good":
        return client.post(
            url, data={"query": queries[i % len(queries)]}, headers={"Accept": "application/sparql-results+json"}
        )
    if kind == "malformed":
        return client.get(url, params={"query": MALFORMED[i % len(MALFORMED)]})
    if kind == "oversized":
        pad = "# " + "x" * 60_000 + "\n"
        return client.post(
            url,
            content=(pad + "SELECT * WHERE { ?s ?p ?o } LIMIT 1").encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    if kind == "update-post":
        return client.post(
            url, content=b"DELETE WHERE { ?s ?p ?o }", headers={"Content-Type": "application/sparql-update"}
        )
    if kind == "update-in-query":
        return client.post(url, data={"query": "DROP ALL" if i % 2 else "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    if kind == "service":
        return client.get(url, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    if kind == "slow":
        return client.get(url, params={"query": SLOW_QUERY})
    if kind == "runaway-abandoned":
        return client.post(url, data={"query": RUNAWAY}, timeout=0.5)
    if kind == "memory-bomb":
        return client.post(url, data={"query": MEMORY_BOMB})
    if kind == "nested":
        return client.post(url, data={"query": NESTED})
    raise ValueError(kind)


def _slowloris(base: str) -> int:
    """Send half a request and wait: 0 when the server closes it, 1 if it is still open at 15 s."""
    host, port = base.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        try:
            return 0 if sock.recv(100) == b"" else 1
        except TimeoutError:
            return 1


def _client_loop(
    base: str,
    kinds: list[str],
    count: int | None,
    stop: threading.Event,
    tally: Tally,
    queries: list[str],
    offset: int,
    address: str = "127.0.0.1",
) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(timeout=30, transport=transport) as client:
        i = offset
        while (count is None or i - offset < count) and not stop.is_set():
            kind = kinds[i % len(kinds)]
            started = time.perf_counter()
            if kind == "slowloris":
                tally.add(kind, _slowloris(base), time.perf_counter() - started)
                i += 1
                continue
            try:
                r = _request(client, base, kind, i, queries)
                if r.status_code == 503 and "killed by SIGKILL" in r.text:
                    if kind == "good":
                        r = _request(client, base, kind, i, queries)  # what Retry-After asks for, at once
                    kind = "killed" if kind == "good" else "abuse-killed"
                tally.add(kind, r.status_code, time.perf_counter() - started, r.text)
            except httpx.HTTPError as err:
                tally.add(kind, -1, time.perf_counter() - started, f"{type(err).__name__}: {err}")
            i += 1


def _killer(base: str, stop: threading.Event, killed: list[int]) -> None:
    """Every KILL_EVERY_S, kill -9 one answering worker of the server (its pid from /health):
    an idle one and a busy one in turn (when there is one in that state)."""
    while not stop.wait(KILL_EVERY_S):
        try:
            workers = httpx.get(base + "/health", timeout=5).json()["workers"]
        except (httpx.HTTPError, ValueError, KeyError):
            continue
        wanted = "idle" if len(killed) % 2 == 0 else "busy"
        pids = [w["pid"] for w in workers if w["state"] == wanted] or [
            w["pid"] for w in workers if w["state"] in ("idle", "busy")
        ]
        if pids:
            pid = pids[0]
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass


def _idle_connections(base: str, count: int) -> list[socket.socket]:
    host, port = base.rsplit("/", 1)[1].split(":")
    opened = []
    for k in range(count):
        sock = socket.socket()
        sock.bind((f"127.0.2.{k % 250 + 1}", 0))
        sock.connect((host, int(port)))
        opened.append(sock)
    return opened


def _client_process(
    base: str,
    kinds: list[str],
    count: int | None,
    stop: Any,
    ready: Any,
    queries: list[str],
    offset: int,
    address: str,
    results: Any,
) -> None:
    """One client in a process of its own (so no client waits for another's interpreter lock):
    ready at the barrier, then its loop; its tally goes back on `results`."""
    tally = Tally()
    ready.wait()
    try:
        _client_loop(base, kinds, count, stop, tally, queries, offset, address)
    finally:
        results.put((kinds == ["good"], dict(tally.statuses), tally.latencies, tally.unexpected))


ABUSE_MIXES = [
    ["malformed", "oversized", "update-post", "update-in-query", "service"],
    ["slow"],
    ["service", "malformed", "slow", "update-in-query", "oversized"],
    ["runaway-abandoned"],
    ["memory-bomb"],
    ["nested"],
    ["slowloris"],
    ["slowloris"],
]


def _phase(base: str, good: int, abuse: bool, seconds: float, queries: list[str]) -> Tally:
    """Two good clients (127.0.0.2, .3) and, with `abuse`, eight abusive ones (127.0.1.10, ...),
    each a process of its own, all starting together; the killer and the idle connections here."""
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    clients: list[tuple[list[str], int | None, int, str]] = [
        (["good"], good // 2, k * 7, f"127.0.0.{2 + k}") for k in range(2)
    ]
    if abuse:
        clients += [(mix, None, k, f"127.0.1.{10 + k}") for k, mix in enumerate(ABUSE_MIXES)]
    ready = context.Barrier(len(clients) + 1)
    processes = [
        context.Process(
            target=_client_process,
            args=(base, kinds, count, stop, ready, queries, offset, address, results),
            daemon=True,
        )
        for kinds, count, offset, address in clients
    ]
    for process in processes:
        process.start()
    tally = Tally()
    idle = _idle_connections(base, IDLE_CONNECTIONS) if abuse else []
    killer = threading.Thread(target=_killer, args=(base, stop, tally.killed)) if abuse else None
    ready.wait(timeout=120)
    if killer:
        killer.start()
    deadline = time.monotonic() + seconds
    reports: list[tuple[bool, dict[str, Counter[int]], list[float], list[str]]] = []
    while sum(report[0] for report in reports) < 2 and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            reports.append(results.get(timeout=max(0.01, deadline - time.monotonic())))
    stop.set()
    while len(reports) < len(processes):
        reports.append(results.get(timeout=60))
    for _, statuses, latencies, unexpected in reports:
        for kind, counts in statuses.items():
            tally.statuses.setdefault(kind, Counter()).update(counts)
        tally.latencies.extend(latencies)
        tally.unexpected.extend(unexpected[: max(0, 20 - len(tally.unexpected))])
    for process in processes:
        process.join(timeout=35)
    if killer:
        killer.join(timeout=10)
    for sock in idle:
        sock.close()
    return tally


def _answers(base: str, queries: dict[str, str]) -> dict[str, Any]:
    out = {}
    with httpx.Client(timeout=30) as client:
        for name, text in queries.items():
            r = client.post(
                base + "/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}
            )
            if r.status_code != 200:
                out[name] = f"status {r.status_code}"
                continue
            body = r.json()
            rows = body.get("results", {}).get("bindings", body.get("boolean"))
            out[name] = sorted(json.dumps(row, sort_keys=True) for row in rows) if isinstance(rows, list) else rows
    return out


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def start_server(build_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """`drugkg serve --timeout 1` on 127.0.0.1:port; returns the process and how it was started."""
    cmd = [
        sys.executable,
        "-m",
        "drugkg.cli",
        "serve",
        "--data",
        str(build_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--timeout",
        str(SERVER_TIMEOUT_S),
        "--result-cache-mb",
        "0",
        "--header-timeout",
        str(HEADER_TIMEOUT_S),
        "--memory-mb",
        "256",
        "--access-log",
        "off",
        "--workers",
        "2",
    ]
    # The server's log goes to a file: a pipe nobody reads fills up and then blocks the server.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"drugkg serve exited with {proc.returncode}: {log.read().decode()[-1500:]}")
        try:
            if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return proc, " ".join(cmd[2:])
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("drugkg serve did not answer within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def run(
    build_dir: Path | None = None, good: int = 300, seconds: float = 25.0, out: Path | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if build_dir is None:
            from drugkg.build import build

            build_dir = build(Path(tmp) / "build")
        port = free_port()
        proc, how = start_server(build_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            queries = catalogue()
            baseline_answers = _answers(base, queries)
            good_queries = [queries[n] for n, a in baseline_answers.items() if not isinstance(a, str)]
            _phase(base, 20, False, 10, good_queries)  # warm-up
            rss_start = tree_rss_kib(proc.pid)
            sampler = MemorySampler(proc.pid)
            sampler.start()
            started = time.monotonic()
            calm = _phase(base, good, False, seconds, good_queries)
            calm_seconds = time.monotonic() - started
            started = time.monotonic()
            storm = _phase(base, good, True, seconds, good_queries)
            storm_seconds = time.monotonic() - started
            time.sleep(2)
            end_answers = _answers(base, queries)
            rss_peak = max(sampler.stop(), tree_rss_kib(proc.pid))
            time.sleep(3)
            rss_end = tree_rss_kib(proc.pid)
            alive = proc.poll() is None
        finally:
            stop_server(proc)
    calm_p99, storm_p99 = _pct(calm.latencies, 0.99), _pct(storm.latencies, 0.99)
    served = sum(sum(c.values()) for t in (calm, storm) for c in t.statuses.values())
    figures: dict[str, Any] = {
        "server": how,
        "catalogue queries": len(queries),
        "catalogue queries answering 200": len(good_queries),
        "requests served": served,
        "baseline": {
            "seconds": round(calm_seconds, 1),
            "good requests": sum(calm.statuses.get("good", Counter()).values()),
            "p50 ms": _pct(calm.latencies, 0.5),
            "p99 ms": _pct(calm.latencies, 0.99),
        },
        "under abuse": {
            "seconds": round(storm_seconds, 1),
            "good requests": sum(storm.statuses.get("good", Counter()).values())
            + sum(storm.statuses.get("killed", Counter()).values()),
            "p50 ms": _pct(storm.latencies, 0.5),
            "p99 ms": _pct(storm.latencies, 0.99),
            "by kind and status": {
                k: {str(s): n for s, n in sorted(c.items())} for k, c in sorted(storm.statuses.items())
            },
        },
        "workers killed -9": len(storm.killed),
        "idle connections held": IDLE_CONNECTIONS,
        "p99 under abuse / calm": round(storm_p99 / calm_p99, 2) if storm_p99 and calm_p99 else None,
        "unexpected answers": calm.unexpected + storm.unexpected,
        "status 500 seen": any(500 in c for t in (calm, storm) for c in t.statuses.values()),
        "answers at the end equal the baseline": end_answers == baseline_answers,
        "answers that changed": sorted(n for n in queries if end_answers.get(n) != baseline_answers.get(n)),
        "server alive at the end": alive,
        "rss MiB": {
            "start": round(rss_start / 1024, 1),
            "peak": round(rss_peak / 1024, 1),
            "end": round(rss_end / 1024, 1),
        },
    }
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="an existing build folder (default: build the shipped data)")
    parser.add_argument("--good", type=int, default=300, help="catalogue requests per phase (default 300)")
    parser.add_argument("--seconds", type=float, default=25.0, help="time cap per phase (default 25)")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "abuse.json")
    args = parser.parse_args()
    figures = run(args.data, args.good, args.seconds, args.out)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
