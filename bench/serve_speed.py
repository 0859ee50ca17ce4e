"""drugkg serve against bare Oxigraph's server, interleaved in one run, on distinct queries.

    python -m bench.serve_speed                     # 100k triples, 3 s a point (about 2 minutes)
    python -m bench.serve_speed --seconds 8         # longer points

The workload: the catalogue queries that take at most 50 ms on the embedded store, each bound to
the parameters of every synthetic drug (so nearly every request is a query not seen before),
shuffled with a fixed seed; the same list for every server. Each client connects from its own
loopback address (127.0.0.2, 127.0.0.3, ...), as separate users would. The servers run at once
and take turns: each point is cut into slices, taken in the order ABC CBA ABC ..., so that the
machine's drift in speed (up to a quarter from run to run here) falls on every server alike.
Oxigraph runs as `oxigraph serve-read-only` on the build's store (RocksDB, the issue's
yardstick) and as `oxigraph serve` in memory with the build's TriG posted to it (what drugkg's
workers do with a small store: the fair comparison of the path, engine and storage alike).
drugkg runs with its defaults (every limit on, access log on, the workers holding the store in
memory up to 200,000 quads), its result cache off and then on; the repeated workload (one
drug's queries, again and again) shows what the cache does. The per-request overhead is paired
by query (bench/overhead.py): each query's latency over HTTP from one lean client minus its
time in process as the server runs it (drugkg: the workers' allocator and store; Oxigraph's
read-only server: the system's malloc, on disk), the HTTP and in-process runs taken in turn and
each query's fastest time kept. Writes
bench/results/serve-speed.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import LoadResult, percentile, run_load, wait_until_up
from bench.measure import _descendants
from bench.overhead import http_times, inprocess_times, lean_times, paired_p50, run_ms
from bench.run import (
    BIN,
    ENV,
    RESULTS,
    ROOT,
    WORK,
    _server_command,
    _stop,
    drugkg,
    drugkg_serve,
    free_port,
    prepare_data,
    say,
)

__all__ = ["main"]

MAX_EMBEDDED_MS = 50.0


def _build(label: str) -> Path:
    data = prepare_data(label)
    out = WORK / label / "build"
    if not (out / "manifest.json").is_file():
        say(f"{label}: building")
        subprocess.run(
            drugkg("build", "--data", str(data), "--out", str(out)), check=True, cwd=ROOT, env={**os.environ, **ENV}
        )
    return out


def _workload(data: Path, store_dir: Path) -> tuple[list[str], list[str], dict[str, float]]:
    """(distinct texts, repeated texts, in-process ms per text) for the queries fast enough."""
    import pyoxigraph as ox

    from bench.queries import catalogue_http_texts, parameters_of

    store = ox.Store.read_only(str(store_dir))
    drugs = sorted((data / "drugs").glob("*.yaml"))
    per_drug = [catalogue_http_texts(parameters_of(path)) for path in drugs]
    fast = {name for name, text in per_drug[0] if run_ms(store, text) <= MAX_EMBEDDED_MS}
    texts = sorted({text for queries in per_drug for name, text in queries if name in fast})
    random.Random(1).shuffle(texts)
    repeated = [text for name, text in per_drug[0] if name in fast]
    inproc = {text: run_ms(store, text) for text in texts[-400:]}  # texts no other point starts with
    return texts, repeated, inproc


def _start(kind: str, build: Path, extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    if kind == "oxigraph":
        cmd, url = _server_command("oxigraph", build, port)
    elif kind == "oxigraph-memory":
        cmd = [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        url = f"http://127.0.0.1:{port}/query"
    else:
        cmd, url = drugkg_serve(build, port, 0 if kind == "drugkg" else 64, extra)
    log = open(WORK / f"speed-{'-'.join([kind, *(e.strip('-') for e in extra)])}.log", "wb")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **ENV}
    )
    if wait_until_up(url, timeout=300, is_alive=lambda: proc.poll() is None) is None:
        _stop(proc)
        raise SystemExit(f"{kind} did not start (see {log.name})")
    if kind == "oxigraph-memory":
        _load_over_http(url.removesuffix("/query") + "/store", build / "drugkg.trig")
    return proc, url


def _load_over_http(store_url: str, dump: Path) -> None:
    """Oxigraph's in-memory server has no store until one is posted to it (the build's TriG)."""
    import httpx

    response = httpx.post(
        store_url,
        content=dump.read_bytes(),
        headers={"Content-Type": "application/trig"},
        timeout=600,
        trust_env=False,
    )
    response.raise_for_status()


def _held_by_workers(url: str) -> str:
    """Where drugkg's workers hold the store ("memory" or "disk"), as its /health says."""
    import httpx

    workers = httpx.get(url.removesuffix("/sparql") + "/health", timeout=30, trust_env=False).json()["workers"]
    return str(workers[0].get("store", "disk"))


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its living descendants."""
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _page_paths(data: Path) -> list[str]:
    from bench.queries import parameters_of
    from drugkg.namespaces import BASE

    return ["/" + parameters_of(p)["drug"][len(BASE) :] for p in sorted((data / "drugs").glob("*.yaml"))]


def _under_page_load(url: str, texts: list[str], seconds: float, paths: list[str]) -> dict[str, Any]:
    """SPARQL from one client while four others (own addresses) read /vocab and resource pages."""
    import threading

    import httpx

    base = url.rsplit("/", 1)[0]
    stop = threading.Event()
    pages = [0]

    def reader(k: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{40 + k}")
        with httpx.Client(transport=transport, timeout=30, trust_env=False) as client:
            while not stop.is_set():
                path = "/vocab" if k % 2 == 0 else paths[pages[0] % len(paths)]
                client.get(base + path, headers={"Accept": "text/html"})
                pages[0] += 1

    threads = [threading.Thread(target=reader, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    try:
        result = asdict(run_load(url, texts[3000:] + texts[:3000], 1, duration=seconds))
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    result["pages_read"] = pages[0]
    return result


_PAIRED = 300  # queries in the per-request overhead measure


_ROUNDS = 2  # rounds of the overhead measure; each query's fastest time over them is kept


def _overhead(
    servers: dict[str, tuple[subprocess.Popen[bytes], str]],
    store: Path,
    texts: list[str],
    preload: str | None,
    held: str,
) -> dict[str, Any]:
    """Paired per-request overhead: drugkg against in process as its workers run (allocator
    `preload`, the store `held` in memory or on disk), Oxigraph's server against in process as it
    runs (the system's malloc, RocksDB). The sides take turns, _ROUNDS times, and each query's
    fastest time on each side is kept, so a slow moment of the machine falls on no side alone."""
    sides: dict[str, Any] = {
        "same": lambda: inprocess_times(store, texts, preload, WORK, held),
        "drugkg": lambda: lean_times(servers["drugkg"][1], texts),
        "oxigraph": lambda: lean_times(servers["oxigraph"][1], texts),
        "drugkg_http_client": lambda: http_times(servers["drugkg"][1], texts),
        "oxigraph_http_client": lambda: http_times(servers["oxigraph"][1], texts),
    }
    if preload is not None or held != "disk":
        sides["system"] = lambda: inprocess_times(store, texts, None, WORK, "disk")
    best: dict[str, list[float]] = {}
    for _ in range(_ROUNDS):
        for side, measure in sides.items():
            times = measure()
            best[side] = [min(pair) for pair in zip(best.get(side, times), times, strict=True)]
    system = best.get("system", best["same"])
    return {
        "queries": len(texts),
        "rounds": _ROUNDS,
        "drugkg_ms": paired_p50(best["drugkg"], best["same"]),
        "oxigraph_ms": paired_p50(best["oxigraph"], system),
        "drugkg_over_oxigraph_ms": paired_p50(best["drugkg"], best["oxigraph"]),
        "client": "lean (bench.overhead.lean_times)",
        "http_client": {
            "drugkg_ms": paired_p50(best["drugkg_http_client"], best["same"]),
            "oxigraph_ms": paired_p50(best["oxigraph_http_client"], system),
        },
        "inprocess_p50_ms": _median(best["same"]),
        "inprocess_system_malloc_p50_ms": _median(system),
        "inprocess_store": held,
    }


KINDS = ("oxigraph", "oxigraph-memory", "drugkg", "drugkg-cache")
SLICES = 6  # a point's time per server, cut in slices taken in turn (ABC CBA ...): the machine's drift falls on all


@dataclass
class _Slices:
    """One server's slices of a point, added up."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    first_error: str = ""
    latencies: list[float] = field(default_factory=list)

    def point(self, clients: int) -> dict[str, Any]:
        """The point as `run_load` gives one, with the server's CPU a request."""
        ordered = sorted(self.latencies)
        result = LoadResult(
            clients,
            self.requests,
            self.errors,
            self.seconds,
            self.requests / self.seconds if self.seconds else 0.0,
            percentile(ordered, 0.5) * 1000,
            percentile(ordered, 0.99) * 1000,
            self.first_error,
        )
        return {**asdict(result), "server_cpu_ms_per_request": self.cpu * 1000 / max(1, self.requests)}


def _interleaved(
    servers: dict[str, tuple[subprocess.Popen[bytes], str]], texts: list[str], offset: int, clients: int, seconds: float
) -> dict[str, dict[str, Any]]:
    """One point for every server: `seconds` each, in SLICES slices taken in turn, each slice of
    every server starting at the same query. Rates, percentiles and server CPU over all its slices."""
    sums = {kind: _Slices() for kind in servers}
    kinds = list(servers)
    for i in range(SLICES):
        start = (offset + i * 600) % len(texts)
        for kind in kinds if i % 2 == 0 else kinds[::-1]:
            proc, url = servers[kind]
            total = sums[kind]
            cpu = tree_cpu_s(proc.pid)
            got = run_load(
                url, texts[start:] + texts[:start], clients, duration=seconds / SLICES, latencies=total.latencies
            )
            total.cpu += tree_cpu_s(proc.pid) - cpu
            total.requests += got.requests
            total.errors += got.errors
            total.seconds += got.seconds
            total.first_error = total.first_error or got.first_error
    return {kind: total.point(clients) for kind, total in sums.items()}


def _default_workers() -> int:
    from drugkg.server.config import ServerConfig

    return ServerConfig.workers


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=("10k", "100k"))
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each point (default 3)")
    parser.add_argument("--workers", type=int, help="drugkg serve --workers (default: its own default)")
    args = parser.parse_args(argv)
    build = _build(args.size)
    texts, repeated, inproc = _workload(prepare_data(args.size), build / "store")
    say(f"{args.size}: {len(texts)} distinct queries; in-process p50 {_median(list(inproc.values())):.2f} ms")
    out: dict[str, Any] = {
        "size": args.size,
        "drugkg_workers": args.workers or _default_workers(),
        "distinct_queries": len(texts),
        "seconds_per_point": args.seconds,
        "inprocess_p50_ms": _median(list(inproc.values())),
        "inprocess_cpu_ms_per_query": sum(inproc.values()) / len(inproc),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
    }
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for kind in KINDS:
            servers[kind] = _start(kind, build, ("--workers", str(args.workers)) if args.workers else ())
            run_load(servers[kind][1], texts[:200], 1, duration=10, max_requests=200)  # warm-up
        for kind in KINDS:
            out[kind] = {}
        for clients in (1, 4, 16):
            say(f"{clients} client(s): {SLICES} slices a server, interleaved")
            offset = {1: 300, 4: 1300, 16: 2300}[clients]  # fresh queries for each point
            for kind, point in _interleaved(servers, texts, offset, clients, args.seconds).items():
                out[kind][f"c{clients}"] = point
        for kind, (_, url) in servers.items():
            entry = out[kind]
            if kind.startswith("drugkg"):
                entry["sparql_while_4_clients_read_pages"] = _under_page_load(
                    url, texts, args.seconds, _page_paths(prepare_data(args.size))
                )
            entry["repeated_c4"] = asdict(run_load(url, repeated, 4, duration=args.seconds))
        from drugkg.execution.allocator import preload_for

        preload = preload_for("auto")
        out["worker_allocator"] = "jemalloc" if preload else "system"
        out["worker_store"] = _held_by_workers(servers["drugkg"][1])
        out["overhead"] = _overhead(servers, build / "store", list(inproc)[:_PAIRED], preload, out["worker_store"])
    finally:
        for proc, _ in servers.values():
            _stop(proc)
    _report(out)
    write_section(out, ROOT / "BENCHMARKS.md")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "serve-speed.json").write_text(json.dumps(out, indent=2))
    return 0


BEGIN, END = "<!-- serve-speed: written by python -m bench.serve_speed -->", "<!-- /serve-speed -->"


def _section(out: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (kept by bench/report.py when it rewrites the file)."""
    ox_ = out["oxigraph"]
    lines = [
        BEGIN,
        "## drugkg serve against bare Oxigraph, distinct queries (`python -m bench.serve_speed`)",
        "",
        (
            f"{out['size']} ({out['distinct_queries']} distinct queries: the catalogue queries under "
            f"{MAX_EMBEDDED_MS:g} ms, bound to every synthetic drug; {out['seconds_per_point']:g} s a point; each "
            f"client from its own loopback address; the servers interleaved, {SLICES} slices a point each; "
            f"drugkg with {out.get('drugkg_workers', 2)} workers on "
            f"{out.get('worker_allocator', 'system')} malloc, reading the store "
            f"{'in memory (forks of one copy)' if out.get('worker_store') == 'memory' else 'on disk'}; {out['date']}, "
            f"load average at start {out['load']}). drugkg "
            "with every limit on and its access log on. Server CPU: the server's process tree, per request."
        ),
        "",
        "| server | req/s at 1 / 4 / 16 clients | ratio to oxigraph | p50 ms at 1 client "
        "| server CPU ms/request at 1 / 4 / 16 | repeated queries, 4 clients |",
        "|---|---|---|---|---|---|",
    ]
    for kind, name in (
        ("oxigraph", "oxigraph serve-read-only"),
        ("oxigraph-memory", "oxigraph serve, in memory (the build's TriG posted to it)"),
        ("drugkg", "drugkg serve, cache off"),
        ("drugkg-cache", "drugkg serve, result cache on"),
    ):
        e = out[kind]
        rates = " / ".join(f"{e[f'c{c}']['rps']:.0f}" for c in (1, 4, 16))
        ratios = " / ".join(f"{e[f'c{c}']['rps'] / ox_[f'c{c}']['rps']:.2f}x" for c in (1, 4, 16))
        cpu = " / ".join(f"{e[f'c{c}']['server_cpu_ms_per_request']:.2f}" for c in (1, 4, 16))
        lines.append(
            f"| {name} | {rates} | {ratios} | {e['c1']['p50_ms']:.1f} | {cpu} | "
            f"{e['repeated_c4']['rps']:.0f} ({e['repeated_c4']['rps'] / ox_['repeated_c4']['rps']:.2f}x) |"
        )
    over = out["overhead"]
    memory = out["oxigraph-memory"]
    lines += [
        "",
        "drugkg, cache off, over Oxigraph's in-memory server: "
        + " / ".join(f"{out['drugkg'][f'c{c}']['rps'] / memory[f'c{c}']['rps']:.2f}x" for c in (1, 4, 16))
        + " at 1 / 4 / 16 clients.",
        "",
        (
            f"Per-request overhead over in-process execution, paired by query ({over['queries']} queries, one "
            f"lean keep-alive client (requests made beforehand, answers read with httptools), second pass, "
            f"each query's fastest of {over.get('rounds', 1)} rounds taken "
            f"in turn with the in-process runs; in process as the workers run: "
            f"{out['worker_allocator']} malloc, the store "
            f"{'in memory' if over.get('inprocess_store') == 'memory' else 'on disk'}): "
            f"drugkg p50 {over['drugkg_ms']:.2f} ms; Oxigraph's server "
            f"{over['oxigraph_ms']:.2f} ms (against in process as it runs: the system's malloc, on disk); drugkg over "
            f"Oxigraph's server, query by query, {over.get('drugkg_over_oxigraph_ms', float('nan')):.2f} ms. "
            f"In-process p50 {over['inprocess_p50_ms']:.2f} ms ({over['inprocess_system_malloc_p50_ms']:.2f} ms "
            "with the system's malloc, on disk)."
            + (
                f" From the standard library's http.client instead, whose own parsing is counted: drugkg "
                f"{over['http_client']['drugkg_ms']:.2f} ms, Oxigraph's server {over['http_client']['oxigraph_ms']:.2f} ms."
                if "http_client" in over
                else ""
            )
        ),
    ]
    for kind in ("drugkg", "drugkg-cache"):
        paged = out[kind]["sparql_while_4_clients_read_pages"]
        lines.append(
            f"SPARQL from 1 client while 4 others read pages ({kind}): {paged['rps']:.0f} req/s, "
            f"p50 {paged['p50_ms']:.1f} ms ({paged['pages_read']} pages read; alone "
            f"{out[kind]['c1']['rps']:.0f} req/s)."
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(out: dict[str, Any], dest: Path) -> None:
    text = dest.read_text(encoding="utf-8") if dest.is_file() else ""
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + text[text.index(END) + len(END) :].lstrip("\n")
    dest.write_text(text.rstrip("\n") + "\n\n" + _section(out), encoding="utf-8")


def _report(out: dict[str, Any]) -> None:
    ox_ = out["oxigraph"]
    print(f"{out['size']}, {out['distinct_queries']} distinct queries, {out['seconds_per_point']:g} s a point")
    print("| server | 1 client req/s | 4 | 16 | ratio to oxigraph 1 / 4 / 16 | repeated, 4 clients |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        e = out[kind]
        rates = [e[f"c{c}"]["rps"] for c in (1, 4, 16)]
        ratios = " / ".join(f"{e[f'c{c}']['rps'] / ox_[f'c{c}']['rps']:.2f}" for c in (1, 4, 16))
        errors = sum(e[f"c{c}"]["errors"] for c in (1, 4, 16))
        print(
            f"| {kind} | {rates[0]:.0f} | {rates[1]:.0f} | {rates[2]:.0f} | {ratios} | "
            f"{e['repeated_c4']['rps']:.0f} ({e['repeated_c4']['rps'] / ox_['repeated_c4']['rps']:.2f}x) |"
            + (f" errors {errors}" if errors else "")
        )
    for kind in ("drugkg", "drugkg-cache"):
        paged = out[kind]["sparql_while_4_clients_read_pages"]
        print(
            f"{kind} SPARQL, 1 client, while 4 clients read pages: {paged['rps']:.0f} req/s, "
            f"p50 {paged['p50_ms']:.1f} ms ({paged['pages_read']} pages read; alone: "
            f"{out[kind]['c1']['rps']:.0f} req/s, p50 {out[kind]['c1']['p50_ms']:.1f} ms)"
        )
    over = out["overhead"]
    print(
        f"per-request overhead, paired p50: drugkg {over['drugkg_ms']:.2f} ms "
        f"(workers on {out['worker_allocator']}), oxigraph's server {over['oxigraph_ms']:.2f} ms; "
        f"drugkg over oxigraph's server {over['drugkg_over_oxigraph_ms']:.2f} ms; "
        f"in process: {over['inprocess_p50_ms']:.2f} ms ({out['worker_store']}), "
        f"{over['inprocess_system_malloc_p50_ms']:.2f} ms (system malloc, disk); from http.client: drugkg "
        f"{over['http_client']['drugkg_ms']:.2f} ms, oxigraph's server {over['http_client']['oxigraph_ms']:.2f} ms"
    )
    print(f"server CPU per request, ms (in process: {out['inprocess_cpu_ms_per_query']:.2f} a query)")
    for kind in KINDS:
        print(
            f"  {kind}: "
            + " / ".join(f"{out[kind][f'c{c}']['server_cpu_ms_per_request']:.2f}" for c in (1, 4, 16))
            + " at 1 / 4 / 16 clients"
        )


if __name__ == "__main__":
    raise SystemExit(main())
