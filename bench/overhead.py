"""Per-request overhead, paired by query: a query's latency over HTTP minus its time in process.

    python -m bench.overhead STORE TEXTS.json OUT.json [memory|disk]   # the in-process side, in its own process

Both sides see the same queries twice and time the second pass: over HTTP from one lean
keep-alive client, one request at a time (`lean_times`: each request's bytes made before the clock
starts, the answer read with httptools' C parser, so the figure is the server's path and not the
client's), and in process
(pyoxigraph: query and JSON results, what a worker does), run in a process of its own with the
allocator the workers use (`LD_PRELOAD`) and the store held where they hold it (a copy in memory,
or RocksDB: the worker's own `open_store`), so the difference is the path, not the malloc or the
storage.

`http_times` measures the same with the standard library's http.client, whose own request
building and header parsing (in Python) cost 0.15-0.3 ms a request on this machine, more than
some of the servers measured: its figures are reported beside the lean client's.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

__all__ = ["http_times", "inprocess_times", "lean_times", "paired_p50", "run_ms"]

_ACCEPT = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}


def http_times(url: str, texts: list[str]) -> list[float]:
    """Milliseconds per query over HTTP (second pass), one request at a time."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
    times: list[float] = []
    try:
        for timed in (False, True):
            for text in texts:
                started = time.perf_counter()
                connection.request("GET", parts.path + "?" + urllib.parse.urlencode({"query": text}), headers=_ACCEPT)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{url}: HTTP {response.status} for a workload query")
                if timed:
                    times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return times


class _Complete:
    """httptools' callbacks: only the end of the message matters here."""

    def __init__(self) -> None:
        self.done = False

    def on_message_complete(self) -> None:
        self.done = True


def lean_times(url: str, texts: list[str]) -> list[float]:
    """Milliseconds per query over HTTP (second pass), one request at a time on one keep-alive
    connection: the request's bytes made beforehand, the answer (Content-Length or chunked)
    read with httptools' parser."""
    import httptools

    parts = urllib.parse.urlsplit(url)
    host = f"{parts.hostname}:{parts.port}"
    head = f"Host: {host}\r\nAccept: {_ACCEPT['Accept']}\r\n\r\n".encode()
    requests = [
        f"GET {parts.path}?{urllib.parse.urlencode({'query': text})} HTTP/1.1\r\n".encode() + head for text in texts
    ]
    times: list[float] = []
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for timed in (False, True):
            for request in requests:
                complete = _Complete()
                parser = httptools.HttpResponseParser(complete)
                started = time.perf_counter()
                sock.sendall(request)
                while not complete.done:
                    data = sock.recv(1 << 20)
                    if not data:
                        raise SystemExit(f"{url}: the server closed the connection")
                    parser.feed_data(data)
                if timed:
                    times.append((time.perf_counter() - started) * 1000)
                if parser.get_status_code() != 200:
                    raise SystemExit(f"{url}: HTTP {parser.get_status_code()} for a workload query")
    return times


def inprocess_times(store: Path, texts: list[str], preload: str | None, work: Path, held: str = "disk") -> list[float]:
    """Milliseconds per query in process (second pass), in a child process with `preload` loaded
    and the store `held` in "memory" or on "disk"."""
    work.mkdir(parents=True, exist_ok=True)
    given, out = work / "overhead-texts.json", work / "overhead-times.json"
    given.write_text(json.dumps(texts), encoding="utf-8")
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
    subprocess.run(
        [sys.executable, "-m", "bench.overhead", str(store), str(given), str(out), held], check=True, env=env
    )
    return [float(t) for t in json.loads(out.read_text(encoding="utf-8"))]


def paired_p50(over_http: list[float], in_process: list[float]) -> float:
    differences = sorted(h - p for h, p in zip(over_http, in_process, strict=True))
    return differences[len(differences) // 2]


def run_ms(store: Any, text: str) -> float:
    """Milliseconds to answer `text` on `store` in process: the query and its JSON results (N-Triples for graphs)."""
    import pyoxigraph as ox

    started = time.perf_counter()
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        result.serialize(format=ox.QueryResultsFormat.JSON)
    else:
        ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES)
    return (time.perf_counter() - started) * 1000


def _time_in_process(store_dir: str, texts: list[str], held: str) -> list[float]:
    from drugkg.execution.worker import open_store

    store, _ = open_store(store_dir, held)
    for text in texts:  # a first pass, untimed, as on the HTTP side
        run_ms(store, text)
    return [run_ms(store, text) for text in texts]


if __name__ == "__main__":
    store_arg, texts_arg, out_arg = sys.argv[1:4]
    held_arg = sys.argv[4] if len(sys.argv) > 4 else "disk"
    chosen = json.loads(Path(texts_arg).read_text(encoding="utf-8"))
    Path(out_arg).write_text(json.dumps(_time_in_process(store_arg, chosen, held_arg)), encoding="utf-8")
