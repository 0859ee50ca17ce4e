"""Each fact category of the curated monograph, queried back out of the built graph with SPARQL."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
import yaml

ROOT = Path(__file__).resolve().parents[2]
CURATED = yaml.safe_load((ROOT / "data/drugs/baclofen.yaml").read_text(encoding="utf-8"))
PREFIXES = """
PREFIX drugkg: <https://w3id.org/drugkg/vocab#>
PREFIX res: <https://w3id.org/drugkg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def expand(query: str) -> str:
    """`res:kind/slug` is not a legal SPARQL prefixed name; write it as a full IRI."""
    return re.sub(r"\bres:([\w-]+/[\w-]+)", r"<https://w3id.org/drugkg/resource/\1>", query)


def rows(graph: rdflib.Graph, query: str) -> set[tuple[str, ...]]:
    result = {tuple(str(v) if v is not None else "" for v in row) for row in graph.query(PREFIXES + expand(query))}
    assert result, "the query returned nothing"
    return result


def quantity(q: dict) -> tuple[str, str]:
    return (format(Decimal(str(q["value"])).normalize(), "f"), q["unit"])


def test_identity(graph: rdflib.Graph) -> None:
    drug = CURATED["drug"]
    got = rows(
        graph,
        """
        SELECT ?class ?analogue ?developer ?owner ?generic ?complete WHERE {
          res:drug/baclofen drugkg:drugClass/rdfs:label ?class ;
              drugkg:structuralAnalogueOf/skos:altLabel ?analogue ;
              drugkg:developer ?dev ; drugkg:genericAvailable ?generic ; drugkg:brandNamesComplete ?complete .
          ?dev rdfs:label ?developer ; drugkg:partOf/rdfs:label ?owner .
        }""",
    )
    assert got == {("muscle relaxant", "GABA", "Ciba-Geigy", "Novartis", "true", "false")}
    brands = rows(graph, "SELECT ?b WHERE { res:drug/baclofen drugkg:brandName ?b }")
    assert brands == {(b,) for b in drug["brand_names"]} == {("Lyvispah",), ("Gablofen",)}


def test_formulations_and_strengths(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?form ?route ?min ?minUnit ?max ?maxUnit WHERE {
          res:drug/baclofen drugkg:hasFormulation ?f .
          ?f drugkg:dosageForm/rdfs:label ?form ; drugkg:route/rdfs:label ?route ;
             drugkg:strengthRange [ drugkg:minimum [ drugkg:numericValue ?min ; drugkg:unit ?minUnit ] ;
                                    drugkg:maximum [ drugkg:numericValue ?max ; drugkg:unit ?maxUnit ] ] .
        }""",
    )
    expected = set()
    for f in CURATED["formulations"]:
        if "strength_range" in f:
            form = next(t["label"] for t in CURATED["terms"]["dosage_forms"] if t["id"] == f["dosage_form"])
            lo, hi = quantity(f["strength_range"]["min"]), quantity(f["strength_range"]["max"])
            expected.add((form, f["route"], *lo, *hi))
    assert got == expected == {("tablet", "oral", "5", "mg", "20", "mg"), ("granules", "oral", "5", "mg", "20", "mg")}


def test_oral_solution_concentration_and_normalised(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?n ?nu ?d ?du ?v ?vu WHERE {
          res:formulation/baclofen-oral-solution drugkg:concentration ?c ; drugkg:otherStrengthsAvailable true .
          ?c drugkg:numerator [ drugkg:numericValue ?n ; drugkg:unit ?nu ] ;
             drugkg:denominator [ drugkg:numericValue ?d ; drugkg:unit ?du ] ;
             drugkg:normalised [ drugkg:numericValue ?v ; drugkg:unit ?vu ] .
        }""",
    )
    assert got == {("25", "mg", "5", "mL", "5", "mg/mL")}
    datatypes = {
        row[0].datatype
        for row in graph.query(PREFIXES + "SELECT ?v WHERE { ?q a drugkg:Quantity ; drugkg:numericValue ?v }")
    }
    assert datatypes == {rdflib.XSD.decimal}


def test_intrathecal_delivery_modes(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?mode WHERE { res:formulation/baclofen-intrathecal-injection drugkg:route res:route/intrathecal ;
                               drugkg:deliveryMode/rdfs:label ?mode }""",
    )
    assert got == {("single intrathecal injection",), ("implantable programmable pump",), ("continuous infusion",)}


def test_dosing(graph: rdflib.Graph) -> None:
    r = CURATED["regimens"][0]
    got = rows(
        graph,
        """
        SELECT ?start ?su ?times ?interval ?cond ?single ?maxTimes ?daily ?du WHERE {
          res:drug/baclofen drugkg:hasRegimen ?r .
          ?r drugkg:route res:route/oral ;
             drugkg:startingDose [ drugkg:numericValue ?start ; drugkg:unit ?su ] ;
             drugkg:startingTimesPerDay ?times ;
             drugkg:titration [ drugkg:interval ?interval ; drugkg:titrationCondition ?cond ] ;
             drugkg:maxSingleDose [ drugkg:numericValue ?single ] ; drugkg:maxTimesPerDay ?maxTimes ;
             drugkg:maxDailyDose [ drugkg:numericValue ?daily ; drugkg:unit ?du ] .
        }""",
    )
    assert (
        got
        == {
            (
                *quantity(r["starting_dose"]),
                str(r["starting_times_per_day"]),
                r["titration"]["interval"],
                r["titration"]["condition"],
                quantity(r["max_single_dose"])[0],
                str(r["max_times_per_day"]),
                *quantity(r["max_daily_dose"]),
            )
        }
        == {("5", "mg", "3", "P3D", "clinical response and tolerability", "20", "4", "80", "mg")}
    )
    lower = rows(
        graph,
        """
        SELECT ?pop WHERE { res:regimen/baclofen-oral-standard drugkg:doseAdjustment ?a .
                            ?a drugkg:population/rdfs:label ?pop ; drugkg:recommendation res:recommendation/lower-dose-within-range }""",
    )
    assert lower == {("elderly people",), ("people with kidney problems",)}


def test_mechanism_target_and_genes(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?target ?action ?gene ?uniprot WHERE {
          ?m a drugkg:MechanismOfAction ; drugkg:forDrug res:drug/baclofen ;
             drugkg:target ?t ; drugkg:action/rdfs:label ?action .
          ?t rdfs:label ?target ; drugkg:hasSubunit ?p . ?g drugkg:encodes ?p ; rdfs:label ?gene .
          ?p skos:exactMatch ?uniprot .
        }""",
    )
    assert got == {
        ("GABA-B receptor", "binds", "GABBR1", "http://purl.uniprot.org/uniprot/Q9UBS5"),
        ("GABA-B receptor", "binds", "GABBR2", "http://purl.uniprot.org/uniprot/O75899"),
    }


def test_sma_genetics(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?gene ?product ?cell ?main WHERE {
          ?d a drugkg:DiseaseMechanism ; drugkg:condition res:condition/spinal-muscular-atrophy ;
             drugkg:causalGene/rdfs:label ?gene ; drugkg:geneProduct/skos:altLabel ?product ;
             drugkg:affectedCellType/rdfs:label ?cell ; drugkg:mainButNotSoleCause ?main .
        }""",
    )
    assert got == {("SMN1", "SMN", "motor neuron", "true")}


def test_indications(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """
        SELECT ?condition ?status ?by WHERE {
          ?i drugkg:forDrug res:drug/baclofen ; a ?cls ; drugkg:condition/rdfs:label ?condition .
          VALUES (?cls ?status) { (drugkg:ApprovedIndication "approved") (drugkg:OffLabelUse "off-label") }
          OPTIONAL { ?i drugkg:approvedBy/drugkg:abbreviation ?by }
        }""",
    )
    assert got == {
        ("multiple sclerosis", "approved", "FDA"),
        ("spinal cord injury", "approved", "FDA"),
        ("spinal cord disease", "approved", "FDA"),
        ("spinal muscular atrophy", "off-label", ""),
    }
    sma = rows(graph, """SELECT ?s WHERE { res:indication/baclofen-sma-spasticity drugkg:treats/rdfs:label ?s }""")
    assert sma == {("muscle spasm",), ("spasticity",)}


def test_adverse_effects_by_context(graph: rdflib.Graph) -> None:
    def effects(context: str, extra: str = "") -> set[tuple[str, ...]]:
        return rows(
            graph,
            f"""
            SELECT ?e WHERE {{ ?a a drugkg:AdverseEffectAssociation ; drugkg:forDrug res:drug/baclofen ;
                               drugkg:context drugkg:{context} ; drugkg:effect ?e . {extra} }}""",
        )

    def ids(group_ids: list[str]) -> set[tuple[str, ...]]:
        return {
            (f"https://w3id.org/drugkg/resource/finding/{e}",)
            for g in CURATED["adverse_effects"]
            if g["id"] in group_ids
            for e in g["effects"]
        }

    assert effects("CommonUse", "?a drugkg:frequency drugkg:Common") == ids(["common"])
    assert len(ids(["common"])) == 14
    assert effects("AbruptWithdrawal") == ids(["withdrawal", "withdrawal-rare", "withdrawal-fatal"])
    assert effects("AbruptWithdrawal", "?a drugkg:frequency drugkg:Rare") == ids(
        ["withdrawal-rare", "withdrawal-fatal"]
    )
    assert effects("AbruptWithdrawal", "?a drugkg:outcome drugkg:Fatal") == {
        ("https://w3id.org/drugkg/resource/finding/death",)
    }
    assert effects("Overdose", "?a drugkg:route res:route/intrathecal") == ids(["intrathecal-overdose"])
    assert effects("NeonatalExposure") == ids(["neonatal"])
    onset = rows(
        graph,
        """SELECT ?after ?lo ?hi WHERE { ?a drugkg:context drugkg:NeonatalExposure ;
        drugkg:onset [ drugkg:onsetAfter ?after ; drugkg:earliestUnit ?lo ; drugkg:latestUnit ?hi ] }""",
    )
    assert onset == {("delivery", "h", "d")}
    mass = rows(
        graph,
        """SELECT ?c WHERE { ?a drugkg:context drugkg:Implantation ;
        drugkg:effect res:finding/intrathecal-mass ; drugkg:frequency drugkg:SomeCases ; drugkg:consequence/rdfs:label ?c }""",
    )
    assert mass == {("reduced treatment efficacy",), ("pain",), ("neurological symptoms",)}
    population = rows(
        graph, """SELECT DISTINCT ?p WHERE { ?a drugkg:frequency drugkg:Common ; drugkg:population/rdfs:label ?p }"""
    )
    assert population == {("people treated for spasticity (reports not specific to SMA)",)}


def test_ovarian_cysts(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """SELECT ?who ?upTo ?outcome WHERE {
        ?a drugkg:effect res:finding/ovarian-cyst ; drugkg:population/rdfs:label ?who ;
           drugkg:exposureUpTo ?upTo ; drugkg:outcome/rdfs:label ?outcome }""",
    )
    assert got == {("women with multiple sclerosis", "P1Y", "mostly resolved by itself")}


def test_warnings(graph: rdflib.Graph) -> None:
    # the source asks nothing under the boxed warning itself (issue 16): no recommendation on it
    boxed = rows(
        graph,
        """SELECT ?by ?route (COUNT(?r) AS ?recs) WHERE { ?w drugkg:warningKind drugkg:BoxedWarning ;
        drugkg:issuedBy/drugkg:abbreviation ?by ; drugkg:route/rdfs:label ?route .
        OPTIONAL { ?w drugkg:recommendation ?r } } GROUP BY ?by ?route""",
    )
    curated = next(w for w in CURATED["warnings"] if w["kind"] == "boxed-warning")
    assert "recommendations" not in curated
    assert boxed == {("FDA", "intrathecal", "0")}
    caution = rows(
        graph,
        """SELECT ?pop WHERE { ?w drugkg:warningKind drugkg:UseWithCaution ;
        drugkg:population/drugkg:condition/rdfs:label ?pop }""",
    )
    assert caution == {
        ("psychotic disorder",),
        ("schizophrenia",),
        ("confusional state",),
        ("epilepsy",),
        ("stroke",),
        ("autonomic dysreflexia",),
        ("spasticity that supports posture, balance or function",),
    }
    refill = rows(
        graph,
        """SELECT ?w WHERE { ?w drugkg:recommendation res:recommendation/refills-by-trained-personnel ;
        drugkg:route res:route/intrathecal ; drugkg:context drugkg:Overdose }""",
    )
    assert len(refill) == 1


def test_populations_and_age_limits(graph: rdflib.Graph) -> None:
    got = rows(
        graph,
        """SELECT ?route ?age ?unit ?kind WHERE {
        ?w drugkg:route/rdfs:label ?route ; drugkg:warningKind/rdfs:label ?kind ;
           drugkg:population/drugkg:ageBelow [ drugkg:numericValue ?age ; drugkg:unit ?unit ] }""",
    )
    assert got == {
        ("oral", "12", "a", "safety and efficacy not established"),
        ("intrathecal", "4", "a", "safety and efficacy not evaluated"),
    }
    milk = rows(
        graph,
        """SELECT ?route ?milk WHERE { ?w drugkg:warningKind drugkg:Lactation ;
        drugkg:route/rdfs:label ?route ; drugkg:milkTransfer/rdfs:label ?milk }""",
    )
    assert milk == {("oral", "passes into breast milk"), ("intrathecal", "passage into breast milk unknown")}


def test_provenance_of_every_assertion(graph: rdflib.Graph) -> None:
    missing = list(
        graph.query(
            PREFIXES
            + expand("""
        SELECT ?a WHERE { ?a drugkg:forDrug ?d .
          FILTER NOT EXISTS { ?a prov:wasDerivedFrom ?doc ; drugkg:sourceSection ?s . ?s dcterms:isPartOf ?doc } }""")
        )
    )
    assert missing == []
    source = rows(
        graph,
        """SELECT ?title ?author ?checker ?date ?publisher WHERE {
        res:source/smanewstoday-baclofen-sma dcterms:title ?title ; dcterms:creator/rdfs:label ?author ;
          drugkg:factCheckedBy/rdfs:label ?checker ; dcterms:modified ?date ; dcterms:publisher/rdfs:label ?publisher }""",
    )
    assert source == {
        ("Baclofen for spinal muscular atrophy", "Andrea Lobo, PhD", "Jose Lopes, PhD", "2025-02-05", "SMA News Today")
    }
    section = rows(
        graph,
        """SELECT ?heading WHERE { res:indication/baclofen-sma-spasticity drugkg:sourceSection/rdfs:label ?heading }""",
    )
    assert section == {("What is baclofen for SMA?",), ("Therapy snapshot",)}


@pytest.mark.parametrize(
    ("resource", "xref"),
    [
        ("drug/baclofen", "http://purl.obolibrary.org/obo/CHEBI_2972"),
        ("drug/baclofen", "http://purl.bioontology.org/ontology/RXNORM/1292"),
        ("condition/spinal-muscular-atrophy", "http://purl.obolibrary.org/obo/MONDO_0001516"),
        ("route/intrathecal", "http://purl.obolibrary.org/obo/NCIT_C38267"),
        ("gene/gabbr1", "http://identifiers.org/ncbigene/2550"),
    ],
)
def test_cross_references(graph: rdflib.Graph, resource: str, xref: str) -> None:
    subject = rdflib.URIRef("https://w3id.org/drugkg/resource/" + resource)
    assert (subject, rdflib.SKOS.exactMatch, rdflib.URIRef(xref)) in graph


def test_no_blank_nodes_outside_the_ontology(built: Path) -> None:
    """Assertion nodes get minted IRIs; only the OWL axioms (disjointness lists) use blank nodes."""
    ds = rdflib.Dataset()
    ds.parse(built / "drugkg.trig", format="trig")
    ontology = rdflib.URIRef("https://w3id.org/drugkg/graph/ontology")
    blank = [q for q in ds.quads() if q[3] != ontology and any(isinstance(t, rdflib.BNode) for t in q[:3])]
    assert blank == []
    graphs = {str(q[3]).removeprefix("https://w3id.org/drugkg/graph/") for q in ds.quads()}
    assert {"ontology", "monograph/baclofen", "mappings/baclofen", "void"} <= graphs
