"""`drugkg publish --union-into-default`: a store that queries only its default graph (a plain
`oxigraph serve`) answers the catalogue as the embedded store does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("transaction", [True, False])
def test_union_into_default_graph_answers_without_union_option(
    plain_oxigraph: str, built: Path, transaction: bool
) -> None:
    url = plain_oxigraph
    how = ["--update", f"{url}/update", "--query", f"{url}/query"] if transaction else ["--no-transaction"]
    done = _cli("publish", "--to", f"{url}/store", *how, "--data", str(built), "--union-into-default")
    assert done.returncode == 0, done.stderr
    remote = _cli("query", "off-label-uses", "--endpoint", f"{url}/query")
    local = _cli("query", "off-label-uses", "--data", str(built), "--no-build")
    assert remote.stdout == local.stdout and local.stdout.count("\n") >= 3
    assert "does not query the union" not in remote.stderr
    # published twice: the default graph is replaced, not added to
    again = _cli("publish", "--to", f"{url}/store", *how, "--data", str(built), "--union-into-default")
    assert again.returncode == 0, again.stderr
    count = _cli("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--endpoint", f"{url}/query")
    assert count.stdout.splitlines()[1].startswith(str(len((built / "drugkg.nt").read_bytes().splitlines())))
