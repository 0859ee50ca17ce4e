"""The fast path (embedded Oxigraph) answers every catalogue query as rdflib's engine does, on a
small synthetic build, with the parameters bound to resources that exist there."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from bench.queries import catalogue_with_bindings, synthetic_parameters
from drugkg.build import build
from drugkg.devtools.synth import synthesize
from drugkg.querying import run_on_graph, run_on_store, to_table


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("fastpath") / "data"
    synthesize(data, 12, seed=3, progress=False)
    return data, build(tmp_path_factory.mktemp("fastpath-build") / "out", data)


@pytest.fixture(scope="module")
def engines(synthetic: tuple[Path, Path]) -> tuple[ox.Store, rdflib.Graph]:
    _, built = synthetic
    g = rdflib.Graph()
    g.parse(built / "drugkg.nt", format="nt")
    return ox.Store.read_only(str(built / "store")), g


def _key(term: ox.Term | None) -> str:
    if term is None:
        return "UNBOUND"
    if isinstance(term, ox.Literal) and term.datatype.value == "http://www.w3.org/2001/XMLSchema#decimal":
        return f"decimal:{float(term.value)!r}"  # 5 and 5.0 are one value, however an engine writes it
    return str(term)


def _multiset(result: object) -> tuple[str, Counter]:
    table = to_table(result)  # type: ignore[arg-type]
    if table.form == "ASK":
        return "ASK", Counter([table.boolean])
    if table.form == "CONSTRUCT":
        return "CONSTRUCT", Counter(str(t) for t in table.triples)
    return "SELECT", Counter(tuple(_key(t) for t in row) for row in table.rows)


def _queries(data: Path) -> list[tuple[str, str, dict]]:
    return list(catalogue_with_bindings(synthetic_parameters(data)))


def test_there_are_catalogue_queries(synthetic: tuple[Path, Path]) -> None:
    assert len(_queries(synthetic[0])) >= 10


def test_every_catalogue_query_gives_the_same_answers(
    synthetic: tuple[Path, Path], engines: tuple[ox.Store, rdflib.Graph]
) -> None:
    store, graph = engines
    non_empty = 0
    mismatches = []
    for name, text, bindings in _queries(synthetic[0]):
        fast = _multiset(run_on_store(store, text, bindings))
        slow = _multiset(run_on_graph(graph, text, bindings))
        if fast != slow:
            mismatches.append(f"{name}: oxigraph {sorted(fast[1].items())[:3]} vs rdflib {sorted(slow[1].items())[:3]}")
        if fast[0] == "SELECT" and fast[1]:
            non_empty += 1
    assert not mismatches, "\n".join(mismatches)
    assert non_empty >= len(_queries(synthetic[0])) // 2  # the comparison is about real answers, not empty sets
