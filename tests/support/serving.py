"""Helpers for the serve and publish tests: a tiny build folder, a server on a free port, a listener."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

__all__ = [
    "GRAPH",
    "RES",
    "TINY_DRUG",
    "VOCAB",
    "RecordingListener",
    "free_port",
    "make_tiny_build",
    "running_server",
]

VOCAB = "https://w3id.org/drugkg/vocab#"
RES = "https://w3id.org/drugkg/resource/"
GRAPH = "https://w3id.org/drugkg/graph/"
TINY_DRUG = RES + "drug/baclofen"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

_TINY_TRIG = f"""
@prefix drugkg: <{VOCAB}> .
@prefix drug: <{RES}drug/> .
@prefix cond: <{RES}condition/> .
@prefix q: <{RES}query/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <http://schema.org/> .

<{GRAPH}ontology> {{
  <https://w3id.org/drugkg/vocab> a owl:Ontology ; rdfs:label "drugkg vocabulary"@en .
  drugkg:Drug a owl:Class ; rdfs:label "drug"@en ; rdfs:comment "A medicinal substance."@en .
  drugkg:Condition a owl:Class ; rdfs:label "condition"@en .
  drugkg:treats a owl:ObjectProperty ; rdfs:label "treats"@en .
  drugkg:maxDailyDoseMg a owl:DatatypeProperty ; rdfs:label "maximum daily dose (mg)"@en .
}}

<{GRAPH}monograph/baclofen> {{
  drug:baclofen a drugkg:Drug ; rdfs:label "baclofen"@en ;
     drugkg:treats cond:spasticity ;
     drugkg:maxDailyDoseMg "80"^^xsd:decimal ;
     drugkg:strength [ drugkg:value "10"^^xsd:decimal ; drugkg:unit "mg" ] .
  cond:spasticity a drugkg:Condition ; rdfs:label "spasticity"@en .
  drug:tizanidine a drugkg:Drug ; rdfs:label "tizanidine"@en ; drugkg:treats cond:spasticity .
}}

<{GRAPH}mappings/chebi> {{
  drug:baclofen owl:sameAs <http://purl.obolibrary.org/obo/CHEBI_2972> .
}}

<{GRAPH}examples> {{
  q:drugs-for-condition a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;
     rdfs:comment "Which drugs treat a condition?"@en ;
     sh:select "SELECT ?drug WHERE {{ ?drug <{VOCAB}treats> ?c }}" ;
     schema:target <https://w3id.org/drugkg/sparql> .
}}
"""

_TINY_VOID = f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/drugkg/dataset> a void:Dataset ; dcterms:title "drugkg (tiny test build)" ;
  void:triples 20 ; void:uriSpace "{RES}" .
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_tiny_build(out: Path) -> Path:
    """A build folder shaped like `drugkg build`'s, with a few triples (until the real build is used)."""
    out.mkdir(parents=True, exist_ok=True)
    dataset = ox.Dataset(ox.parse(_TINY_TRIG, format=ox.RdfFormat.TRIG))
    store = ox.Store(str(out / "store"))
    store.bulk_extend(dataset)
    store.flush()
    del store
    (out / "drugkg.trig").write_bytes(ox.serialize(dataset, format=ox.RdfFormat.TRIG) or b"")
    triples = sorted({str(q.triple) + " .\n" for q in dataset})
    (out / "drugkg.nt").write_text("".join(triples), encoding="utf-8")
    (out / "void.ttl").write_text(_TINY_VOID, encoding="utf-8")
    files = ["drugkg.nt", "drugkg.trig", "void.ttl"]
    manifest = {
        "drugkg_version": "test",
        "files": {name: _sha256(out / name) for name in files},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(build_dir: Path, **settings: object) -> Iterator[str]:
    """Serve `build_dir` with uvicorn in a thread on a free loopback port; yield its base URL."""
    import uvicorn

    from drugkg.buildfolder import open_build
    from drugkg.server.app import create_app
    from drugkg.server.config import ServerConfig
    from drugkg.server.run import bind, uvicorn_config

    build = open_build(build_dir)
    host = str(settings.pop("host", "127.0.0.1"))
    sock = bind(host, 0)
    port = sock.getsockname()[1]
    settings.setdefault("public_url", f"http://{host}:{port}/")
    settings.setdefault("access_log", "off")
    config = ServerConfig(build_dir=build.path, **settings)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn_config(create_app(config, build), config, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@dataclass
class RecordingListener:
    """A TCP listener on a loopback port that records every connection made to it (and sends `reply`)."""

    reply: bytes = b""
    sock: socket.socket = field(default_factory=socket.socket)
    connections: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                    if self.reply:
                        conn.sendall(self.reply)
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# ---------------------------------------------------------------- pytest fixtures
# Test modules import these by name (`from support.serving import tiny_build, ...`).

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small build folder with known triples: the protocol tests assert exact answers on it."""
    return make_tiny_build(tmp_path_factory.mktemp("tiny") / "build")


@pytest.fixture(scope="session")
def synthetic_five_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five synthetic drugs (seed 1), built: every statement kind, with other values than baclofen's."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("synthetic-five")
    data, build = root / "data", root / "build"
    for args in (
        ["synth", "--drugs", "5", "--seed", "1", "--out", str(data)],
        ["build", "--data", str(data), "--out", str(build)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "drugkg.cli", *args], check=False, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    return build


@pytest.fixture(scope="session")
def real_build(built: Path) -> Path:
    """The real graph: the session's build of the shipped data (conftest's `built`)."""
    return built


@pytest.fixture(scope="module")
def tiny_server(tiny_build: Path) -> Iterator[str]:
    with running_server(tiny_build, timeout=10.0, max_rows=50) as url:
        yield url


@pytest.fixture(scope="module")
def real_server(real_build: Path) -> Iterator[str]:
    with running_server(real_build, timeout=10.0) as url:
        yield url
