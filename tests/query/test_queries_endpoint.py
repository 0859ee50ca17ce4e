"""`--endpoint URL`: the same answers from a real SPARQL 1.1 server (Oxigraph's own, loaded with the
build's TriG dump and serving the union of the graphs as the default graph) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.queries import (
    all_cases,
    assert_same_answer,
    build_dir,
    expected_table,
)

from drugkg.errors import DrugkgError
from drugkg.querying import bind_parameters, find_query, run_on_endpoint, to_table

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
CASES = all_cases()
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not Path(OXIGRAPH).exists(), reason="the oxigraph server (PyPI 'oxigraph') is not installed"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    location = tmp_path_factory.mktemp("oxigraph-server") / "db"
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--file", str(build_dir() / "drugkg.trig")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            OXIGRAPH,
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph server did not start: {server.stderr.read() if server.stderr else ''}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("case", sorted(CASES))
def test_remote_endpoint_gives_the_golden_answer(endpoint: str, case: str) -> None:
    name, params = CASES[case]
    query = find_query(name)
    result = run_on_endpoint(endpoint, query.text, bind_parameters(query, params))
    assert_same_answer(expected_table(case), to_table(result), f"{case} on {endpoint}")


def test_cli_with_endpoint(endpoint: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "drugkg.cli",
            "query",
            "warnings-for-population",
            "--param",
            "population=elderly",
            "--endpoint",
            endpoint,
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].endswith(
        "dose adjustment,oral,,,a lower oral dose within the usual range may be needed"
    )


def test_endpoint_errors_are_reported(endpoint: str) -> None:
    with pytest.raises(DrugkgError, match="the endpoint answered 400"):
        run_on_endpoint(endpoint, "SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(DrugkgError, match="cannot reach the endpoint"):
        run_on_endpoint(f"http://127.0.0.1:{_free_port()}/query", "ASK {}", timeout=2)
