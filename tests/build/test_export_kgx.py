"""`drugkg export --format kgx`: the baclofen build as Biolink KGX nodes and edges.

The round trip is checked against rdflib over the N-Triples dump (not the store the export read):
every exported edge names a statement of the graph, every statement of an exported kind that has an
edge (all but a disease mechanism with neither gene nor consequence) has one, and every property
value of a statement comes back from its edges, and so do the figures (value and unit of a dose,
a strength range, a concentration, a titration) its figure-like values hold.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import support.serving as fx

from drugkg.export import export_build
from drugkg.export.curies import expand_drugkg_curie
from drugkg.export.kgx import KgxGraph, read_graph

synthetic_five_build = fx.synthetic_five_build

ROOT = Path(__file__).resolve().parents[2]
V = "https://w3id.org/drugkg/vocab#"
R = "https://w3id.org/drugkg/resource/"
KINDS = (
    "ApprovedIndication",
    "OffLabelUse",
    "AdverseEffectAssociation",
    "MechanismOfAction",
    "DiseaseMechanism",
    "Formulation",
    "DosingRegimen",
    "DoseAdjustment",
    "Warning",
)
DERIVED = str(rdflib.namespace.PROV.wasDerivedFrom)


@pytest.fixture(scope="module")
def exported(built: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[KgxGraph, Path]:
    out = tmp_path_factory.mktemp("kgx")
    graph, _ = export_build(built, out)
    return graph, out


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _edge(rows: list[dict[str, str]], edge_id: str) -> dict[str, str]:
    found = [r for r in rows if r["id"] == edge_id]
    assert len(found) == 1, edge_id
    return found[0]


def test_node_ids_are_the_exact_match_curies(exported: tuple[KgxGraph, Path]) -> None:
    nodes = {r["id"]: r for r in _tsv(exported[1] / "nodes.tsv")}
    # an active ingredient (the object of has_active_ingredient) is a molecular entity too
    assert nodes["CHEBI:2972"]["category"] == "biolink:Drug|biolink:MolecularEntity"
    assert nodes["CHEBI:2972"]["name"] == "baclofen"
    assert "drugkg.drug:baclofen" in nodes["CHEBI:2972"]["xref"].split("|")
    assert "DRUGBANK:DB00181" in nodes["CHEBI:2972"]["xref"].split("|")
    assert nodes["MONDO:0001516"]["category"] == "biolink:Disease"
    assert nodes["HP:0001257"]["category"] == "biolink:PhenotypicFeature"
    assert nodes["NCBIGene:6606"]["category"] == "biolink:Gene"
    assert nodes["NCBIGene:6606"]["xref"] == "ENSEMBL:ENSG00000172062|HGNC:11117|drugkg.gene:smn1"
    # no exact match: the drugkg CURIE; two subunits: a complex
    assert nodes["drugkg.target:gaba-b-receptor"]["category"] == "biolink:MacromolecularComplex"
    # somnolence is only a closeMatch of HP:0001262, so it keeps its drugkg id
    assert "drugkg.finding:somnolence" in nodes and "HP:0001262" not in nodes


def test_uses_with_approval_status_and_symptoms_in_context(exported: tuple[KgxGraph, Path]) -> None:
    edges = _tsv(exported[1] / "edges.tsv")
    sma = _edge(edges, "drugkg.indication:baclofen-sma-spasticity")
    assert (sma["subject"], sma["predicate"], sma["object"]) == (
        "CHEBI:2972",
        "biolink:applied_to_treat",
        "MONDO:0001516",
    )
    assert sma["clinical_approval_status"] == "off_label_use"
    assert sma["category"] == "biolink:ChemicalEntityToDiseaseOrPhenotypicFeatureAssociation"
    ms = _edge(edges, "drugkg.indication:baclofen-ms-spasticity")
    assert (ms["predicate"], ms["object"], ms["clinical_approval_status"]) == (
        "biolink:treats",
        "MONDO:0005301",
        "approved_for_condition",
    )
    assert ms["drugkg_approved_by"] == "drugkg.organization:fda"
    symptom = _edge(edges, "drugkg.indication:baclofen-sma-spasticity#treats-spasticity")
    assert (symptom["predicate"], symptom["object"], symptom["disease_context_qualifier"]) == (
        "biolink:applied_to_treat",
        "HP:0001257",
        "MONDO:0001516",
    )
    assert symptom["drugkg_statement"] == "drugkg.indication:baclofen-sma-spasticity"


def test_adverse_effects_by_context_with_route_population_and_provenance(exported: tuple[KgxGraph, Path]) -> None:
    edges = _tsv(exported[1] / "edges.tsv")
    common = _edge(edges, "drugkg.adverse-effect:baclofen-common-agitation")
    assert (common["predicate"], common["object"]) == ("biolink:has_side_effect", "HP:0000713")
    assert common["drugkg_context"] == "drugkg.vocab:CommonUse"
    assert common["drugkg_frequency"] == "drugkg.vocab:Common"
    assert common["drugkg_population"] == "drugkg.population:people-treated-for-spasticity"
    # the source reports it (drugkg:Reported); the ontology maps Reported to observation
    assert (common["drugkg_certainty"], common["knowledge_level"]) == ("drugkg.vocab:Reported", "observation")
    assert common["agent_type"] == "manual_agent"
    assert common["primary_knowledge_source"] == "infores:drugkg"
    assert common["publications"] == "drugkg.source:smanewstoday-baclofen-sma"
    assert common["drugkg_source_section"] == "drugkg.section:smanewstoday-baclofen-sma--common-side-effects"
    overdose = _edge(edges, "drugkg.adverse-effect:baclofen-intrathecal-overdose-drowsiness")
    assert (overdose["predicate"], overdose["object"]) == ("biolink:has_adverse_event", "HP:0002329")
    assert overdose["drugkg_route"] == "drugkg.route:intrathecal"
    assert overdose["category"] == "biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation"


def test_target_and_gene_to_disease(exported: tuple[KgxGraph, Path]) -> None:
    edges = _tsv(exported[1] / "edges.tsv")
    moa = _edge(edges, "drugkg.mechanism:baclofen-gaba-b-binding")
    assert (moa["subject"], moa["predicate"], moa["object"], moa["causal_mechanism_qualifier"]) == (
        "CHEBI:2972",
        "biolink:directly_physically_interacts_with",
        "drugkg.target:gaba-b-receptor",
        "binding",
    )
    gene = _edge(edges, "drugkg.disease-mechanism:sma-smn1")
    # SMN1 loss is the main but not the sole cause: contributes_to, not causes
    assert (gene["subject"], gene["predicate"], gene["object"]) == (
        "NCBIGene:6606",
        "biolink:contributes_to",
        "MONDO:0001516",
    )
    assert gene["drugkg_main_but_not_sole_cause"] == "true"
    # what the gene's loss leads to stays on the gene edge
    assert gene["drugkg_consequence"] == "HP:0001324|drugkg.finding:muscle-wasting"
    assert (gene["drugkg_certainty"], gene["knowledge_level"]) == ("drugkg.vocab:Stated", "knowledge_assertion")


def test_a_mechanism_without_a_gene_is_the_condition_s_phenotypes(exported: tuple[KgxGraph, Path]) -> None:
    """Regression: the export crashed on sma-nerve-signalling, which has consequences and no causalGene."""
    edges = _tsv(exported[1] / "edges.tsv")
    stmt = "drugkg.disease-mechanism:sma-nerve-signalling"
    mine = sorted((e for e in edges if e["drugkg_statement"] == stmt), key=lambda e: e["id"])
    got = [
        (
            e["id"],
            e["subject"],
            e["predicate"],
            e["object"],
            e["category"],
            e["knowledge_level"],
            e["drugkg_certainty"],
            e["drugkg_source_section"],
            e["drugkg_kind"],
            e["publications"],
        )
        for e in mine
    ]
    rest = (
        "biolink:DiseaseToPhenotypicFeatureAssociation",
        "knowledge_assertion",
        "drugkg.vocab:Possible",
        "drugkg.section:smanewstoday-baclofen-sma--mechanism",
        "drugkg.vocab:DiseaseMechanism",
        "drugkg.source:smanewstoday-baclofen-sma",
    )
    assert got == [
        (
            stmt + "#consequence-painful-muscle-spasm",
            "MONDO:0001516",
            "biolink:has_phenotype",
            "drugkg.finding:painful-muscle-spasm",
            *rest,
        ),
        (stmt + "#consequence-spasticity", "MONDO:0001516", "biolink:has_phenotype", "HP:0001257", *rest),
    ]
    # the endpoints are the condition and the consequence: no drugkg_ column repeats them
    assert all(e["drugkg_consequence"] == "" and "drugkg_condition" not in e for e in mine)


def _statements_with_an_edge(g: rdflib.Graph) -> set[str]:
    """The graph's statements of the exported kinds, less disease mechanisms with neither gene nor
    consequence and dose adjustments of no regimen."""
    found = {s for kind in KINDS for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(V + kind))}
    edgeless = {
        s
        for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(V + "DiseaseMechanism"))
        if (s, rdflib.URIRef(V + "causalGene"), None) not in g and (s, rdflib.URIRef(V + "consequence"), None) not in g
    }
    orphans = {
        s
        for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(V + "DoseAdjustment"))
        if (None, rdflib.URIRef(V + "doseAdjustment"), s) not in g
    }
    return {str(s) for s in found - edgeless - orphans}


# edge id fragment -> the drugkg properties the edge's subject and object stand for
FRAGMENTS = {
    "treats": ("forDrug", "treats"),
    "consequence": ("condition", "consequence"),
    "formulation": (None, "appliesToFormulation"),
    "population": ("forDrug", "population"),
    "effect": ("forDrug", "aboutEffect"),
    "context": ("forDrug", "context"),
}


# edge -> the drugkg properties its subject and object stand for, by the mapping in docs/biolink-export.md;
# None: the node is the statement itself (a formulation, a regimen) or, for a dose adjustment, its regimen
def _endpoint_properties(edge: dict[str, Any]) -> tuple[str | None, str]:
    kind = edge["drugkg_kind"].removeprefix("drugkg.vocab:")
    _, hashed, fragment = edge["id"].partition("#")
    if hashed:
        return FRAGMENTS[fragment.split("-", 1)[0]]
    return {
        "ApprovedIndication": ("forDrug", "condition"),
        "OffLabelUse": ("forDrug", "condition"),
        "AdverseEffectAssociation": ("forDrug", "effect"),
        "MechanismOfAction": ("forDrug", "target"),
        "DiseaseMechanism": ("causalGene", "condition"),
        "Formulation": (None, "forDrug"),
        "DosingRegimen": (None, "forDrug"),
        "DoseAdjustment": (None, "population"),
    }[kind]


def _camel(column: str) -> str:
    head, *rest = column.removeprefix("drugkg_").split("_")
    return head + "".join(w.capitalize() for w in rest)


def _values_from_edges(edges: list[dict[str, Any]], nodes: list[dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    """statement IRI -> the (property IRI, value) pairs its edges carry (IRIs, or a literal's lexical form)."""
    node_iri = {
        n["id"]: expand_drugkg_curie(next(c for c in [n["id"], *n.get("xref", [])] if c.startswith("drugkg.")))
        for n in nodes
    }

    def resolve(value: str) -> str:
        if value in node_iri:
            return node_iri[value]
        return expand_drugkg_curie(value) if value.startswith("drugkg.") else value

    found: dict[str, set[tuple[str, str]]] = {}
    for e in edges:
        statement = expand_drugkg_curie(e["drugkg_statement"])
        pairs = found.setdefault(statement, set())
        subject_prop, object_prop = _endpoint_properties(e)
        pairs.add((V + object_prop, node_iri[e["object"]]))
        if subject_prop is not None:
            pairs.add((V + subject_prop, node_iri[e["subject"]]))
        elif e["drugkg_kind"] != "drugkg.vocab:DoseAdjustment":  # a dose adjustment's subject is its regimen
            assert node_iri[e["subject"]] == statement, e["id"]
        if "disease_context_qualifier" in e:
            pairs.add((V + "condition", node_iri[e["disease_context_qualifier"]]))
        pairs |= {(DERIVED, resolve(p)) for p in e.get("publications", [])}
        for column, value in e.items():
            if (
                column.startswith("drugkg_")
                and column not in ("drugkg_statement", "drugkg_kind")
                and "__" not in column
            ):
                pairs |= {(V + _camel(column), resolve(v)) for v in value.split("|")}
    return found


def _figures(g: rdflib.Graph, values: list[rdflib.term.Node | None], column: str) -> dict[str, str]:
    """The drugkg_<property>__<sub-property> columns `values` (the sorted values of a property) give,
    from rdflib: a figure-like value's properties, one per value, "" where it has none."""
    figure_types = {rdflib.URIRef(V + t) for t in ("Quantity", "StrengthRange", "Concentration", "Titration")}
    figures = [v if v is not None and any((v, rdflib.RDF.type, t) in g for t in figure_types) else None for v in values]
    subs = sorted(
        {p for f in figures if f is not None for p in g.predicates(f)} - {rdflib.RDF.type, rdflib.RDFS.label}, key=str
    )
    found: dict[str, str] = {}
    for sub in subs:
        name = column + "__" + "".join("_" + c.lower() if c.isupper() else c for c in str(sub).removeprefix(V))
        subvalues = [None if f is None else g.value(f, sub) for f in figures]
        found[name] = "|".join("" if v is None else _rendered(v) for v in subvalues)
        found |= _figures(g, subvalues, name)
    return found


def _rendered(term: rdflib.term.Node) -> str:
    text = str(term)
    if text.startswith(V):
        return "drugkg.vocab:" + text.removeprefix(V)
    return "drugkg.{}:{}".format(*text.removeprefix(R).split("/", 1)) if text.startswith(R) else text


def _expected_figures(g: rdflib.Graph, statement: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in set(g.predicates(rdflib.URIRef(statement))):
        if str(prop).startswith(V):
            column = "drugkg_" + "".join("_" + c.lower() if c.isupper() else c for c in str(prop).removeprefix(V))
            values: list[rdflib.term.Node | None] = sorted(g.objects(rdflib.URIRef(statement), prop), key=_rendered)
            found |= _figures(g, values, column)
    return found


def _check_round_trip(edges: list[dict[str, Any]], nodes: list[dict[str, Any]], g: rdflib.Graph) -> set[str]:
    """Every edge's statement is one of the graph's, and every property value (and figure) of every
    statement comes back from its edges. Returns the statements."""
    in_graph = _statements_with_an_edge(g)
    assert {expand_drugkg_curie(e["drugkg_statement"]) for e in edges} == in_graph
    carried = _values_from_edges(edges, nodes)
    regimen_of = {str(a): r for r, a in g.subject_objects(rdflib.URIRef(V + "doseAdjustment"))}
    for iri in sorted(in_graph):
        expected = {
            (str(p), str(o))
            for p, o in g.predicate_objects(rdflib.URIRef(iri))
            if p not in (rdflib.RDF.type, rdflib.RDFS.label)
        }
        if iri in regimen_of:  # a dose adjustment has no provenance of its own: its edges carry its regimen's
            assert not {p for p, _ in expected} & {DERIVED, V + "sourceSection"}, iri
            expected |= {
                (str(p), str(o))
                for p, o in g.predicate_objects(regimen_of[iri])
                if str(p) in (DERIVED, V + "sourceSection")
            }
        assert carried[iri] == expected, iri
    for e in edges:
        figures = {k: v for k, v in e.items() if "__" in k}
        assert figures == _expected_figures(g, expand_drugkg_curie(e["drugkg_statement"])), e["id"]
    for e in (e for e in edges if e["drugkg_kind"] == "drugkg.vocab:DoseAdjustment"):
        regimen = regimen_of[expand_drugkg_curie(e["drugkg_statement"])]
        assert e["subject"] == _rendered(regimen), e["id"]
    return in_graph


def test_round_trip_every_edge_is_a_statement_and_every_statement_an_edge(
    exported: tuple[KgxGraph, Path], graph: rdflib.Graph
) -> None:
    edges = [json.loads(line) for line in (exported[1] / "edges.jsonl").read_text().splitlines()]
    nodes = [json.loads(line) for line in (exported[1] / "nodes.jsonl").read_text().splitlines()]
    # every property value of every statement comes back from its edges (the label and type aside)
    in_graph = _check_round_trip(edges, nodes, graph)
    # 3 approved, 1 off-label, 38 adverse effects, 1 mechanism, 2 disease mechanisms,
    # 5 formulations, 1 regimen, 2 dose adjustments, 19 warnings
    assert Counter(str(graph.value(rdflib.URIRef(s), rdflib.RDF.type)).removeprefix(V) for s in in_graph) == {
        "ApprovedIndication": 3,
        "OffLabelUse": 1,
        "AdverseEffectAssociation": 38,
        "MechanismOfAction": 1,
        "DiseaseMechanism": 2,
        "Formulation": 5,
        "DosingRegimen": 1,
        "DoseAdjustment": 2,
        "Warning": 19,
    }
    for e in edges:  # the edge's kind is the statement's class
        st = rdflib.URIRef(expand_drugkg_curie(e["drugkg_statement"]))
        assert (st, rdflib.RDF.type, rdflib.URIRef(expand_drugkg_curie(e["drugkg_kind"]))) in graph
    assert len({e["id"] for e in edges}) == len(edges)
    assert any("__" in k for e in edges for k in e)  # the figures were checked


def test_knowledge_level_is_the_ontology_s_for_the_statement_s_certainty(
    exported: tuple[KgxGraph, Path], graph: rdflib.Graph
) -> None:
    """Every exported statement has a certainty in the merged graph: no edge falls back to not_provided."""
    level = rdflib.URIRef(V + "biolinkKnowledgeLevel")
    for e in exported[0].edges:
        statement = rdflib.URIRef(expand_drugkg_curie(e["drugkg_statement"]))
        certainty = graph.value(statement, rdflib.URIRef(V + "certainty"))
        assert certainty is not None, e["id"]
        assert e["drugkg_certainty"] == "drugkg.vocab:" + str(certainty).removeprefix(V)
        assert e["knowledge_level"] == str(graph.value(certainty, level)), e["id"]
    assert Counter(e["knowledge_level"] for e in exported[0].edges) == {
        "knowledge_assertion": 78,
        "observation": 20,  # 18 adverse effects, 2 of the ovarian-cysts warning (Reported)
        "not_provided": 2,  # the intrathecal breastfeeding warning: its certainty is Unknown
    }


def test_a_disease_mechanism_with_neither_gene_nor_consequence_is_not_exported(built: Path) -> None:
    store = _store_with_certainty(built, {})
    mechanism = ox.NamedNode(R + "disease-mechanism/sma-unexplained")
    for p, o in (
        ("condition", ox.NamedNode(R + "condition/spinal-muscular-atrophy")),
        ("certainty", ox.NamedNode(V + "Possible")),
    ):
        store.add(ox.Quad(mechanism, ox.NamedNode(V + p), o))
    store.add(ox.Quad(mechanism, ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(V + "DiseaseMechanism")))
    graph = read_graph(store)
    assert not [e for e in graph.edges if "sma-unexplained" in e["drugkg_statement"]]
    assert len(graph.edges) == 100


def test_every_edge_endpoint_is_a_node(exported: tuple[KgxGraph, Path]) -> None:
    graph, out = exported
    ids = {n["id"] for n in graph.nodes}
    assert {e["subject"] for e in graph.edges} | {e["object"] for e in graph.edges} <= ids
    assert len(_tsv(out / "nodes.tsv")) == len(graph.nodes) == len((out / "nodes.jsonl").read_text().splitlines())


def _store_with_certainty(built: Path, values: dict[str, str | None]) -> ox.Store:
    """The build's triples, the certainty of each statement in `values` replaced (None: removed)."""
    store = ox.Store()
    with (built / "drugkg.nt").open("rb") as fh:
        store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES)
    for statement, certainty in values.items():
        subject, prop = ox.NamedNode(R + statement), ox.NamedNode(V + "certainty")
        for quad in list(store.quads_for_pattern(subject, prop, None)):
            store.remove(quad)
        if certainty is not None:
            store.add(ox.Quad(subject, prop, ox.NamedNode(V + certainty)))
    return store


def test_certainty_maps_to_knowledge_level(built: Path) -> None:
    values: dict[str, str | None] = {
        "indication/baclofen-ms-spasticity": "Stated",
        "adverse-effect/baclofen-common-agitation": "Possible",
        "adverse-effect/baclofen-common-chills": "Reported",
        "adverse-effect/baclofen-common-constipation": "Unknown",
        "indication/baclofen-sma-spasticity": None,
    }
    graph = read_graph(_store_with_certainty(built, values))
    by_id = {e["id"]: e for e in graph.edges}
    got = {
        k: (by_id[k]["knowledge_level"], by_id[k]["agent_type"], by_id[k]["drugkg_certainty"])
        for k in (
            "drugkg.indication:baclofen-ms-spasticity",
            "drugkg.adverse-effect:baclofen-common-agitation",
            "drugkg.adverse-effect:baclofen-common-chills",
            "drugkg.adverse-effect:baclofen-common-constipation",
        )
    }
    assert got == {
        "drugkg.indication:baclofen-ms-spasticity": ("knowledge_assertion", "manual_agent", "drugkg.vocab:Stated"),
        # a hedge has no Biolink value: the curated claim is an assertion, the hedge stays in drugkg_certainty
        "drugkg.adverse-effect:baclofen-common-agitation": (
            "knowledge_assertion",
            "manual_agent",
            "drugkg.vocab:Possible",
        ),
        "drugkg.adverse-effect:baclofen-common-chills": ("observation", "manual_agent", "drugkg.vocab:Reported"),
        "drugkg.adverse-effect:baclofen-common-constipation": ("not_provided", "manual_agent", "drugkg.vocab:Unknown"),
    }
    # the symptom edges of a statement carry its certainty too
    assert by_id["drugkg.indication:baclofen-ms-spasticity#treats-pain"]["knowledge_level"] == "knowledge_assertion"
    # a statement without certainty says so
    assert by_id["drugkg.indication:baclofen-sma-spasticity"]["knowledge_level"] == "not_provided"
    assert "drugkg_certainty" not in by_id["drugkg.indication:baclofen-sma-spasticity"]


def _set_knowledge_level(store: ox.Store, level: str, value: str) -> None:
    subject, prop = ox.NamedNode(V + level), ox.NamedNode(V + "biolinkKnowledgeLevel")
    for quad in list(store.quads_for_pattern(subject, prop, None)):
        store.remove(quad)
    store.add(ox.Quad(subject, prop, ox.Literal(value)))


def test_two_knowledge_levels_for_one_certainty_are_refused(built: Path) -> None:
    """Regression: a second drugkg:biolinkKnowledgeLevel on a level was taken or not by query order."""
    from drugkg.errors import DrugkgError

    store = _store_with_certainty(built, {})
    store.add(
        ox.Quad(ox.NamedNode(V + "Possible"), ox.NamedNode(V + "biolinkKnowledgeLevel"), ox.Literal("not_provided"))
    )
    with pytest.raises(
        DrugkgError,
        match=r"#Possible has 2 values of drugkg:biolinkKnowledgeLevel "
        r"\('knowledge_assertion', 'not_provided'\) \(expected one\)",
    ):
        read_graph(store)


def test_the_ontology_s_knowledge_level_annotation_wins(built: Path) -> None:
    store = _store_with_certainty(built, {"adverse-effect/baclofen-common-agitation": "Possible"})
    _set_knowledge_level(store, "Possible", "not_provided")
    by_id = {e["id"]: e for e in read_graph(store).edges}
    assert by_id["drugkg.adverse-effect:baclofen-common-agitation"]["knowledge_level"] == "not_provided"


def test_a_knowledge_level_outside_biolink_s_enum_is_refused(built: Path) -> None:
    from drugkg.errors import DrugkgError

    store = _store_with_certainty(built, {})
    _set_knowledge_level(store, "Possible", "hedged")
    with pytest.raises(
        DrugkgError,
        match=r"#Possible has drugkg:biolinkKnowledgeLevel 'hedged' \(expected a value "
        r"of Biolink's KnowledgeLevelEnum: knowledge_assertion, ",
    ):
        read_graph(store)


def test_unknown_certainty_is_refused_by_name(built: Path) -> None:
    from drugkg.errors import DrugkgError

    store = _store_with_certainty(built, {"indication/baclofen-ms-spasticity": "Certain"})
    with pytest.raises(DrugkgError, match=r"baclofen-ms-spasticity has an unknown certainty .*#Certain"):
        read_graph(store)


def test_cli_exports_and_refuses_a_folder_that_is_not_a_build(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "kgx"
    done = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "export", "--format", "kgx", "--data", str(built), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("exported 81 nodes and 100 edges to ")
    assert sorted(p.name for p in out.iterdir()) == [
        "edges.jsonl",
        "edges.tsv",
        "nodes.jsonl",
        "nodes.tsv",
        "prefixes.json",
    ]
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "drugkg.cli",
            "export",
            "--data",
            str(tmp_path / "nothing"),
            "--out",
            str(tmp_path / "k2"),
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "nothing" in bad.stderr and "Traceback" not in bad.stderr and "internal error" not in bad.stderr
    assert not (tmp_path / "k2").exists()


# kgx's CURIE pattern (kgx.prefix_manager.PrefixManager.is_curie): no "/" or ":" after the colon
KGX_CURIE = r"^[^ <()>:]*:[^/ :]+$"


def test_drugkg_curies_have_no_slash_after_the_colon(exported: tuple[KgxGraph, Path]) -> None:
    """Regression: drugkg:finding/pain was refused by kgx as 'not a proper CURIE'."""
    import re

    graph, _ = exported
    values = [n["id"] for n in graph.nodes] + [e[k] for e in graph.edges for k in ("subject", "object")]
    assert values and all(re.match(KGX_CURIE, v) for v in values), [v for v in values if not re.match(KGX_CURIE, v)]


def test_prefixes_expand_every_drugkg_curie(exported: tuple[KgxGraph, Path]) -> None:
    """Regression: drugkg.vocab was overwritten with a resource namespace in prefixes.json."""
    prefixes = json.loads((exported[1] / "prefixes.json").read_text())
    assert prefixes["drugkg.vocab"] == V
    assert prefixes["drugkg.finding"] == R + "finding/"
    for e in exported[0].edges:
        prefix, _, local = e["drugkg_statement"].partition(":")
        assert prefixes[prefix] + local == expand_drugkg_curie(e["drugkg_statement"])


def test_an_exact_match_two_nodes_claim_is_no_node_s_id(built: Path) -> None:
    store = _store_with_certainty(built, {})
    # somnolence now claims drowsiness's HP term too: neither may take it
    store.add(
        ox.Quad(
            ox.NamedNode(R + "finding/somnolence"),
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
            ox.NamedNode("http://purl.obolibrary.org/obo/HP_0002329"),
        )
    )
    ids = {n["id"] for n in read_graph(store).nodes}
    assert "HP:0002329" not in ids
    assert {"drugkg.finding:drowsiness", "drugkg.finding:somnolence"} <= ids


def test_export_into_a_file_is_refused(built: Path, tmp_path: Path) -> None:
    from drugkg.errors import DrugkgError

    target = tmp_path / "a-file"
    target.write_text("keep me")
    with pytest.raises(DrugkgError, match="a-file: is not a folder"):
        export_build(built, target)
    assert target.read_text() == "keep me"


def test_round_trip_on_synthetic_drugs(synthetic_five_build: Path, tmp_path: Path) -> None:
    """Five synthetic drugs: the statements of the exported kinds are exactly the edges' statements."""
    build = synthetic_five_build
    graph, _ = export_build(build, tmp_path / "kgx")
    g = rdflib.Graph()
    g.parse(build / "drugkg.nt", format="nt")
    in_graph = {str(s) for kind in KINDS for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(V + kind))}
    assert len(in_graph) > 100
    with_edge = _check_round_trip(graph.edges, graph.nodes, g)
    kinds = Counter(e["drugkg_kind"].removeprefix("drugkg.vocab:") for e in graph.edges)
    assert {"Formulation", "DosingRegimen", "DoseAdjustment", "Warning"} <= set(kinds), kinds
    assert with_edge <= in_graph


def _of(rows: list[dict[str, str]], statement: str) -> list[dict[str, str]]:
    return sorted((r for r in rows if r["drugkg_statement"] == statement), key=lambda r: r["id"])


def test_formulations_are_products_whose_active_ingredient_is_baclofen(exported: tuple[KgxGraph, Path]) -> None:
    edges, nodes = _tsv(exported[1] / "edges.tsv"), {r["id"]: r for r in _tsv(exported[1] / "nodes.tsv")}
    products = [e for e in edges if e["drugkg_kind"] == "drugkg.vocab:Formulation"]
    got = {
        (e["subject"], e["predicate"], e["object"], e["category"], e["drugkg_dosage_form"], e["drugkg_route"])
        for e in products
    }
    rest = ("biolink:has_active_ingredient", "CHEBI:2972", "biolink:ChemicalEntityToChemicalEntityAssociation")
    assert got == {
        ("drugkg.formulation:baclofen-oral-tablet", *rest, "drugkg.dosage-form:tablet", "drugkg.route:oral"),
        ("drugkg.formulation:baclofen-oral-granules", *rest, "drugkg.dosage-form:granules", "drugkg.route:oral"),
        ("drugkg.formulation:baclofen-oral-solution", *rest, "drugkg.dosage-form:oral-solution", "drugkg.route:oral"),
        (
            "drugkg.formulation:baclofen-oral-suspension",
            *rest,
            "drugkg.dosage-form:oral-suspension",
            "drugkg.route:oral",
        ),
        (
            "drugkg.formulation:baclofen-intrathecal-injection",
            *rest,
            "drugkg.dosage-form:injection",
            "drugkg.route:intrathecal",
        ),
    }
    assert nodes["drugkg.formulation:baclofen-oral-tablet"]["category"] == "biolink:Drug"
    assert nodes["drugkg.formulation:baclofen-oral-tablet"]["name"] == "baclofen tablet (oral)"
    tablet = _edge(edges, "drugkg.formulation:baclofen-oral-tablet")
    assert (
        tablet["drugkg_strength_range__minimum__numeric_value"],
        tablet["drugkg_strength_range__minimum__unit"],
        tablet["drugkg_strength_range__maximum__numeric_value"],
        tablet["drugkg_strength_range__maximum__unit"],
    ) == ("5", "mg", "20", "mg")
    assert (tablet["knowledge_level"], tablet["drugkg_certainty"], tablet["publications"]) == (
        "knowledge_assertion",
        "drugkg.vocab:Stated",
        "drugkg.source:smanewstoday-baclofen-sma",
    )
    assert tablet["drugkg_source_section"] == (
        "drugkg.section:smanewstoday-baclofen-sma--administration|drugkg.section:smanewstoday-baclofen-sma--snapshot"
    )
    solution = _edge(edges, "drugkg.formulation:baclofen-oral-solution")
    assert [
        solution[f"drugkg_concentration__{part}__{field}"]
        for part in ("numerator", "denominator", "normalised")
        for field in ("numeric_value", "unit")
    ] == ["25", "mg", "5", "mL", "5", "mg/mL"]
    assert solution["drugkg_other_strengths_available"] == "true"
    assert _edge(edges, "drugkg.formulation:baclofen-intrathecal-injection")["drugkg_delivery_mode"] == (
        "drugkg.delivery-mode:continuous-infusion|drugkg.delivery-mode:implantable-programmable-pump"
        "|drugkg.delivery-mode:single-injection"
    )


def test_the_regimen_s_doses_are_exact_on_every_regimen_edge(exported: tuple[KgxGraph, Path]) -> None:
    mine = _of(_tsv(exported[1] / "edges.tsv"), "drugkg.regimen:baclofen-oral-standard")
    regimen = "drugkg.regimen:baclofen-oral-standard"
    assert [(e["id"], e["subject"], e["predicate"], e["object"], e["category"]) for e in mine] == [
        (regimen, regimen, "biolink:related_to_at_instance_level", "CHEBI:2972", "biolink:Association"),
        *(
            (
                f"{regimen}#formulation-baclofen-{f}",
                regimen,
                "biolink:related_to_at_instance_level",
                f"drugkg.formulation:baclofen-{f}",
                "biolink:Association",
            )
            for f in ("oral-granules", "oral-solution", "oral-suspension", "oral-tablet")
        ),
    ]
    for e in mine:  # starting 5 mg three times a day, at most 20 mg at a time, 4 times, 80 mg a day
        assert (
            e["drugkg_starting_dose__numeric_value"],
            e["drugkg_starting_dose__unit"],
            e["drugkg_starting_times_per_day"],
            e["drugkg_starting_dose_is_typical"],
            e["drugkg_max_single_dose__numeric_value"],
            e["drugkg_max_single_dose__unit"],
            e["drugkg_max_times_per_day"],
            e["drugkg_max_daily_dose__numeric_value"],
            e["drugkg_max_daily_dose__unit"],
            e["drugkg_titration__interval"],
            e["drugkg_titration__titration_condition"],
        ) == ("5", "mg", "3", "true", "20", "mg", "4", "80", "mg", "P3D", "clinical response and tolerability")
        assert (e["drugkg_route"], e["knowledge_level"], e["drugkg_certainty"]) == (
            "drugkg.route:oral",
            "knowledge_assertion",
            "drugkg.vocab:Stated",
        )
        assert e["drugkg_dose_adjustment"] == (
            "drugkg.dose-adjustment:baclofen-oral-standard-elderly"
            "|drugkg.dose-adjustment:baclofen-oral-standard-people-with-kidney-problems"
        )
    node = {r["id"]: r for r in _tsv(exported[1] / "nodes.tsv")}[regimen]
    assert (node["category"], node["name"]) == ("biolink:DrugExposure", "baclofen oral dosing")


def test_dose_adjustments_are_edges_with_their_own_certainty(exported: tuple[KgxGraph, Path]) -> None:
    edges = _tsv(exported[1] / "edges.tsv")
    mine = sorted((e for e in edges if e["drugkg_kind"] == "drugkg.vocab:DoseAdjustment"), key=lambda e: e["id"])
    got = [
        (
            e["id"],
            e["subject"],
            e["predicate"],
            e["object"],
            e["drugkg_recommendation"],
            e["drugkg_certainty"],
            e["knowledge_level"],
            e["publications"],
            e["drugkg_source_section"],
        )
        for e in mine
    ]
    rest = (
        "drugkg.recommendation:lower-dose-within-range",
        "drugkg.vocab:Possible",  # the hedge is the adjustment's own, not the regimen's Stated
        "knowledge_assertion",
        "drugkg.source:smanewstoday-baclofen-sma",
        "drugkg.section:smanewstoday-baclofen-sma--administration",  # the regimen's section
    )
    regimen = "drugkg.regimen:baclofen-oral-standard"
    assert got == [
        (
            "drugkg.dose-adjustment:baclofen-oral-standard-elderly",
            regimen,
            "biolink:related_to_at_instance_level",
            "drugkg.population:elderly",
            *rest,
        ),
        (
            "drugkg.dose-adjustment:baclofen-oral-standard-people-with-kidney-problems",
            regimen,
            "biolink:related_to_at_instance_level",
            "drugkg.population:people-with-kidney-problems",
            *rest,
        ),
    ]


def test_warnings_are_edges_to_what_they_concern_and_never_contraindications(
    exported: tuple[KgxGraph, Path], graph: rdflib.Graph
) -> None:
    edges = _tsv(exported[1] / "edges.tsv")
    assert not [e for e in edges if e["predicate"] == "biolink:contraindicated_in"]
    warnings = [e for e in edges if e["drugkg_kind"] == "drugkg.vocab:Warning"]
    assert len(warnings) == 31
    assert {e["predicate"] for e in warnings} == {"biolink:related_to_at_instance_level"}
    assert {e["subject"] for e in warnings} == {"CHEBI:2972"}
    in_graph = {str(s) for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(V + "Warning"))}
    assert len(in_graph) == 19
    assert {expand_drugkg_curie(e["drugkg_statement"]) for e in warnings} == in_graph  # each gives an edge
    boxed = _of(edges, "drugkg.warning:baclofen-boxed-intrathecal-withdrawal")
    assert [
        (
            e["id"],
            e["object"],
            e["drugkg_warning_kind"],
            e["drugkg_issued_by"],
            e["drugkg_route"],
            e["knowledge_level"],
            e["drugkg_source_section"],
        )
        for e in boxed
    ] == [
        (
            "drugkg.warning:baclofen-boxed-intrathecal-withdrawal#context-AbruptWithdrawal",
            "drugkg.vocab:AbruptWithdrawal",
            "drugkg.vocab:BoxedWarning",
            "drugkg.organization:fda",
            "drugkg.route:intrathecal",
            "knowledge_assertion",
            "drugkg.section:smanewstoday-baclofen-sma--abrupt-withdrawal",
        )
    ]
    psychiatric = _of(edges, "drugkg.warning:baclofen-psychiatric")
    assert [(e["object"], e["drugkg_recommendation"]) for e in psychiatric] == [
        ("drugkg.finding:psychiatric-exacerbation", "drugkg.recommendation:use-with-caution"),
        ("drugkg.population:people-in-confusional-states", "drugkg.recommendation:use-with-caution"),
        ("drugkg.population:people-with-psychotic-disorders", "drugkg.recommendation:use-with-caution"),
        ("drugkg.population:people-with-schizophrenia", "drugkg.recommendation:use-with-caution"),
    ]
    # the objects are the edges' ends: no column repeats them
    columns = ("drugkg_population", "drugkg_about_effect", "drugkg_context")
    assert all(e.get(c, "") == "" for e in warnings for c in columns)
    milk = {
        e["id"]: (e["drugkg_milk_transfer"], e["drugkg_certainty"], e["knowledge_level"], e["drugkg_route"])
        for e in warnings
        if "breastfeeding" in e["id"]
    }
    oral = ("drugkg.vocab:MilkDetected", "drugkg.vocab:Possible", "knowledge_assertion", "drugkg.route:oral")
    spinal = ("drugkg.vocab:MilkUnknown", "drugkg.vocab:Unknown", "not_provided", "drugkg.route:intrathecal")
    assert milk == {
        "drugkg.warning:baclofen-breastfeeding-oral#population-breastfeeding-mothers": oral,
        "drugkg.warning:baclofen-breastfeeding-oral#population-nursing-infants": oral,
        "drugkg.warning:baclofen-breastfeeding-intrathecal#population-breastfeeding-mothers": spinal,
        "drugkg.warning:baclofen-breastfeeding-intrathecal#population-nursing-infants": spinal,
    }
    nodes = {r["id"]: r for r in _tsv(exported[1] / "nodes.tsv")}
    assert (nodes["drugkg.vocab:AbruptWithdrawal"]["category"], nodes["drugkg.vocab:AbruptWithdrawal"]["name"]) == (
        "biolink:ExposureEvent",
        "abrupt withdrawal",
    )


def test_a_warning_that_concerns_nothing_is_refused_by_name(built: Path) -> None:
    """A warning with no population, effect or context would have no edge: refused, not dropped."""
    from drugkg.errors import DrugkgError

    store = _store_with_certainty(built, {})
    warning = ox.NamedNode(R + "warning/baclofen-boxed-intrathecal-withdrawal")
    for quad in list(store.quads_for_pattern(warning, ox.NamedNode(V + "context"), None)):
        store.remove(quad)
    with pytest.raises(
        DrugkgError, match=r"warning .*/warning/baclofen-boxed-intrathecal-withdrawal names no population, effect or"
    ):
        read_graph(store)


def test_two_concentrations_keep_their_figures_in_step(built: Path) -> None:
    """The figures of a property with several values line up with its values; "" where one has none."""
    store = _store_with_certainty(built, {})
    solution, second = R + "formulation/baclofen-oral-solution", R + "concentration/baclofen-oral-solution-2"
    numerator, denominator = R + "quantity/solution-2-numerator", R + "quantity/solution-2-denominator"
    triples = [
        (solution, V + "concentration", ox.NamedNode(second)),
        (second, str(rdflib.RDF.type), ox.NamedNode(V + "Concentration")),
        (second, V + "numerator", ox.NamedNode(numerator)),
        (second, V + "denominator", ox.NamedNode(denominator)),
        (numerator, str(rdflib.RDF.type), ox.NamedNode(V + "Quantity")),
        (
            numerator,
            V + "numericValue",
            ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        (numerator, V + "unit", ox.Literal("mg")),
        (denominator, str(rdflib.RDF.type), ox.NamedNode(V + "Quantity")),
        (
            denominator,
            V + "numericValue",
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        (denominator, V + "unit", ox.Literal("mL")),
    ]
    for s, p, o in triples:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o))
    edge = next(e for e in read_graph(store).edges if e["id"] == "drugkg.formulation:baclofen-oral-solution")
    assert edge["drugkg_concentration"] == (
        "drugkg.concentration:baclofen-oral-solution-1|drugkg.concentration:baclofen-oral-solution-2"
    )
    assert (
        edge["drugkg_concentration__numerator__numeric_value"],
        edge["drugkg_concentration__numerator__unit"],
        edge["drugkg_concentration__denominator__numeric_value"],
        edge["drugkg_concentration__denominator__unit"],
        edge["drugkg_concentration__normalised__numeric_value"],  # the second has no normalised figure
        edge["drugkg_concentration__normalised__unit"],
    ) == ("25|10", "mg|mg", "5|1", "mL|mL", "5|", "mg/mL|")
