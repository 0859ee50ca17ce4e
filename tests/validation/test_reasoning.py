"""OWL reasoning: the ontology plus the built graph is consistent for HermiT; disjointness breaks are named."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg import reasoning
from drugkg.reasoning import (
    check_consistency,
    class_hierarchy,
    disjointness_clashes,
    hermit_hierarchy,
    inferred_type_triples,
)
from drugkg.validation.inputs import ontology_quads, read_build

V = "https://w3id.org/drugkg/vocab#"
R = "https://w3id.org/drugkg/resource/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def quads(built: Path) -> list[ox.Quad]:
    return list(read_build(built))


def store_with(quads: list[ox.Quad], *extra: tuple[str, str, str]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    for s, p, o in extra:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
    return store


def test_built_graph_is_consistent(quads: list[ox.Quad]) -> None:
    outcome = check_consistency(store_with(quads))
    assert outcome.status == "consistent", outcome.detail
    assert outcome.individuals == ()


def test_two_disjoint_types_are_inconsistent_and_named(quads: list[ox.Quad]) -> None:
    drug = R + "drug/baclofen"
    outcome = check_consistency(store_with(quads, (drug, str(RDF_TYPE.value), V + "ClinicalFinding")))
    assert outcome.status == "inconsistent"
    assert outcome.individuals == (drug,)
    assert "Drug" in outcome.detail and "ClinicalFinding" in outcome.detail and "disjoint" in outcome.detail


def test_off_label_use_with_approval_is_inconsistent_through_the_domain(quads: list[ox.Quad]) -> None:
    """drugkg:approvedBy has domain ApprovedIndication, which is disjoint with OffLabelUse."""
    node = R + "indication/baclofen-sma-spasticity"
    outcome = check_consistency(store_with(quads, (node, V + "approvedBy", R + "organization/fda")))
    assert outcome.status == "inconsistent"
    assert outcome.individuals == (node,)
    assert "ApprovedIndication" in outcome.detail and "OffLabelUse" in outcome.detail


def test_assertion_kinds_are_disjoint(quads: list[ox.Quad]) -> None:
    node = R + "warning/baclofen-taper"
    clashes = disjointness_clashes(store_with(quads, (node, str(RDF_TYPE.value), V + "Formulation")))
    assert (node, V + "Formulation", V + "Warning") in clashes


def test_missing_java_is_reported_and_nothing_breaks(quads: list[ox.Quad], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reasoning, "java_executable", lambda: None)
    outcome = check_consistency(store_with(quads))
    assert outcome.status == "unavailable" and "Java was not found" in outcome.detail


def test_large_graphs_are_skipped_with_a_reason(quads: list[ox.Quad]) -> None:
    outcome = check_consistency(store_with(quads), max_triples=100)
    assert outcome.status == "skipped" and "above the reasoning limit of 100" in outcome.detail


def test_hermit_hierarchy_equals_the_asserted_one() -> None:
    """Materialising types from the asserted rdfs:subClassOf closure is exactly what HermiT infers."""
    onto = ox.Store()
    onto.bulk_extend(list(ontology_quads()))
    asserted = {c: s for c, s in class_hierarchy(onto).items() if c.startswith(V)}
    inferred = {c: {x for x in s if not x.endswith("#Thing")} for c, s in hermit_hierarchy().items() if c.startswith(V)}
    assert asserted[V + "ApprovedIndication"] >= {V + "Indication", V + "Assertion", "http://www.w3.org/ns/prov#Entity"}
    for cls, supers in asserted.items():
        assert inferred.get(cls, {cls}) | {cls} == supers | {cls}, cls


def test_inferred_type_triples(quads: list[ox.Quad]) -> None:
    added = list(inferred_type_triples(store_with(quads)))
    node = ox.NamedNode(R + "indication/baclofen-ms-spasticity")
    mine = {t.object.value for t in added if t.subject == node}
    assert mine == {
        V + "Indication",
        V + "Assertion",
        "http://www.w3.org/ns/prov#Entity",
        "http://schema.org/MedicalIndication",
        "http://schema.org/ApprovedIndication",
    }
    assert all(t.predicate == RDF_TYPE for t in added)
    asserted = {(q.subject, q.object) for q in quads if q.predicate == RDF_TYPE}
    assert not any((t.subject, t.object) in asserted for t in added)
    assert added == list(inferred_type_triples(store_with(quads)))  # stable order
