"""The KGX export validates with 0 errors offline: kgx's own Validator and the Biolink Model's
pydantic classes, both over the schema shipped in the pinned `biolink-model` package.

They run in the kgx venv (`make kgx-venv`, which `make test` runs; DRUGKG_KGX_PYTHON names its
python) through scripts/kgx_offline.py, which refuses and records every socket connection and DNS
lookup. The only skip: no kgx venv on this machine.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from drugkg.export import export_build

ROOT = Path(__file__).resolve().parent.parent
KGX_PYTHON = Path(os.environ.get("DRUGKG_KGX_PYTHON", ROOT / ".venv-kgx" / "bin" / "python"))
RUNNER = ROOT / "scripts" / "kgx_offline.py"

pytestmark = pytest.mark.skipif(not KGX_PYTHON.exists(), reason=f"needs the kgx venv ({KGX_PYTHON}): make kgx-venv")


def _run(*args: str) -> dict[str, Any]:
    done = subprocess.run([str(KGX_PYTHON), str(RUNNER), *args], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def kgx_dir(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kgx")
    export_build(built, out)
    return out


def test_export_validates_with_zero_errors_offline(kgx_dir: Path) -> None:
    report = _run("--prefixes", str(kgx_dir / "prefixes.json"), "validate",
                  str(kgx_dir / "nodes.tsv"), str(kgx_dir / "edges.tsv"))
    assert report == {"biolink_version": "4.4.3", "kgx_errors": {}, "pydantic_errors": [], "network_attempts": []}


def test_without_drugkg_prefixes_the_only_errors_are_the_drugkg_ids(kgx_dir: Path) -> None:
    """drugkg's own CURIEs are not in Biolink's prefix map: that, and nothing else, is what kgx reports."""
    report = _run("validate", str(kgx_dir / "nodes.tsv"), str(kgx_dir / "edges.tsv"))
    errors = report["kgx_errors"]["ERROR"]
    assert sorted(errors) == ["INVALID_EDGE_PROPERTY_VALUE", "INVALID_NODE_PROPERTY_VALUE"]
    for messages in errors.values():
        for message in messages:
            assert "with a CURIE prefix 'drugkg." in message, message
    assert report["network_attempts"] == [] and report["pydantic_errors"] == []


def test_the_network_guard_records_and_refuses_a_connection() -> None:
    assert _run("probe-network") == {"network_attempts": ["getaddrinfo 127.0.0.1:9"]}  # refused before connect


def _rewrite(src: Path, dst: Path, edit: dict[str, str]) -> None:
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    rows[0].update(edit)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_validators_catch_a_bad_predicate_and_a_bad_knowledge_level(kgx_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad_edges.tsv"
    _rewrite(kgx_dir / "edges.tsv", bad, {"predicate": "biolink:cures", "knowledge_level": "certain"})
    report = _run("--prefixes", str(kgx_dir / "prefixes.json"), "validate", str(kgx_dir / "nodes.tsv"), str(bad))
    assert list(report["kgx_errors"]["ERROR"]) == ["INVALID_EDGE_PREDICATE"]
    assert list(report["kgx_errors"]["ERROR"]["INVALID_EDGE_PREDICATE"]) == [
        "Edge predicate 'cures' is not in Biolink Model"]
    edge_id = "drugkg.adverse-effect:baclofen-common-agitation"
    assert sorted(e.split(": ")[1] for e in report["pydantic_errors"]) == ["knowledge_level", "predicate"]
    assert all(e.startswith(edge_id + ": ") for e in report["pydantic_errors"])
