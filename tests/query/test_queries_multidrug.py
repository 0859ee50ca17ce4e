"""Regression: on a build of several drugs, shared terms (routes, findings, populations) are defined in
every drug's named graph, and Oxigraph's union default graph is a bag (one solution per graph holding a
triple). The catalogue's answers must still be sets, and the same as rdflib's on the merged graph."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.queries import multiset

from drugkg.catalogue import load_catalogue
from drugkg.querying import bind_parameters, run_on_graph, run_on_store, to_table

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = {q.name: q for q in load_catalogue()}


@functools.lru_cache(maxsize=1)
def _multi(tmp: str) -> tuple[ox.Store, object]:
    import rdflib

    from drugkg.build import build
    from drugkg.buildfolder import STORE_DIR

    data = Path(tmp) / "data"
    shutil.copytree(ROOT / "data", data)
    # a second drug sharing every term definition with baclofen, under its own id
    text = (data / "drugs" / "baclofen.yaml").read_text(encoding="utf-8")
    assert "\ndrug:\n  id: baclofen\n" in text
    (data / "drugs" / "baclofen-twin.yaml").write_text(
        text.replace("\ndrug:\n  id: baclofen\n", "\ndrug:\n  id: baclofen-twin\n"), encoding="utf-8"
    )
    out = build(Path(tmp) / "build", data)
    graph = rdflib.Graph()
    graph.parse(out / "drugkg.nt", format="nt")
    return ox.Store.read_only(str(out / STORE_DIR)), graph


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, object]:
    try:
        return _multi(str(tmp_path_factory.mktemp("multidrug")))
    except Exception as err:
        pytest.fail(f"could not build the two-drug fixture: {err}")


def test_shared_terms_are_stored_once(multi: tuple[ox.Store, object]) -> None:
    """Regression: shared term triples sat in every monograph's graph, so Oxigraph's union (a bag)
    duplicated rows; the build now keeps them once, in the terms graph."""
    store, _ = multi
    oral = ox.NamedNode("https://w3id.org/drugkg/resource/route/oral")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = list(store.quads_for_pattern(oral, label, None))
    assert [q.graph_name.value for q in quads] == ["https://w3id.org/drugkg/graph/terms"]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_same_set_of_answers_as_rdflib_on_a_multi_drug_build(multi: tuple[ox.Store, object], name: str) -> None:
    store, graph = multi
    q = CATALOGUE[name]
    bindings = bind_parameters(q, {})
    ours = to_table(run_on_store(store, q.text, bindings))
    theirs = to_table(run_on_graph(graph, q.text, bindings))
    if q.form == "ASK":
        assert ours.boolean == theirs.boolean
        return
    counted = multiset(ours)
    assert all(n == 1 for n in counted.values()), f"{name}: duplicate rows on Oxigraph's union default graph"
    assert counted == multiset(theirs), f"{name}: Oxigraph and rdflib disagree on a multi-drug build"
