"""The README's store recipes, run word for word against a real `oxigraph serve` and a real Virtuoso
(Debian's package), give the same rows as the embedded store.

The recipes name fixed loopback ports (7878, 8890). They run in a private network namespace
(`unshare -n`, as root in CI) so those ports cannot clash with anything else on the machine and
nothing can reach the network; where no namespace can be made, the one address in the recipe is
replaced by a free loopback port, and the rest is run as written.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from support.serving import free_port
from support.stores import (
    VENV_BIN,
    VIRTUOSO,
    can_isolate_network,
    readme_recipe,
    shim_bin,
    virtuoso_ini,
)

ROOT = Path(__file__).resolve().parents[2]
ISOLATED = can_isolate_network()


def _embedded_rows(build: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "query", *args, "--data", str(build), "--no-build"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _address(recipe_address: str) -> str:
    """Where the recipe's server listens: its own address in a private namespace, else a free port."""
    return recipe_address if ISOLATED else f"127.0.0.15:{free_port()}"


def _run(script: str, cwd: Path, address: str, listen: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `script` with bash in `cwd` (where ./build is the session's build), background jobs
    stopped at the end; in a private network namespace when one can be made, else with the
    recipe's `address` replaced by `listen`."""
    env = {**os.environ, "PATH": f"{shim_bin(cwd / '.bin')}:{VENV_BIN}:{os.environ['PATH']}", "HOME": str(cwd)}
    harness = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"
    if ISOLATED:
        argv = ["unshare", "-n", "bash", "-c", "ip link set lo up\n" + harness + script]
    else:
        argv = ["bash", "-c", harness + script.replace(address, listen or _address(address))]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def workdir(tmp_path: Path, built: Path) -> Path:
    (tmp_path / "build").symlink_to(built)
    return tmp_path


def test_oxigraph_recipe_word_for_word_gives_the_embedded_rows(workdir: Path, built: Path) -> None:
    recipe = readme_recipe("oxigraph")
    assert "--union-default-graph" in recipe
    done = _run(recipe, workdir, "127.0.0.1:7878")
    assert done.returncode == 0, done.stderr
    expected = _embedded_rows(built, "off-label-uses")
    assert expected.count("\n") >= 3  # a header and at least two rows
    assert done.stdout == expected
    assert "HTTP Request:" not in done.stderr
    assert "published to http" in done.stderr


def test_oxigraph_without_union_gives_0_rows_and_the_query_says_why(workdir: Path) -> None:
    """The regression: the README's old recipe (no --union-default-graph) answered 0 rows, exit 0, silently."""
    recipe = readme_recipe("oxigraph").replace(" --union-default-graph", "")
    done = _run(recipe, workdir, "127.0.0.1:7878")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1  # the header only
    assert "does not query the union of its graphs" in done.stderr
    assert "--union-default-graph" in done.stderr


def test_virtuoso_recipe_word_for_word_gives_the_embedded_rows(workdir: Path, built: Path) -> None:
    recipe = readme_recipe("virtuoso")
    assert "--auth digest" in recipe
    listen = _address("127.0.0.1:8890")
    host, _, http_port = listen.partition(":")
    sql_port = 1111 if ISOLATED else free_port()
    (workdir / "virtuoso").mkdir()
    ini = virtuoso_ini(workdir / "virtuoso", host, int(http_port), sql_port)
    start = (
        f"{shlex.quote(VIRTUOSO)} -c {shlex.quote(str(ini))} +foreground >virtuoso/out.log 2>&1 &\n"
        "for i in $(seq 300); do curl -sf 'http://127.0.0.1:8890/sparql?query=ASK%7B%7D' >/dev/null && break; "
        "sleep 0.2; done\n"
    )
    done = _run(start + recipe, workdir, "127.0.0.1:8890", listen)
    assert done.returncode == 0, done.stderr + (workdir / "virtuoso" / "out.log").read_text()[-2000:]
    expected = _embedded_rows(built, "off-label-uses")
    assert expected.count("\n") >= 3
    assert done.stdout == expected
