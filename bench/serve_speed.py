"""drugkg serve against bare `oxigraph serve-read-only`, side by side in one run, on distinct queries.

    python -m bench.serve_speed                     # 100k triples, 3 s a point (about 2 minutes)
    python -m bench.serve_speed --seconds 8         # longer points

The workload: the catalogue queries that take at most 50 ms on the embedded store, each bound to
the parameters of every synthetic drug (so nearly every request is a query not seen before),
shuffled with a fixed seed; the same list for every server. Each client connects from its own
loopback address (127.0.0.2, 127.0.0.3, ...), as separate users would. drugkg runs with its
defaults (every limit on, access log on), its result cache off and then on; the repeated
workload (one drug's queries, again and again) shows what the cache does. The per-request
overhead is paired by query (bench/overhead.py): each query's latency over HTTP from one lean
client minus its time in process with the workers' allocator, for drugkg and for Oxigraph. Writes
bench/results/serve-speed.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.load import run_load, wait_until_up
from bench.measure import _descendants
from bench.overhead import http_times, inprocess_times, paired_p50, run_ms
from bench.run import (
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
    else:
        cmd, url = drugkg_serve(build, port, 0 if kind == "drugkg" else 64, extra)
    log = open(WORK / f"speed-{kind}.log", "wb")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **ENV}
    )
    if wait_until_up(url, timeout=300, is_alive=lambda: proc.poll() is None) is None:
        _stop(proc)
        raise SystemExit(f"{kind} did not start (see {log.name})")
    return proc, url


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


def _add_overhead(out: dict[str, Any], store: Path, texts: list[str]) -> None:
    """Paired per-request overhead: drugkg against in process with its workers' allocator,
    Oxigraph's server against in process with the system's (its own)."""
    from drugkg.execution.allocator import preload_for

    preload = preload_for("auto")
    same = inprocess_times(store, texts, preload, WORK)
    system = same if preload is None else inprocess_times(store, texts, None, WORK)
    out["worker_allocator"] = "jemalloc" if preload else "system"
    out["overhead"] = {
        "queries": len(texts),
        "drugkg_ms": paired_p50(out["drugkg"].pop("http_ms"), same),
        "oxigraph_ms": paired_p50(out["oxigraph"].pop("http_ms"), system),
        "inprocess_p50_ms": _median(same),
        "inprocess_system_malloc_p50_ms": _median(system),
    }


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
    for kind in ("oxigraph", "drugkg", "drugkg-cache"):
        proc, url = _start(kind, build, ("--workers", str(args.workers)) if args.workers else ())
        try:
            run_load(url, texts[:200], 1, duration=10, max_requests=200)  # warm-up
            entry: dict[str, Any] = {}
            for clients in (1, 4, 16):
                say(f"{kind}: {clients} client(s)")
                offset = {1: 300, 4: 1300, 16: 2300}[clients] % len(texts)  # fresh queries for each point
                cpu = tree_cpu_s(proc.pid)
                entry[f"c{clients}"] = asdict(
                    run_load(url, texts[offset:] + texts[:offset], clients, duration=args.seconds)
                )
                served = max(1, entry[f"c{clients}"]["requests"])
                entry[f"c{clients}"]["server_cpu_ms_per_request"] = (tree_cpu_s(proc.pid) - cpu) * 1000 / served
            if kind in ("oxigraph", "drugkg"):
                entry["http_ms"] = http_times(url, list(inproc)[:_PAIRED])
            if kind != "oxigraph":
                entry["sparql_while_4_clients_read_pages"] = _under_page_load(
                    url, texts, args.seconds, _page_paths(prepare_data(args.size))
                )
            entry["repeated_c4"] = asdict(run_load(url, repeated, 4, duration=args.seconds))
            out[kind] = entry
        finally:
            _stop(proc)
    _add_overhead(out, build / "store", list(inproc)[:_PAIRED])
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
            f"client from its own loopback address; drugkg with {out.get('drugkg_workers', 2)} workers on "
            f"{out.get('worker_allocator', 'system')} malloc; {out['date']}, "
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
    lines += [
        "",
        (
            f"Per-request overhead over in-process execution, paired by query ({over['queries']} queries, one "
            f"lean keep-alive client, second pass; in process with the workers' allocator, "
            f"{out['worker_allocator']}): drugkg p50 {over['drugkg_ms']:.2f} ms; Oxigraph's server "
            f"{over['oxigraph_ms']:.2f} ms (against in process with the system's malloc, its own). In-process "
            f"p50 {over['inprocess_p50_ms']:.2f} ms ({over['inprocess_system_malloc_p50_ms']:.2f} ms with the "
            "system's malloc)."
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
    for kind in ("oxigraph", "drugkg", "drugkg-cache"):
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
        f"(workers on {out['worker_allocator']}), oxigraph's server {over['oxigraph_ms']:.2f} ms"
    )
    print(f"server CPU per request, ms (in process: {out['inprocess_cpu_ms_per_query']:.2f} a query)")
    for kind in ("oxigraph", "drugkg", "drugkg-cache"):
        print(
            f"  {kind}: "
            + " / ".join(f"{out[kind][f'c{c}']['server_cpu_ms_per_request']:.2f}" for c in (1, 4, 16))
            + " at 1 / 4 / 16 clients"
        )


if __name__ == "__main__":
    raise SystemExit(main())
