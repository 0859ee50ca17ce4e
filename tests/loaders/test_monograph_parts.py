"""Each part of the monograph transform alone, and the parts together equal to the whole."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from drugkg.namespaces import VOCAB, resource_iri
from loaders.monograph import _RDFLIB_TERMS, monograph_ox_triples, monograph_triples, read_monograph
from loaders.monograph_parts import (
    PARTS,
    Emitter,
    dosing_triples,
    identity_triples,
    population_triples,
    warning_triples,
)

BACLOFEN = Path(__file__).resolve().parents[2] / "data" / "drugs" / "baclofen.yaml"
DRUG = URIRef(resource_iri("drug", "baclofen"))


def _emitter() -> Emitter:
    return Emitter(read_monograph(BACLOFEN), _RDFLIB_TERMS)


def test_identity_part_alone_makes_the_drug_and_only_the_drug() -> None:
    triples = set(identity_triples(_emitter()))
    assert (DRUG, RDF.type, VOCAB.Drug) in triples
    assert (DRUG, RDFS.label, Literal("baclofen", lang="en")) in triples
    assert {s for s, _, _ in triples} == {DRUG}


def test_population_part_alone_gives_the_oral_age_limit_of_12_years() -> None:
    triples = set(population_triples(_emitter()))
    age = URIRef(resource_iri("age-limit", "children-under-12"))
    assert (
        age,
        VOCAB.numericValue,
        Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
    ) in triples
    assert (age, VOCAB.unit, Literal("a")) in triples


def test_dosing_part_alone_has_only_regimen_subjects_or_their_parts() -> None:
    subjects = {str(s) for s, _, _ in dosing_triples(_emitter())}
    allowed = tuple(resource_iri(k, "") for k in ("regimen", "quantity", "titration", "dose-adjustment", "drug"))
    assert subjects and all(s.startswith(allowed) for s in subjects)


def test_warning_part_alone_types_every_warning() -> None:
    triples = list(warning_triples(_emitter()))
    typed = {s for s, p, o in triples if p == RDF.type and o == VOCAB.Warning}
    assert {s for s, _, _ in triples} == typed
    assert len(typed) == len(read_monograph(BACLOFEN).warnings)


def test_parts_together_are_the_whole_in_order() -> None:
    e = _emitter()
    joined = [t for part in PARTS for t in part(e)]
    assert joined == list(monograph_triples(e.m))


def test_rdflib_and_oxigraph_terms_give_the_same_triples() -> None:
    m = read_monograph(BACLOFEN)
    as_text = [tuple(str(x.n3()) for x in t) for t in monograph_triples(m)]
    ox_text = [tuple(str(x) for x in t) for t in monograph_ox_triples(m)]
    assert len(as_text) == len(ox_text) > 1000
    assert as_text == ox_text
