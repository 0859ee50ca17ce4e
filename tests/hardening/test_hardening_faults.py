"""Faults: a killed build, a corrupt build folder, a taken port, a publish that loses its server.

- `drugkg build` is SIGKILLed at fixed points (after making its temp folder, after loading the
  store, after writing the dumps, before the swap, between the two renames of the swap, after the
  swap) and at random moments: the output folder is afterwards either the previous build, byte for
  byte, or the complete new one; `check_build` passes; the next build works.
- `drugkg serve` on a corrupt or partial build folder refuses with a message naming the problem.
- `drugkg serve` on a port already in use: a clear message, exit 2.
- `drugkg publish` through a proxy that drops the connection (before or after forwarding) or answers
  503 at the N-th request, for every N: the remote graphs are all as they were or all replaced,
  never half, and no staging graph is left behind. A real `oxigraph serve` is the store; the success
  path is checked too. Publishing without a SPARQL Update endpoint (which could leave a mix) is
  refused before any request unless `--no-transaction` is asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from drugkg.build import build
from drugkg.buildfolder import check_build

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
FIGURES: dict[str, object] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_figures() -> Iterator[None]:
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hardening-faults.json").write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder` (the store included)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changed_data(root: Path) -> Path:
    """A copy of the shipped data with a changed label: a build of it differs from the shipped one."""
    data = root / "data-new"
    shutil.copytree(ROOT / "data", data)
    mono = data / "drugs" / "baclofen.yaml"
    text = mono.read_text(encoding="utf-8")
    assert "  label: baclofen\n" in text
    mono.write_text(text.replace("  label: baclofen\n", "  label: baclofen (changed)\n", 1), encoding="utf-8")
    # and one mapping fewer: the monograph, mappings and void graphs all differ from the shipped build
    tsv = data / "mappings" / "baclofen.sssom.tsv"
    rows = tsv.read_text(encoding="utf-8").splitlines(keepends=True)
    tsv.write_text("".join(r for r in rows if "UMLS:C0004609" not in r), encoding="utf-8")
    return data


# ------------------------------------------------------------------------------ killed builds

# A build run in a child process that stops at a named point, says so on stdout, and waits to be killed.
_PAUSING_BUILD = r"""
import os, sys, time, shutil, tempfile
import drugkg.build as b
point = sys.argv[1]
def pause():
    print("PAUSED", flush=True)
    time.sleep(60)
if point == "after-tempdir":
    real_mkdtemp = tempfile.mkdtemp
    def mkdtemp(*a, **k):
        path = real_mkdtemp(*a, **k); pause(); return path
    b.tempfile.mkdtemp = mkdtemp
elif point in ("after-store-load", "after-dumps", "before-swap"):
    name = {"after-store-load": "_load_store", "after-dumps": "_write_dumps", "before-swap": "_swap_into_place"}[point]
    real = getattr(b, name)
    def wrapped(*a, **k):
        if point == "before-swap":
            pause()
        result = real(*a, **k); pause(); return result
    setattr(b, name, wrapped)
elif point == "mid-swap":
    real_replace = os.replace
    def replace(src, dst):
        real_replace(src, dst)
        if ".old-" in str(dst):
            pause()
    b.os.replace = replace
elif point == "after-swap":
    real_rmtree = shutil.rmtree
    def rmtree(path, *a, **k):
        if ".old-" in str(path):
            pause()
        return real_rmtree(path, *a, **k)
    b.shutil.rmtree = rmtree
from drugkg.cli import main
sys.exit(main(["build", "--data", sys.argv[2], "--out", sys.argv[3]]))
"""

POINTS = ["after-tempdir", "after-store-load", "after-dumps", "before-swap", "mid-swap", "after-swap"]


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    root = tmp_path_factory.mktemp("kill")
    out = build(root / "template" / "out")
    return out, snapshot(out), changed_data(root)


def _fresh_previous(previous: tuple[Path, dict[str, str], Path], tmp_path: Path) -> Path:
    template, _, _ = previous
    out = tmp_path / "site" / "out"
    out.parent.mkdir()
    shutil.copytree(template, out)
    return out


def _outcome(out: Path, before: dict[str, str], new_data: Path) -> str:
    """'previous' (byte-identical), 'new' (complete build of the new data); anything else fails."""
    manifest = check_build(out)  # also puts back a build moved aside by a killed swap
    if snapshot(out) == before:
        return "previous"
    from drugkg.build import inputs_digest

    assert manifest["inputs_sha256"] == inputs_digest(new_data), "the folder is neither the old build nor the new one"
    return "new"


@pytest.mark.parametrize("point", POINTS)
def test_build_killed_at_a_point_keeps_the_previous_build(previous, tmp_path: Path, point: str) -> None:
    _, before, new_data = previous
    out = _fresh_previous(previous, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _PAUSING_BUILD, point, str(new_data), str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == "PAUSED", (line, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    outcome = _outcome(out, before, new_data)
    expected = "new" if point == "after-swap" else "previous"
    assert outcome == expected
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name != "out")
    # the next build works and gives the new graph
    build(out, new_data)
    assert _outcome(out, before, new_data) == "new"
    after_rebuild = sorted(p.name for p in out.parent.iterdir() if p.name != "out")
    assert after_rebuild == [], f"the next build left the killed build's folders: {after_rebuild}"
    FIGURES[f"build killed {point}"] = {
        "outcome": outcome,
        "left behind": leftovers,
        "left after next build": after_rebuild,
    }


def test_build_killed_at_random_moments(previous, tmp_path: Path) -> None:
    _, before, new_data = previous
    rng = random.Random(7)
    outcomes: dict[str, int] = {}
    runs = 12
    for i in range(runs):
        out = tmp_path / f"r{i}" / "out"
        out.parent.mkdir()
        shutil.copytree(previous[0], out)
        proc = subprocess.Popen(
            [sys.executable, "-m", "drugkg.cli", "build", "--data", str(new_data), "--out", str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.15, 1.5))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=30)
        outcome = _outcome(out, before, new_data)
        key = f"{outcome} (exit {code})"
        outcomes[key] = outcomes.get(key, 0) + 1
    FIGURES["build killed at random moments"] = {"runs": runs, "outcomes": outcomes}


# ------------------------------------------------------------------------------ serve on bad folders


def _serve(args: list[str], timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "serve", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )
    return result, time.monotonic() - started


def _damage(case: str, folder: Path) -> str:
    """Damage a copy of a build; returns a word the refusal must contain."""
    if case == "empty-folder":
        shutil.rmtree(folder)
        folder.mkdir()
        return "manifest"
    if case == "no-manifest":
        (folder / "manifest.json").unlink()
        return "manifest"
    if case == "manifest-garbage":
        (folder / "manifest.json").write_bytes(b"\x00\xff{not json")
        return "manifest"
    if case == "manifest-files-not-a-map":
        (folder / "manifest.json").write_text('{"files": ["drugkg.nt"]}')
        return "manifest"
    if case == "truncated-dump":
        nt = folder / "drugkg.nt"
        nt.write_bytes(nt.read_bytes()[: nt.stat().st_size // 2])
        return "drugkg.nt"
    if case == "missing-dump":
        (folder / "drugkg.ttl").unlink()
        return "drugkg.ttl"
    if case == "no-store":
        shutil.rmtree(folder / "store")
        return "store"
    if case == "store-emptied":
        for p in (folder / "store").iterdir():
            p.unlink() if p.is_file() else shutil.rmtree(p)
        return "store"
    if case == "store-garbage":
        for p in (folder / "store").iterdir():
            if p.is_file():
                p.write_bytes(os.urandom(max(64, min(p.stat().st_size, 4096))))
        return "store"
    if case == "not-a-folder":
        shutil.rmtree(folder)
        folder.write_text("just a file\n")
        return "build"
    raise AssertionError(case)


SERVE_CASES = [
    "empty-folder",
    "no-manifest",
    "manifest-garbage",
    "manifest-files-not-a-map",
    "truncated-dump",
    "missing-dump",
    "no-store",
    "store-emptied",
    "store-garbage",
    "not-a-folder",
]


@pytest.mark.parametrize("case", SERVE_CASES)
def test_serve_refuses_a_corrupt_or_partial_build(previous, tmp_path: Path, case: str) -> None:
    folder = tmp_path / "build"
    shutil.copytree(previous[0], folder)
    word = _damage(case, folder)
    port = free_port()
    result, seconds = _serve(["--data", str(folder), "--port", str(port), "--host", "127.0.0.1"])
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert word in result.stderr, result.stderr
    assert seconds < 30
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the server is listening on a corrupt build"
    FIGURES[f"serve on {case}"] = {
        "exit": result.returncode,
        "seconds": round(seconds, 2),
        "message": result.stderr.strip().splitlines()[-1][:200],
    }


def test_serve_on_a_taken_port(previous) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result, seconds = _serve(["--data", str(previous[0]), "--port", str(port), "--host", "127.0.0.1"])
    assert result.returncode == 2, result.stderr
    assert "already in use" in result.stderr and str(port) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert seconds < 15
    FIGURES["serve on a taken port"] = {
        "exit": result.returncode,
        "seconds": round(seconds, 2),
        "message": result.stderr.strip()[:200],
    }


# ------------------------------------------------------------------------------ publish


class FaultyProxy:
    """An HTTP/1.1 proxy to `upstream` that misbehaves at the N-th request.

    modes: 'drop-before' closes the connection without forwarding; 'drop-after' forwards (the store
    applies it) and closes without answering; '503' answers 503 without forwarding.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.fail_at = 0
        self.mode = "drop-before"
        self.count = 0
        self.log: list[str] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._body()
                with proxy.lock:
                    proxy.count += 1
                    n = proxy.count
                proxy.log.append(f"{n} {self.command} {self.path[:120]}")
                failing = n == proxy.fail_at
                if failing and proxy.mode == "503":
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if failing and proxy.mode == "drop-before":
                    self._drop()
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "transfer-encoding", "connection")
                }
                resp = httpx.request(
                    self.command, proxy.upstream + self.path, content=body, headers=headers, timeout=60
                )
                if failing:  # drop-after: the store has applied it, the client never hears
                    self._drop()
                    return
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def arm(self, fail_at: int, mode: str) -> None:
        self.count, self.fail_at, self.mode, self.log = 0, fail_at, mode, []

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path_factory.mktemp("oxi")), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
            break
        except httpx.HTTPError:
            assert proc.poll() is None and time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _graphs_of(build_dir: Path) -> dict[str, frozenset[str]]:
    """Named graph -> its triples (N-Triples lines, blank nodes blanked) from a build's TriG dump."""
    graphs: dict[str, set[str]] = {}
    for q in ox.parse(path=str(build_dir / "drugkg.trig"), format=ox.RdfFormat.TRIG):
        graphs.setdefault(q.graph_name.value, set()).add(_line(q.triple))  # type: ignore[union-attr]
    return {g: frozenset(t) for g, t in graphs.items()}


def _line(t: ox.Triple) -> str:
    parts = ["_:b" if isinstance(x, ox.BlankNode) else str(x) for x in (t.subject, t.predicate, t.object)]
    return " ".join(parts)


def _remote(url: str) -> dict[str, frozenset[str]]:
    body = httpx.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=60).content
    graphs: dict[str, set[str]] = {}
    for q in ox.parse(body, format=ox.RdfFormat.N_QUADS):
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, set()).add(_line(q.triple))
    return {g: frozenset(t) for g, t in graphs.items()}


def _reset(url: str, graphs: dict[str, frozenset[str]]) -> None:
    httpx.post(url + "/update", data={"update": "DROP ALL"}, timeout=60).raise_for_status()
    for g, triples in graphs.items():
        body = "".join(t.replace("_:b", "_:b" + hashlib.sha1(t.encode()).hexdigest()[:8]) + " .\n" for t in triples)
        httpx.put(
            url + "/store",
            params={"graph": g},
            content=body.encode(),
            headers={"Content-Type": "application/n-triples"},
            timeout=60,
        ).raise_for_status()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("pub")
    old = build(root / "old")
    new = build(root / "new", changed_data(root))
    return old, new


def _state(remote: dict[str, frozenset[str]], old: dict[str, frozenset[str]], new: dict[str, frozenset[str]]) -> str:
    """'old', 'new' or 'half: ...' over the graphs that differ between the old and the new build."""
    differing = [g for g in set(old) | set(new) if old.get(g) != new.get(g)]
    assert differing, "the two builds do not differ"
    states = set()
    for g in differing:
        got = remote.get(g, frozenset())
        states.add(
            "old" if got == old.get(g, frozenset()) else "new" if got == new.get(g, frozenset()) else f"other:{g}"
        )
    return states.pop() if len(states) == 1 else "half: " + ", ".join(sorted(states))


def _publish(new: Path, base: str, atomic: bool, in_process: bool = False) -> subprocess.CompletedProcess[str]:
    """`drugkg publish` as a command (or, to save interpreter start-ups in the loops, its main() in-process).

    atomic=False omits --update (and --query), which the command refuses unless --no-transaction."""
    args = ["--data", str(new), "--to", base + "/store", "--timeout", "20"]
    if atomic:
        args += ["--update", base + "/update", "--query", base + "/query"]
    if not in_process:
        return subprocess.run(
            [sys.executable, "-m", "drugkg.cli", "publish", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=120,
        )
    from drugkg.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["publish", *args])
    return subprocess.CompletedProcess(["drugkg", "publish", *args], code, "", err.getvalue())


def test_publish_to_a_server_that_refuses_the_connection(two_builds) -> None:
    port = free_port()  # nothing listens here
    result = _publish(two_builds[1], f"http://127.0.0.1:{port}", atomic=True)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and str(port) in result.stderr, result.stderr
    FIGURES["publish, connection refused"] = {"exit": result.returncode, "message": result.stderr.strip()[-200:]}


def test_publish_success_path_replaces_every_graph(oxigraph_server: str, two_builds) -> None:
    old_b, new_b = two_builds
    old, new = _graphs_of(old_b), _graphs_of(new_b)
    _reset(oxigraph_server, old)
    result = _publish(new_b, oxigraph_server, atomic=True)
    assert result.returncode == 0, result.stderr
    remote = _remote(oxigraph_server)
    assert _state(remote, old, new) == "new"
    for g, triples in new.items():
        assert remote.get(g) == triples, f"graph {g} differs after publish"
    assert not [g for g in remote if g not in new and g], f"graphs left behind: {[g for g in remote if g not in new]}"


def test_publish_without_update_endpoint_is_refused_before_any_request(oxigraph_server: str, two_builds) -> None:
    """Without --update the Graph Store Protocol cannot swap all graphs at once: refused, nothing sent."""
    old_b, new_b = two_builds
    old, new = _graphs_of(old_b), _graphs_of(new_b)
    _reset(oxigraph_server, old)
    proxy = FaultyProxy(oxigraph_server)
    try:
        proxy.arm(0, "drop-before")
        result = _publish(new_b, proxy.url, atomic=False)
        requests = proxy.count
    finally:
        proxy.close()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "--update" in result.stderr and "--no-transaction" in result.stderr, result.stderr
    assert requests == 0, proxy.log
    assert _state(_remote(oxigraph_server), old, new) == "old"
    FIGURES["publish without --update"] = {
        "exit": result.returncode,
        "requests": requests,
        "message": result.stderr.strip()[-240:],
    }


def test_publish_interrupted_at_every_request_is_never_half(oxigraph_server: str, two_builds) -> None:
    """The default (all or nothing, with --update and --query) at every interruption point."""
    atomic = True
    old_b, new_b = two_builds
    old, new = _graphs_of(old_b), _graphs_of(new_b)
    proxy = FaultyProxy(oxigraph_server)
    results: list[dict[str, object]] = []
    try:
        # every request point for drop-after (the store applied it, the client never heard), every second
        # for drop-before, every fourth for 503
        modes = {"drop-after": 1, "drop-before": 2, "503": 4}
        for mode, step in modes.items():
            n = 1
            while n <= 30:
                _reset(oxigraph_server, old)
                proxy.arm(n, mode)
                result = _publish(new_b, proxy.url, atomic, in_process=True)
                requests = proxy.count
                remote = _remote(oxigraph_server)
                state = _state(remote, old, new)
                leftovers = sorted(g for g in remote if g and g not in old and g not in new)
                results.append(
                    {
                        "mode": mode,
                        "fail_at": n,
                        "requests": requests,
                        "exit": result.returncode,
                        "state": state,
                        "staging graphs left": len(leftovers),
                        "message": (result.stderr.strip().splitlines() or [""])[-1][:160],
                    }
                )
                if requests < n:  # the publish finished before the fault: every request point is covered
                    assert result.returncode == 0 and state == "new", results[-1]
                    break
                n += step
    finally:
        proxy.close()
        FIGURES["publish interrupted (atomic)"] = results
    bad = [r for r in results if str(r["state"]).startswith(("half", "other"))]
    assert not bad, f"half-published states: {bad}"
    # the proxy fails one request only, so the cleanup after the failure (a new connection) gets through
    left = [r for r in results if r["staging graphs left"]]
    assert not left, f"staging graphs left behind: {left}"
    for r in results:
        if r["requests"] >= r["fail_at"]:
            assert r["exit"] != 0, f"publish reported success although request {r['fail_at']} failed: {r}"
            assert "Traceback" not in str(r["message"])
        if r["exit"] != 0:
            assert r["state"] in ("old", "new"), r
