"""Mutation suite: realistic mistakes applied to the valid built graph, each with the exact report it must give.

Each case is DASH-style, side by side: the mutation (a SPARQL Update on the built graph), and the
expected results as (focus node, result path, sh:sourceConstraintComponent) triples, severity
included where it is a warning. The test asserts the report is exactly that set, not merely
`conforms == False`. The last test applies every mutation at once and checks that the fast engine
and plain pySHACL agree result for result (focus, path, value, component, severity, shape, message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg.validation import validate_store
from drugkg.validation.inputs import read_build
from drugkg.validation.reference import validate_with_pyshacl
from drugkg.validation.shapes import load_shapes_graph

R = "https://w3id.org/drugkg/resource/"
V = "https://w3id.org/drugkg/vocab#"
SH = "http://www.w3.org/ns/shacl#"
PREFIXES = f"""PREFIX r: <{R}>
PREFIX drugkg: <{V}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX void: <http://rdfs.org/ns/void#>
"""
MIN, MAX, DT, CLASS, IN, KIND, SPARQL = (
    f"{SH}{c}ConstraintComponent" for c in ("MinCount", "MaxCount", "Datatype", "Class", "In", "NodeKind", "SPARQL")
)
MINEXCL, MININCL, MAXINCL = (f"{SH}{c}ConstraintComponent" for c in ("MinExclusive", "MinInclusive", "MaxInclusive"))
REGIMEN = R + "regimen/baclofen-oral-standard"
TABLET = R + "formulation/baclofen-oral-tablet"
OFFLABEL = R + "indication/baclofen-sma-spasticity"
APPROVED = R + "indication/baclofen-ms-spasticity"
NAUSEA_AE = R + "adverse-effect/baclofen-common-nausea"
BOXED = R + "warning/baclofen-boxed-intrathecal-withdrawal"
START_Q = R + "quantity/baclofen-oral-standard-starting-dose"
DAILY_Q = R + "quantity/baclofen-oral-standard-max-daily-dose"
AGE_Q = R + "age-limit/children-under-12"
CHILDREN = R + "population/children-under-12"
DRUG = R + "drug/baclofen"
SOURCE = R + "source/smanewstoday-baclofen-sma"


def seq(*preds: str) -> str:
    return "/".join(f"<{p}>" for p in preds)


def p(iri: str) -> str:
    return f"<{iri}>"


@dataclass(frozen=True)
class Mutation:
    name: str
    update: str
    expected: frozenset[tuple[str, str, str]]  # (focus, path as text, component)
    warning: bool = False


def m(name: str, update: str, *expected: tuple[str, str, str], warning: bool = False) -> Mutation:
    return Mutation(name, update, frozenset(expected), warning)


MUTATIONS = [
    m(
        "regimen starting dose removed",
        f"DELETE WHERE {{ <{REGIMEN}> drugkg:startingDose ?q }}",
        (REGIMEN, p(V + "startingDose"), MIN),
    ),
    m(
        "starting dose above the maximum single dose",
        f"DELETE {{ <{START_Q}> drugkg:numericValue ?v }} INSERT {{ <{START_Q}> drugkg:numericValue 25.0 }} "
        f"WHERE {{ <{START_Q}> drugkg:numericValue ?v }}",
        (REGIMEN, p(V + "startingDose"), SPARQL),
    ),
    m(
        "maximum daily dose disagrees with single dose x times a day",
        f"DELETE {{ <{DAILY_Q}> drugkg:numericValue ?v }} INSERT {{ <{DAILY_Q}> drugkg:numericValue 60.0 }} "
        f"WHERE {{ <{DAILY_Q}> drugkg:numericValue ?v }}",
        (REGIMEN, p(V + "maxDailyDose"), SPARQL),
    ),
    m(
        "quantity value typed as a string",
        f'DELETE {{ <{START_Q}> drugkg:numericValue ?v }} INSERT {{ <{START_Q}> drugkg:numericValue "5" }} '
        f"WHERE {{ <{START_Q}> drugkg:numericValue ?v }}",
        (START_Q, p(V + "numericValue"), DT),
        (START_Q, p(V + "numericValue"), MINEXCL),
    ),
    m(
        "quantity value ill-typed decimal",
        f'DELETE {{ <{START_Q}> drugkg:numericValue ?v }} INSERT {{ <{START_Q}> drugkg:numericValue "five"^^xsd:decimal }} '
        f"WHERE {{ <{START_Q}> drugkg:numericValue ?v }}",
        (START_Q, p(V + "numericValue"), DT),
        (START_Q, p(V + "numericValue"), MINEXCL),
    ),
    m(
        "quantity with two values",
        f"INSERT DATA {{ <{START_Q}> drugkg:numericValue 7.5 }}",
        (START_Q, p(V + "numericValue"), MAX),
    ),
    m("quantity unit missing", f"DELETE WHERE {{ <{START_Q}> drugkg:unit ?u }}", (START_Q, p(V + "unit"), MIN)),
    m(
        "unit not UCUM (ml for mL)",
        f"DELETE {{ <{R}quantity/baclofen-oral-solution-1-denominator> drugkg:unit ?u }} "
        f'INSERT {{ <{R}quantity/baclofen-oral-solution-1-denominator> drugkg:unit "ml" }} '
        f"WHERE {{ <{R}quantity/baclofen-oral-solution-1-denominator> drugkg:unit ?u }}",
        (R + "quantity/baclofen-oral-solution-1-denominator", p(V + "unit"), IN),
    ),
    m(
        "zero strength",
        f"DELETE {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue ?v }} "
        f"INSERT {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue 0.0 }} "
        f"WHERE {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue ?v }}",
        (R + "quantity/baclofen-oral-tablet-strength-min", p(V + "numericValue"), MINEXCL),
    ),
    m(
        "strength range upside down",
        f"DELETE {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue ?v }} "
        f"INSERT {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue 40.0 }} "
        f"WHERE {{ <{R}quantity/baclofen-oral-tablet-strength-min> drugkg:numericValue ?v }}",
        (R + "strength-range/baclofen-oral-tablet", p(V + "minimum"), SPARQL),
    ),
    m(
        "negative age limit",
        f"DELETE {{ <{AGE_Q}> drugkg:numericValue ?v }} INSERT {{ <{AGE_Q}> drugkg:numericValue -12.0 }} "
        f"WHERE {{ <{AGE_Q}> drugkg:numericValue ?v }}",
        (CHILDREN, seq(V + "ageBelow", V + "numericValue"), MININCL),
    ),
    m(
        "age limit in milligrams",
        f'DELETE {{ <{AGE_Q}> drugkg:unit ?u }} INSERT {{ <{AGE_Q}> drugkg:unit "mg" }} WHERE {{ <{AGE_Q}> drugkg:unit ?u }}',
        (CHILDREN, seq(V + "ageBelow", V + "unit"), IN),
    ),
    m(
        "age limit of 1200 years",
        f"DELETE {{ <{AGE_Q}> drugkg:numericValue ?v }} INSERT {{ <{AGE_Q}> drugkg:numericValue 1200.0 }} "
        f"WHERE {{ <{AGE_Q}> drugkg:numericValue ?v }}",
        (CHILDREN, p(V + "ageBelow"), SPARQL),
        warning=True,
    ),
    m(
        "provenance removed from an assertion",
        f"DELETE WHERE {{ <{NAUSEA_AE}> drugkg:sourceSection ?s . <{NAUSEA_AE}> prov:wasDerivedFrom ?d }}",
        (NAUSEA_AE, p(V + "sourceSection"), MIN),
        (NAUSEA_AE, p("http://www.w3.org/ns/prov#wasDerivedFrom"), MIN),
    ),
    m(
        "section cited from a document the assertion does not name",
        f"DELETE WHERE {{ <{NAUSEA_AE}> prov:wasDerivedFrom ?d }} ; "
        f"INSERT DATA {{ <{NAUSEA_AE}> prov:wasDerivedFrom <{R}source/drugkg-identifier-review> }}",
        (NAUSEA_AE, p(V + "sourceSection"), SPARQL),
    ),
    m(
        "off-label use marked approved",
        f"INSERT DATA {{ <{OFFLABEL}> drugkg:approvedBy <{R}organization/fda> }}",
        (OFFLABEL, p(V + "approvedBy"), SPARQL),
    ),
    m(
        "approved indication without an authority",
        f"DELETE WHERE {{ <{APPROVED}> drugkg:approvedBy ?a }}",
        (APPROVED, p(V + "approvedBy"), MIN),
    ),
    m(
        "approval by a company, not a regulator",
        f"DELETE WHERE {{ <{APPROVED}> drugkg:approvedBy ?a }} ; "
        f"INSERT DATA {{ <{APPROVED}> drugkg:approvedBy <{R}organization/novartis> }}",
        (APPROVED, p(V + "approvedBy"), CLASS),
    ),
    m(
        "indication with neither status",
        f"DELETE DATA {{ <{APPROVED}> rdf:type drugkg:ApprovedIndication }} ; "
        f"INSERT DATA {{ <{APPROVED}> rdf:type drugkg:Indication }}",
        (APPROVED, "", SPARQL),
    ),
    m(
        "exposure context outside its value set",
        f"DELETE WHERE {{ <{NAUSEA_AE}> drugkg:context ?c }} ; INSERT DATA {{ <{NAUSEA_AE}> drugkg:context drugkg:Rare }}",
        (NAUSEA_AE, p(V + "context"), IN),
        (NAUSEA_AE, p(V + "context"), CLASS),
    ),
    m(
        "adverse effect without its effect",
        f"DELETE WHERE {{ <{NAUSEA_AE}> drugkg:effect ?e }}",
        (NAUSEA_AE, p(V + "effect"), MIN),
    ),
    m(
        "dangling reference to an undefined finding",
        f"DELETE WHERE {{ <{NAUSEA_AE}> drugkg:effect ?e }} ; INSERT DATA {{ <{NAUSEA_AE}> drugkg:effect r:finding/nausia }}",
        (NAUSEA_AE, p(V + "effect"), CLASS),
    ),
    m(
        "effect given as text instead of a node",
        f'DELETE WHERE {{ <{NAUSEA_AE}> drugkg:effect ?e }} ; INSERT DATA {{ <{NAUSEA_AE}> drugkg:effect "nausea" }}',
        (NAUSEA_AE, p(V + "effect"), KIND),
        (NAUSEA_AE, p(V + "effect"), CLASS),
    ),
    m(
        "assertion about no drug",
        f"DELETE WHERE {{ <{NAUSEA_AE}> drugkg:forDrug ?d }}",
        (NAUSEA_AE, p(V + "forDrug"), MIN),
    ),
    m(
        "regimen for a formulation of another route",
        f"INSERT DATA {{ <{REGIMEN}> drugkg:appliesToFormulation r:formulation/baclofen-intrathecal-injection }}",
        (REGIMEN, p(V + "appliesToFormulation"), SPARQL),
    ),
    m(
        "doses per day as a decimal",
        f"DELETE WHERE {{ <{REGIMEN}> drugkg:startingTimesPerDay ?n }} ; INSERT DATA {{ <{REGIMEN}> drugkg:startingTimesPerDay 3.0 }}",
        (REGIMEN, p(V + "startingTimesPerDay"), DT),
    ),
    m(
        "thirty doses a day",
        f"DELETE WHERE {{ <{REGIMEN}> drugkg:maxTimesPerDay ?n }} ; INSERT DATA {{ <{REGIMEN}> drugkg:maxTimesPerDay 30 }}",
        (REGIMEN, p(V + "maxTimesPerDay"), MAXINCL),
        (REGIMEN, p(V + "maxDailyDose"), SPARQL),
    ),
    m(
        "titration interval not a duration",
        f"DELETE WHERE {{ <{R}titration/baclofen-oral-standard> drugkg:interval ?i }} ; "
        f'INSERT DATA {{ <{R}titration/baclofen-oral-standard> drugkg:interval "3 days" }}',
        (R + "titration/baclofen-oral-standard", p(V + "interval"), DT),
    ),
    m(
        "formulation not listed by its drug",
        f"DELETE DATA {{ <{DRUG}> drugkg:hasFormulation <{TABLET}> }}",
        (TABLET, f"^<{V}hasFormulation>", MIN),
    ),
    m(
        "formulation with two routes",
        f"INSERT DATA {{ <{TABLET}> drugkg:route r:route/intrathecal }}",
        (TABLET, p(V + "route"), MAX),
        (REGIMEN, p(V + "appliesToFormulation"), SPARQL),
    ),
    m(
        "boxed warning without an authority",
        f"DELETE WHERE {{ <{BOXED}> drugkg:issuedBy ?a }}",
        (BOXED, p(V + "issuedBy"), SPARQL),
        warning=True,
    ),
    m(
        "drug label in two languages' worth of labels",
        f'INSERT DATA {{ <{DRUG}> rdfs:label "Baclofen"@de }}',
        (DRUG, p("http://www.w3.org/2000/01/rdf-schema#label"), MAX),
    ),
    m(
        "label without a language tag",
        f'DELETE WHERE {{ <{R}finding/nausea> rdfs:label ?l }} ; INSERT DATA {{ <{R}finding/nausea> rdfs:label "nausea" }}',
        (R + "finding/nausea", p("http://www.w3.org/2000/01/rdf-schema#label"), DT),
    ),
    m(
        "misspelt drugkg property",
        f"INSERT DATA {{ <{REGIMEN}> drugkg:startingdose <{START_Q}> }}",
        (REGIMEN, p(V + "startingdose"), SPARQL),
    ),
    m(
        "misspelt drugkg class",
        f"INSERT DATA {{ <{DRUG}> rdf:type drugkg:Drugg }}",
        (DRUG, p("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SPARQL),
    ),
    m(
        "malformed CURIE as a cross-reference",
        f"INSERT DATA {{ <{DRUG}> skos:exactMatch <CHEBI:2972> }}",
        (DRUG, p("http://www.w3.org/2004/02/skos/core#exactMatch"), SPARQL),
    ),
    m(
        "cross-reference to an unknown namespace",
        f"INSERT DATA {{ <{DRUG}> skos:closeMatch <http://example.org/drug/42> }}",
        (DRUG, p("http://www.w3.org/2004/02/skos/core#closeMatch"), SPARQL),
    ),
    m(
        "cross-reference as text",
        f'INSERT DATA {{ <{DRUG}> skos:exactMatch "CHEBI:2972" }}',
        (DRUG, p("http://www.w3.org/2004/02/skos/core#exactMatch"), SPARQL),
    ),
    m(
        "cross-reference on a misspelt drug IRI",
        "INSERT DATA { r:drug/baclofem skos:exactMatch <http://purl.obolibrary.org/obo/CHEBI_2972> }",
        (R + "drug/baclofem", p("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), MIN),
    ),
    m(
        "mapping record without its triple",
        f"DELETE DATA {{ <{DRUG}> skos:exactMatch <http://purl.obolibrary.org/obo/CHEBI_2972> }}",
        (R + "mapping/baclofen-1", "", SPARQL),
    ),
    m(
        "mapping justification outside SEMAPV",
        "DELETE WHERE { r:mapping/baclofen-1 sssom:mapping_justification ?j } ; "
        "INSERT DATA { r:mapping/baclofen-1 sssom:mapping_justification <https://w3id.org/semapv/vocab/Guess> }",
        (R + "mapping/baclofen-1", p("https://w3id.org/sssom/mapping_justification"), IN),
    ),
    m(
        "source document date as text",
        f'DELETE WHERE {{ <{SOURCE}> dcterms:modified ?d }} ; INSERT DATA {{ <{SOURCE}> dcterms:modified "5 Feb 2025" }}',
        (SOURCE, p("http://purl.org/dc/terms/modified"), DT),
    ),
    m(
        "source document without an author",
        f"DELETE WHERE {{ <{SOURCE}> dcterms:creator ?c }}",
        (SOURCE, p("http://purl.org/dc/terms/creator"), MIN),
    ),
    m(
        "dataset without a licence",
        "DELETE WHERE { <https://w3id.org/drugkg/dataset> dcterms:license ?l }",
        ("https://w3id.org/drugkg/dataset", p("http://purl.org/dc/terms/license"), MIN),
    ),
    m(
        "dataset triple count negative",
        "DELETE WHERE { <https://w3id.org/drugkg/dataset> void:triples ?n } ; "
        "INSERT DATA { <https://w3id.org/drugkg/dataset> void:triples -1 }",
        ("https://w3id.org/drugkg/dataset", p("http://rdfs.org/ns/void#triples"), MININCL),
    ),
    m(
        "brand name without its search key",
        f'DELETE WHERE {{ <{DRUG}> drugkg:searchKey "gablofen" }}',
        (DRUG, p(V + "brandName"), SPARQL),
    ),
    m(
        "search key of no name (a typo)",
        f'INSERT DATA {{ <{R}finding/seizure> drugkg:searchKey "siezure" }}',
        (R + "finding/seizure", p(V + "searchKey"), SPARQL),
    ),
    m(
        "search key left in its original letter case",
        f'DELETE WHERE {{ <{R}finding/convulsion> drugkg:searchKey "convulsion" }} ; '
        f'INSERT DATA {{ <{R}finding/convulsion> drugkg:searchKey "Convulsion" }}',
        (R + "finding/convulsion", p(V + "searchKey"), SPARQL),
        (R + "finding/convulsion", p("http://www.w3.org/2004/02/skos/core#altLabel"), SPARQL),
    ),
    m(
        "broader finding missing from the stored closure",
        f"DELETE WHERE {{ <{R}finding/exaggerated-spasticity> skos:broaderTransitive ?up }}",
        (R + "finding/exaggerated-spasticity", p("http://www.w3.org/2004/02/skos/core#broaderTransitive"), SPARQL),
    ),
    m(
        "closure names a finding no chain of broader reaches",
        f"INSERT DATA {{ <{R}finding/exaggerated-spasticity> skos:broaderTransitive <{R}finding/seizure> }}",
        (R + "finding/exaggerated-spasticity", p("http://www.w3.org/2004/02/skos/core#broaderTransitive"), SPARQL),
    ),
    m(
        "publisher of the dataset without a name",
        "DELETE WHERE { <https://w3id.org/drugkg/resource/organization/drugkg-project> <http://xmlns.com/foaf/0.1/name> ?n }",
        ("https://w3id.org/drugkg/resource/organization/drugkg-project", p("http://xmlns.com/foaf/0.1/name"), MIN),
    ),
    m(
        "version level of the dataset without a title",
        "DELETE WHERE { <https://w3id.org/drugkg/dataset/0.1.0> <http://purl.org/dc/terms/title> ?t }",
        ("https://w3id.org/drugkg/dataset/0.1.0", p("http://purl.org/dc/terms/title"), MIN),
    ),
]


@pytest.fixture(scope="session")
def base_quads(built: Path) -> list[ox.Quad]:
    return list(read_build(built))


def mutated(base_quads: list[ox.Quad], *updates: str) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(base_quads)
    for update in updates:
        store.update(PREFIXES + re.sub(r"\br:([\w/-]+)", lambda mt: f"<{R}{mt.group(1)}>", update))
    return store


def test_mutation_names_are_distinct_and_enough() -> None:
    assert len({mu.name for mu in MUTATIONS}) == len(MUTATIONS) >= 30
    assert len({mu.update for mu in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mu.name for mu in MUTATIONS])
def test_mutation_is_reported_exactly(base_quads: list[ox.Quad], mutation: Mutation) -> None:
    store = mutated(base_quads, mutation.update)
    assert len(store) != len(base_quads) or mutation.update.startswith("DELETE"), "the mutation changed nothing"
    outcome = validate_store(store, reasoning=False)
    got = {(str(r.focus), r.path.text() if r.path else "", str(r.component)) for r in outcome.results}
    assert got == set(mutation.expected)
    severities = {str(r.severity) for r in outcome.results}
    assert severities == {SH + ("Warning" if mutation.warning else "Violation")}
    assert outcome.conforms is mutation.warning
    assert all(r.message for r in outcome.results)


def test_every_mutation_at_once_fast_equals_pyshacl(base_quads: list[ox.Quad]) -> None:
    """The fast engine and plain pySHACL give identical results on a graph with many violations."""
    updates = [mu.update for mu in MUTATIONS if "drugkg:startingdose" not in mu.update]
    store = mutated(base_quads, *updates)
    fast = validate_store(store, reasoning=False).results
    reference = validate_with_pyshacl(store, load_shapes_graph())
    assert len(fast) >= 30
    assert [r.key() for r in fast] == [r.key() for r in reference]
    assert {str(r.component).rsplit("#")[-1] for r in fast} >= {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "InConstraintComponent",
        "NodeKindConstraintComponent",
        "SPARQLConstraintComponent",
        "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent",
    }
