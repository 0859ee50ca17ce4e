"""Shared helpers of the query tests (no tests here): one build and one rdflib graph per session,
the golden cases, and multiset comparison of SPARQL results that prints the difference."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from drugkg.catalogue import load_catalogue
from drugkg.querying import Table, to_table

__all__ = [
    "EXPECTED_DIR",
    "all_cases",
    "assert_same_answer",
    "build_dir",
    "expected_table",
    "multiset",
    "rdflib_graph",
    "store",
]

_ROOT = Path(__file__).resolve().parents[2]
EXPECTED_DIR = Path(__file__).resolve().parents[1] / "query" / "expected"


def all_cases() -> dict[str, tuple[str, dict[str, str]]]:
    """case name -> (query name, parameters): every query with its defaults, plus tests/query/expected/cases.json."""
    cases: dict[str, tuple[str, dict[str, str]]] = {q.name: (q.name, {}) for q in load_catalogue()}
    extra = json.loads((EXPECTED_DIR / "cases.json").read_text(encoding="utf-8"))
    for case, spec in extra.items():
        if case.startswith("_"):
            continue
        cases[case] = (spec["query"], dict(spec.get("params", {})))
    return dict(sorted(cases.items()))


@functools.lru_cache(maxsize=1)
def build_dir() -> Path:
    """A fresh build of the shipped data, made once per test process."""
    from drugkg.build import build

    tmp = Path(tempfile.mkdtemp(prefix="drugkg-query-tests-"))
    atexit.register(shutil.rmtree, tmp, True)
    return build(tmp / "build")


@functools.lru_cache(maxsize=1)
def store() -> ox.Store:
    from drugkg.buildfolder import STORE_DIR

    return ox.Store.read_only(str(build_dir() / STORE_DIR))


@functools.lru_cache(maxsize=1)
def rdflib_graph():  # type: ignore[no-untyped-def]
    """The build's drugkg.nt (the union of all graphs) in an rdflib Memory graph."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(build_dir() / "drugkg.nt", format="nt")
    return graph


def expected_table(case: str) -> Table:
    path = EXPECTED_DIR / f"{case}.srj"
    assert path.is_file(), (
        f"no golden answer {path.name}: write it with tests/query/regenerate_expected.py and review it"
    )
    return to_table(ox.parse_query_results(path.read_bytes(), format=ox.QueryResultsFormat.JSON))


def multiset(table: Table) -> Counter[frozenset[tuple[str, str]]]:
    """Rows as a multiset of {variable: N-Triples term} bindings (unbound variables left out)."""
    return Counter(
        frozenset((var, str(term)) for var, term in zip(table.variables, row, strict=True) if term is not None)
        for row in table.rows
    )


def _show(row: frozenset[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"?{v}={t}" for v, t in sorted(row)) + "}"


def assert_same_answer(expected: Table, actual: Table, what: str) -> None:
    """Non-empty, then equal as multisets of bindings; on failure list what is missing and extra."""
    assert expected.form == actual.form, f"{what}: a {actual.form} result, expected {expected.form}"
    if expected.form == "ASK":
        assert expected.boolean is not None and actual.boolean is not None, f"{what}: no boolean"
        assert actual.boolean == expected.boolean, f"{what}: answered {actual.boolean}, expected {expected.boolean}"
        return
    assert expected.rows, f"{what}: the golden answer is empty; goldens must hold at least one row"
    assert actual.rows, f"{what}: no rows (expected {len(expected.rows)})"
    assert set(actual.variables) == set(expected.variables), (
        f"{what}: variables {actual.variables}, expected {expected.variables}"
    )
    want, got = multiset(expected), multiset(actual)
    if want != got:
        missing = want - got
        extra = got - want
        lines = [f"{what}: {len(actual.rows)} rows, expected {len(expected.rows)}"]
        lines += [f"  missing {n}x {_show(row)}" for row, n in sorted(missing.items(), key=lambda kv: _show(kv[0]))]
        lines += [f"  extra   {n}x {_show(row)}" for row, n in sorted(extra.items(), key=lambda kv: _show(kv[0]))]
        raise AssertionError("\n".join(lines))


def drugkg(*args: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "drugkg.cli", "query", *args]
    if data is not False and "--endpoint" not in args:
        cmd += ["--data", str(data or build_dir())]
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=_ROOT, env=env, timeout=120, check=False)
