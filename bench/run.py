"""drugkg's benchmark: every stage at about 10k, 100k and 1M triples, side by side with the obvious
alternative, in one run; writes BENCHMARKS.md, bench/results/results.json and a plot.

    python -m bench.run                      # 10k, 100k and 1M triples (about 30-40 minutes)
    python -m bench.run --sizes 10k,100k     # a subset
    python -m bench.run --quick              # 10k only, one run of each: a smoke test

Every server is started here on 127.0.0.1 only, with a free port, and stopped here (by process id).
Every slow alternative is bounded by a time limit and reported as "> N s" when it passes it.
Synthetic data and builds are kept in bench/work/ and reused while their inputs are unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.measure import PYTHON, ROOT, kill_tree, median, run_measured, tree_rss

__all__ = ["SIZES", "drugkg_serve", "main"]

# size label -> number of synthetic drugs (about 950 triples a drug, plus ontology and VoID)
SIZES = {"10k": 10, "100k": 100, "1m": 1000}
SEED = 1
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
ENV = {"PYTHONPATH": str(ROOT)}


class Plan:
    """How many repeats and how long each bounded stage may take, per size."""

    def __init__(self, label: str, quick: bool) -> None:
        big = label == "1m"
        mid = label == "100k"
        self.build_runs = 1 if quick else (2 if big else 3)
        self.rdflib_build_runs = 1 if quick or big else (2 if mid else 3)
        self.validate_runs = 1 if quick else (2 if big else 3)
        self.pyshacl_runs = 1 if quick or big or mid else 3
        self.pyshacl_timeout = 60.0 if quick else {"10k": 180.0, "100k": 150.0}.get(label, 200.0)
        self.rdflib_timeout = 120.0 if quick else 400.0
        self.query_budget = 0.3 if quick else 1.0  # seconds of timed runs per query on the embedded store
        self.query_limit = 10.0 if quick else 30.0  # a query slower than this on the embedded store is stopped
        self.endpoint_query_max_ms = 1000.0  # the endpoint workload: catalogue queries at most this slow embedded
        self.rdflib_query_budget = 30.0 if quick else 150.0
        self.load_seconds = 2.0 if quick else 8.0
        self.serve_starts = 1 if quick else (2 if big else 3)
        self.start_timeout = 300.0


_tty = sys.stderr.isatty()


def say(text: str) -> None:
    if _tty or os.environ.get("DRUGKG_BENCH_VERBOSE"):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def drugkg(*args: str) -> list[str]:
    return [PYTHON, "-m", "drugkg.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- data and build --------------------------------------------------------------------------------


def prepare_data(label: str) -> Path:
    data = WORK / label / "data"
    marker = data / ".synth"
    want = f"drugs={SIZES[label]} seed={SEED} synth={_synth_digest()}"
    if marker.is_file() and marker.read_text() == want:
        return data
    shutil.rmtree(data, ignore_errors=True)
    say(f"{label}: synthesising {SIZES[label]} drugs")
    subprocess.run(
        drugkg("synth", "--drugs", str(SIZES[label]), "--seed", str(SEED), "--out", str(data)),
        check=True,
        cwd=ROOT,
        env={**os.environ, **ENV},
    )
    marker.write_text(want)
    return data


def _synth_digest() -> str:
    import hashlib

    return hashlib.sha256((ROOT / "drugkg" / "devtools" / "synth.py").read_bytes()).hexdigest()[:16]


def stage_build(label: str, data: Path, plan: Plan) -> dict[str, Any]:
    out = WORK / label / "build"
    runs = []
    for i in range(plan.build_runs):
        say(f"{label}: drugkg build {i + 1}/{plan.build_runs}")
        r = run_measured(drugkg("build", "--data", str(data), "--out", str(out)), timeout=900, env=ENV)
        if r.returncode != 0:
            raise SystemExit(f"drugkg build failed:\n{r.stderr}")
        runs.append(r)
    manifest = json.loads((out / "manifest.json").read_text())
    res: dict[str, Any] = {
        "triples": manifest["triples"],
        "graphs": len(manifest["graphs"]),
        "quads": sum(manifest["graphs"].values()),
        "drugs": SIZES[label],
        "build_s": median([r.seconds for r in runs]),
        "build_mb": median([r.peak_mb for r in runs]),
        "build_runs": [r.seconds for r in runs],
    }
    base = []
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-") as tmp:
        for i in range(plan.rdflib_build_runs):
            say(f"{label}: rdflib parse + serialize {i + 1}/{plan.rdflib_build_runs}")
            r = run_measured(
                [PYTHON, "-m", "bench.rdflib_baseline", "build", str(out), tmp], timeout=plan.rdflib_timeout, env=ENV
            )
            base.append(r)
            if r.timed_out:
                break
    res["rdflib_build_s"] = None if any(r.timed_out for r in base) else median([r.seconds for r in base])
    res["rdflib_build_mb"] = max(r.peak_mb for r in base)
    res["rdflib_build_limit"] = plan.rdflib_timeout
    return res


# -- validation ------------------------------------------------------------------------------------


def _has_command(name: str) -> bool:
    r = subprocess.run(drugkg(name, "--help"), capture_output=True, cwd=ROOT, env={**os.environ, **ENV})
    return r.returncode == 0


def _merged_shapes(dest: Path) -> Path:
    import rdflib

    from drugkg.resources import shapes_dir

    g = rdflib.Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        g.parse(path, format="turtle")
    g.serialize(dest, format="turtle")
    return dest


def stage_validate(label: str, build: Path, plan: Plan) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if not _has_command("validate"):
        res["validate"] = "not available"
        return res
    for variant, extra in (("shacl", ["--no-reasoning"]), ("full", [])):
        runs = []
        n = plan.validate_runs if variant == "shacl" else 1
        for i in range(n):
            say(f"{label}: drugkg validate {' '.join(extra)} {i + 1}/{n}")
            r = run_measured(drugkg("validate", "--data", str(build), *extra), timeout=900, env=ENV)
            runs.append(r)
        ok = [r for r in runs if r.returncode in (0, 1)]
        res[f"validate_{variant}_s"] = median([r.seconds for r in ok]) if ok else None
        res[f"validate_{variant}_mb"] = max(r.peak_mb for r in runs)
        res[f"validate_{variant}_exit"] = runs[-1].returncode
        if not ok:
            res[f"validate_{variant}_error"] = runs[-1].stderr[-500:]
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-") as tmp:
        shapes = _merged_shapes(Path(tmp) / "shapes.ttl")
        runs = []
        for i in range(plan.pyshacl_runs):
            say(f"{label}: plain pyshacl {i + 1}/{plan.pyshacl_runs} (limit {plan.pyshacl_timeout:.0f} s)")
            r = run_measured(
                [PYTHON, "-m", "pyshacl", "-s", str(shapes), "-df", "nt", "-f", "human", str(build / "drugkg.nt")],
                timeout=plan.pyshacl_timeout,
            )
            runs.append(r)
            if r.timed_out:
                break
    res["pyshacl_s"] = None if any(r.timed_out for r in runs) else median([r.seconds for r in runs])
    res["pyshacl_mb"] = max(r.peak_mb for r in runs)
    res["pyshacl_limit"] = plan.pyshacl_timeout
    res["pyshacl_exit"] = runs[-1].returncode
    return res


# -- queries on the embedded store -----------------------------------------------------------------


def _embedded_queries(build: Path, params: dict[str, str], plan: Plan) -> dict[str, dict[str, Any]]:
    """Per-query medians from bench.oxi_queries; a query past plan.query_limit is stopped (None)."""
    import queue
    import threading

    done: dict[str, dict[str, Any]] = {}
    skip: list[str] = []
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-") as tmp:
        pfile = Path(tmp) / "params.json"
        pfile.write_text(json.dumps(params))
        while True:
            proc = subprocess.Popen(
                [PYTHON, "-m", "bench.oxi_queries", str(build), str(pfile), str(plan.query_budget), ",".join(skip)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                env={**os.environ, **ENV},
                text=True,
                start_new_session=True,
            )
            lines: queue.Queue[str] = queue.Queue()

            def pump(stream: Any = proc.stdout, sink: queue.Queue[str] = lines) -> None:
                for text in stream:
                    sink.put(text)
                sink.put("")  # end of output

            threading.Thread(target=pump, daemon=True).start()
            current, deadline, stopped = None, time.perf_counter() + 120, False
            while True:
                try:
                    line = lines.get(timeout=max(0.01, deadline - time.perf_counter()))
                except queue.Empty:  # the current query is past its limit (or the store took too long to open)
                    kill_tree(proc.pid)
                    proc.wait()
                    if current is None:
                        return done
                    done[current] = {"oxigraph_ms": None, "rows": None, "runs": 0, "limit_s": plan.query_limit}
                    skip.append(current)
                    stopped = True
                    break
                if not line:
                    proc.wait()
                    break
                event = json.loads(line)
                if "start" in event:
                    current, deadline = event["start"], time.perf_counter() + plan.query_limit
                else:
                    done[event["name"]] = {"oxigraph_ms": event["ms"], "rows": event["rows"], "runs": event["runs"]}
                    skip.append(event["name"])
                    current, deadline = None, time.perf_counter() + 60
            if not stopped:
                return done


def stage_queries(label: str, data: Path, build: Path, plan: Plan) -> dict[str, Any]:
    from bench.queries import synthetic_parameters

    params = synthetic_parameters(data)
    say(f"{label}: catalogue queries on the embedded store (limit {plan.query_limit:.0f} s a query)")
    per_query = _embedded_queries(build, params, plan)
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-") as tmp:
        pfile = Path(tmp) / "params.json"
        pfile.write_text(json.dumps(params))
        say(f"{label}: catalogue queries with rdflib's engine (limit {plan.rdflib_query_budget:.0f} s of queries)")
        r = run_measured(
            [PYTHON, "-m", "bench.rdflib_baseline", "queries", str(build), str(pfile), str(plan.rdflib_query_budget)],
            timeout=plan.rdflib_query_budget + plan.rdflib_timeout,
            env=ENV,
        )
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    rdf: dict[str, Any] = json.loads(lines[-1]) if lines else {"queries": {}}
    for name, entry in per_query.items():
        other = rdf["queries"].get(name, {})
        entry["rdflib_ms"] = other["median_s"] * 1000 if other.get("median_s") is not None else None
        entry["rdflib_rows"] = other.get("rows")
    return {
        "queries": per_query,
        "rdflib_load_s": rdf.get("load_seconds"),
        "rdflib_query_mb": r.peak_mb,
        "rdflib_query_timed_out": r.timed_out,
    }


# -- the endpoint ----------------------------------------------------------------------------------


def drugkg_serve(build: Path, port: int, cache_mb: int = 0, extra: tuple[str, ...] = ()) -> tuple[list[str], str]:
    """`drugkg serve` on 127.0.0.1:port and its endpoint's URL; the result cache off unless `cache_mb`."""
    return drugkg(
        "serve",
        "--data",
        str(build),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--allow-invalid",
        "--result-cache-mb",
        str(cache_mb),
        *extra,
    ), f"http://127.0.0.1:{port}/sparql"


def _server_command(kind: str, build: Path, port: int) -> tuple[list[str], str]:
    if kind == "drugkg":
        # the cache off: the workload repeats its queries, and Oxigraph has none (bench/serve_speed.py measures it)
        return drugkg_serve(build, port)
    if kind == "rdflib-endpoint":
        return [
            str(BIN / "rdflib-endpoint"),
            "serve",
            str(build / "drugkg.nt"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ], f"http://127.0.0.1:{port}/"
    if kind == "oxigraph":
        return [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(build / "store"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ], f"http://127.0.0.1:{port}/query"
    raise ValueError(kind)


def _start(kind: str, build: Path, plan: Plan) -> tuple[subprocess.Popen[bytes], str, float | None]:
    from bench.load import wait_until_up

    port = free_port()
    cmd, url = _server_command(kind, build, port)
    log = open(WORK / f"server-{kind}.log", "wb")
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **ENV}
    )
    up = wait_until_up(url, timeout=plan.start_timeout, is_alive=lambda: proc.poll() is None)
    return proc, url, (time.perf_counter() - started) if up is not None else None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        kill_tree(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid, signal.SIGKILL)  # rdflib-endpoint may ignore SIGTERM
            proc.wait(timeout=10)


def stage_endpoint(label: str, data: Path, build: Path, plan: Plan, embedded: dict[str, Any]) -> dict[str, Any]:
    from bench.load import run_load
    from bench.queries import catalogue_http_texts, synthetic_parameters

    fast = {
        n
        for n, q in embedded.items()
        if q.get("oxigraph_ms") is not None and q["oxigraph_ms"] <= plan.endpoint_query_max_ms
    }
    texts = [t for n, t in catalogue_http_texts(synthetic_parameters(data)) if n in fast]
    out: dict[str, Any] = {"workload": sorted(fast), "excluded": sorted(set(embedded) - fast)}
    for kind in ("drugkg", "oxigraph", "rdflib-endpoint"):
        entry: dict[str, Any] = {}
        starts: list[float] = []
        rss_up: list[float] = []
        n_starts = plan.serve_starts if kind == "drugkg" else 1
        for i in range(n_starts):
            say(f"{label}: starting {kind} ({i + 1}/{n_starts})")
            proc, url, startup = _start(kind, build, plan)
            if startup is None:
                entry["error"] = f"did not start within {plan.start_timeout:.0f} s (see bench/work/server-{kind}.log)"
                _stop(proc)
                break
            starts.append(startup)
            time.sleep(0.5)
            rss_up.append(tree_rss(proc.pid))
            if i < n_starts - 1:
                _stop(proc)
                continue
            try:
                peak = rss_up[-1]
                run_load(url, texts, 1, duration=60, max_requests=len(texts), request_timeout=60)  # warm-up
                entry["request_timeout_s"] = timeout = 60 if kind == "rdflib-endpoint" else 30
                for clients in (1, 4, 16):
                    say(f"{label}: {kind}, {clients} client(s), {plan.load_seconds:.0f} s")
                    r = run_load(url, texts, clients, duration=plan.load_seconds, request_timeout=timeout)
                    peak = max(peak, tree_rss(proc.pid))
                    entry[f"c{clients}"] = asdict(r)
                entry["rss_after_load_mb"] = peak
            finally:
                _stop(proc)
        if starts:
            entry["startup_s"] = median(starts)
            entry["rss_idle_mb"] = median(rss_up)
        out[kind] = entry
    return out


# -- main ------------------------------------------------------------------------------------------

STAGES = ("build", "validate", "queries", "endpoint")


def run_size(
    label: str,
    quick: bool,
    only: tuple[str, ...] = STAGES,
    previous: dict[str, Any] | None = None,
    pyshacl_limit: float | None = None,
) -> dict[str, Any]:
    plan = Plan(label, quick)
    if pyshacl_limit:
        plan.pyshacl_timeout = pyshacl_limit
    data = prepare_data(label)
    res: dict[str, Any] = dict(previous or {"label": label})
    build = WORK / label / "build"
    if "build" in only or not (build / "manifest.json").is_file():
        res.update(stage_build(label, data, plan))
    if "validate" in only:
        res.update(stage_validate(label, build, plan))
    if "queries" in only:
        res.update(stage_queries(label, data, build, plan))
    if "endpoint" in only:
        res["endpoint"] = stage_endpoint(label, data, build, plan, res["queries"])
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated sizes among 10k,100k,1m (default: all)")
    parser.add_argument("--quick", action="store_true", help="one run of each, short limits (default size 10k)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="report to write")
    parser.add_argument("-v", "--verbose", action="store_true", help="progress on stderr even when not a terminal")
    parser.add_argument(
        "--only",
        default=None,
        metavar="STAGES",
        help="re-run only these stages (of build,validate,queries,endpoint) on the kept builds, "
        "keeping the other figures of bench/results/results.json",
    )
    parser.add_argument(
        "--pyshacl-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit for plain pySHACL (default 180 s at 10k, 150 s at 100k, 200 s at 1m)",
    )
    args = parser.parse_args(argv)
    if args.verbose:
        os.environ["DRUGKG_BENCH_VERBOSE"] = "1"
    labels = [s.strip().lower() for s in (args.sizes or ("10k" if args.quick else "10k,100k,1m")).split(",")]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    only = tuple(x.strip() for x in args.only.split(",")) if args.only else STAGES
    if any(x not in STAGES for x in only):
        parser.error(f"--only takes stages among {','.join(STAGES)}")
    old: dict[str, Any] = {}
    if args.only and (RESULTS / "results.json").is_file():
        old = json.loads((RESULTS / "results.json").read_text())
    previous = {s["label"]: s for s in old.get("sizes", [])}
    results = {"machine": old.get("machine") or _machine(), "quick": args.quick, "sizes": []}
    if args.only:
        # a size whose build was not kept is built (and its build measured) again
        built = [label for label in labels if not (WORK / label / "build" / "manifest.json").is_file()]
        results["rerun"] = {"stages": list(only), "sizes": labels, "built": built, "machine": _machine()}
    for label in labels:
        results["sizes"].append(run_size(label, args.quick, only, previous.get(label), args.pyshacl_limit))
        (RESULTS / "results.json").write_text(json.dumps(results, indent=2, default=str))
    for label, entry in previous.items():  # sizes not re-run keep their figures
        if label not in labels:
            results["sizes"].append(entry)
    results["sizes"].sort(key=lambda e: list(SIZES).index(e["label"]))
    results["total_minutes"] = old.get("total_minutes", 0) + (time.perf_counter() - started) / 60
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2, default=str))
    from bench.report import write_report

    write_report(results, args.out, RESULTS / "time-vs-size.png")
    say(f"done in {results['total_minutes']:.1f} min: {args.out}")
    return 0


def _machine() -> dict[str, Any]:
    import pyoxigraph
    import rdflib

    try:
        import pyshacl

        shacl = pyshacl.__version__
    except Exception:
        shacl = "?"
    mem = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024 // 1024
    return {
        "cpus": os.cpu_count(),
        "memory_gib": mem,
        "python": platform.python_version(),
        "rdflib": rdflib.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "pyshacl": shacl,
        "load_average_at_start": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


if __name__ == "__main__":
    sys.exit(main())
