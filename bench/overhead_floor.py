"""What a request costs over in-process execution on this machine, from the least a server can do
to drugkg: is the issue's 0.5 ms reachable with the query in another process?

    python -m bench.overhead_floor              # 100k, 300 queries, 3 rounds (about 2 minutes)

The same 300 distinct queries (bench.serve_speed's workload), from one lean keep-alive client
(bench.overhead.lean_times; and again from the standard library's http.client, whose own cost is
in its figures), against, taking turns for `--rounds` rounds (each query's fastest time kept,
as bench.overhead):

- `bare-front`: the least a Python server can do, and no more: uvloop and httptools, the query
  string cut out, the query run in the server process itself (no worker, no limit of any kind);
- `bare-worker`: the same front, the query sent down a pipe to one worker process and the
  answer sent back up it (the hop drugkg's isolation costs, and nothing else of drugkg's);
- `bare-direct`: the same, but the worker writes the HTTP answer to the client's socket itself
  (passed to it with SCM_RIGHTS), and only a note goes back to the front: one hop fewer;
- `drugkg`: `drugkg serve` with its defaults (the result cache off);
- `drugkg no-fast`: the same with `--no-fast-path` (every request through the application);
- `oxigraph`: `oxigraph serve` in memory (the build's TriG posted to it).

Every side is compared with the query run in process with the workers' allocator and the store
in memory; the bare servers hold the store as drugkg's workers do (`open_store`, memory), with
the same allocator. Writes
bench/results/overhead-floor.json and prints a line per server.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

__all__ = ["main"]

_HEAD = struct.Struct("<I")
_RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\ncontent-length: %d\r\n\r\n"
MODES = ("bare-front", "bare-worker", "bare-direct")
_STDLIB = " (http.client)"


def _answer(store: Any, url: bytes) -> bytes:
    import pyoxigraph as ox

    text = urllib.parse.parse_qs(urllib.parse.urlsplit(url.decode("latin-1")).query)["query"][0]
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        body = bytes(result.serialize(format=ox.QueryResultsFormat.JSON))
    else:
        body = bytes(ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES))
    return _RESPONSE % len(body) + body


def _worker(store_path: str, channel: socket.socket) -> None:
    """Answer (url, direct) messages from `channel`: the response back, or written to the passed socket."""
    from drugkg.execution.worker import open_store

    store, _ = open_store(store_path, "memory")
    channel.sendall(b"R")
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 1)
        if not message:
            return
        response = _answer(store, message)
        if fds:
            os.set_blocking(fds[0], True)
            with socket.socket(fileno=fds[0]) as client:
                client.sendall(response)
            channel.send(b"done")
        else:
            channel.sendall(_HEAD.pack(len(response)) + response)


def _bare_server(mode: str, store_path: str, port: int) -> None:
    import httptools
    import uvloop

    channel = None
    store = None
    if mode == "bare-front":
        from drugkg.execution.worker import open_store

        store, _ = open_store(store_path, "memory")
    else:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if os.fork() == 0:
            ours.close()
            _worker(store_path, theirs)
            os._exit(0)
        theirs.close()
        assert ours.recv(1) == b"R"
        channel = ours

    waiting: collections.deque[Any] = collections.deque()  # protocols whose answer is due, in order

    def from_worker() -> None:
        assert channel is not None
        message = channel.recv(1 << 24)
        transport = waiting.popleft()
        if mode == "bare-worker":
            transport.write(message[_HEAD.size :])

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.parser = httptools.HttpRequestParser(self)
            self.url = b""

        def data_received(self, data: bytes) -> None:
            self.parser.feed_data(data)

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_message_complete(self) -> None:
            if store is not None:
                self.transport.write(_answer(store, self.url))
                return
            assert channel is not None
            waiting.append(self.transport)
            if mode == "bare-direct":
                socket.send_fds(channel, [self.url], [self.transport.get_extra_info("socket").fileno()])
            else:
                channel.sendall(self.url)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        if channel is not None:
            loop.add_reader(channel.fileno(), from_worker)
        server = await loop.create_server(Protocol, "127.0.0.1", port)
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    uvloop.install()
    asyncio.run(serve())


def _start_bare(mode: str, store: Path, preload: str | None) -> tuple[subprocess.Popen[bytes], str]:
    from bench.run import ENV, ROOT, free_port

    port = free_port()
    env = {**os.environ, **ENV, **({"LD_PRELOAD": preload} if preload else {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.overhead_floor", "--serve", mode, str(store), str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n", f"{mode} did not start"
    return proc, f"http://127.0.0.1:{port}/sparql"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--serve", nargs=3, metavar=("MODE", "STORE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _bare_server(args.serve[0], args.serve[1], int(args.serve[2]))
        return 0

    from bench import serve_speed
    from bench.overhead import http_times, inprocess_times, lean_times, paired_p50
    from bench.run import RESULTS, WORK, _stop, prepare_data
    from drugkg.execution.allocator import preload_for

    build = serve_speed._build("100k")
    _, _, inproc = serve_speed._workload(prepare_data("100k"), build / "store")
    texts = list(inproc)[: args.queries]
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    preload = preload_for("auto")
    try:
        for mode in MODES:
            servers[mode] = _start_bare(mode, build / "store", preload)
        servers["drugkg"] = serve_speed._start("drugkg", build)
        servers["drugkg no-fast"] = serve_speed._start("drugkg", build, ("--no-fast-path",))
        servers["oxigraph"] = serve_speed._start("oxigraph-memory", build)
        sides: dict[str, Any] = {"in process": lambda: inprocess_times(build / "store", texts, preload, WORK, "memory")}
        for name, (_, url) in servers.items():
            sides[name] = lambda url=url: lean_times(url, texts)
            sides[name + _STDLIB] = lambda url=url: http_times(url, texts)
        best: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for side, measure in sides.items():
                times = measure()
                best[side] = [min(pair) for pair in zip(best.get(side, times), times, strict=True)]
    finally:
        for proc, _ in servers.values():
            _stop(proc)
    same = best.pop("in process")
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
        "queries": len(texts),
        "rounds": args.rounds,
        "in_process_p50_ms": sorted(same)[len(same) // 2],
        "overhead_p50_ms": {n: paired_p50(t, same) for n, t in best.items() if not n.endswith(_STDLIB)},
        "overhead_p50_ms_http_client": {
            n.removesuffix(_STDLIB): paired_p50(t, same) for n, t in best.items() if n.endswith(_STDLIB)
        },
    }
    for name, ms in out["overhead_p50_ms"].items():
        print(
            f"{name:12} overhead p50 {ms:.2f} ms (from the standard library's http.client: "
            f"{out['overhead_p50_ms_http_client'][name]:.2f} ms)"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "overhead-floor.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
