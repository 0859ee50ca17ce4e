"""Outside data checked against drugkg's shapes: one monograph's own graph, without the shared terms it
points at and without search keys, validates (drugkg adds its ontology, shared terms and the derived
search keys); users' own shapes replace drugkg's."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from drugkg.build import GRAPH_TERMS
from drugkg.cli import main
from drugkg.namespaces import VOCAB
from drugkg.validation import validate_files

SEARCH_KEY = ox.NamedNode(str(VOCAB.searchKey))


def _monograph_graph(built: Path) -> list[ox.Triple]:
    quads = list(ox.parse(path=str(built / "drugkg.trig"), format=ox.RdfFormat.TRIG))
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
                     and "/monograph/" in q.graph_name.value})
    assert graphs, "the build has no monograph graph"
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name == ox.NamedNode(graphs[0])]


def test_monograph_without_shared_terms_and_search_keys_validates(built: Path, tmp_path: Path) -> None:
    triples = [t for t in _monograph_graph(built) if t.predicate != SEARCH_KEY]
    terms = {q.subject for q in ox.parse(path=str(built / "drugkg.trig"), format=ox.RdfFormat.TRIG)
             if q.graph_name == ox.NamedNode(GRAPH_TERMS)}
    assert terms and not any(t.subject in terms for t in triples)  # the terms are not restated
    assert any(t.object in terms for t in triples)  # but pointed at
    data = tmp_path / "drug.nt"
    ox.serialize(triples, str(data), ox.RdfFormat.N_TRIPLES)
    outcome = validate_files([data], reasoning=False)
    assert outcome.engine == "fast"
    assert [(str(r.focus), str(r.path), r.component) for r in outcome.results] == []


def test_a_wrong_search_key_of_outside_data_is_still_reported(built: Path, tmp_path: Path) -> None:
    triples = _monograph_graph(built)
    drug = next(t.subject for t in triples if t.predicate == SEARCH_KEY)
    triples.append(ox.Triple(drug, SEARCH_KEY, ox.Literal("not a name of it")))
    data = tmp_path / "drug.nt"
    ox.serialize(triples, str(data), ox.RdfFormat.N_TRIPLES)
    outcome = validate_files([data], reasoning=False)
    assert [(str(r.focus), str(r.path), str(r.value), r.component.rsplit("#", 1)[1]) for r in outcome.results] == [
        (drug.value, f"<{VOCAB.searchKey}>", "not a name of it", "SPARQLConstraintComponent")]


def test_users_own_shapes_replace_drugkgs(tmp_path: Path) -> None:
    shapes = tmp_path / "mine.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://example.org/S> a sh:NodeShape ; "
                      "sh:targetClass <http://example.org/Thing> ; sh:property [ sh:path <http://example.org/name> ; "
                      "sh:minCount 1 ] .\n", encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/Thing> .\n"
                    "<http://example.org/b> a <http://example.org/Thing> ; <http://example.org/name> \"b\" .\n",
                    encoding="utf-8")
    outcome = validate_files([data], shapes=[shapes], reasoning=False)
    assert outcome.engine == "fast" and outcome.triples == 3
    assert [(str(r.focus), r.component.rsplit("#", 1)[1]) for r in outcome.results] == [
        ("http://example.org/a", "MinCountConstraintComponent")]
    assert main(["validate", str(data), "--shapes", str(shapes), "--no-reasoning"]) == 1
    assert main(["validate", str(data), "--no-reasoning"]) == 0  # drugkg's shapes say nothing about ex:Thing
