"""Issue 16: the graph says exactly what the source says. One test per finding, named after what was wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from drugkg.namespaces import VOCAB, resource_iri

SOURCE = Path("/work/shared/sources/baclofen-for-sma.txt")
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "drugkg.ttl"
PREFIXES = (
    "PREFIX drugkg: <https://w3id.org/drugkg/vocab#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX res: <https://w3id.org/drugkg/resource/> "
)


def res(kind: str, slug: str) -> URIRef:
    return URIRef(resource_iri(kind, slug))


def certainty(graph: rdflib.Graph, node: URIRef) -> set[str]:
    return {str(o).rsplit("#", 1)[1] for o in graph.objects(node, VOCAB.certainty)}


def rows(graph: rdflib.Graph, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v) for v in row) for row in graph.query(PREFIXES + query)}


def en(text: str) -> Literal:
    return Literal(text, lang="en")


# ---------------------------------------------------------------- certainty


def test_every_assertion_has_exactly_one_certainty_of_the_four(graph: rdflib.Graph) -> None:
    found = rows(
        graph,
        """SELECT ?a (COUNT(?c) AS ?n) WHERE {
        ?a a ?cls . ?cls rdfs:subClassOf* drugkg:Assertion .
        OPTIONAL { ?a drugkg:certainty ?c . FILTER(?c IN (drugkg:Stated, drugkg:Possible, drugkg:Reported, drugkg:Unknown)) }
    } GROUP BY ?a""",
    )
    assert len(found) == 70  # 5 formulations, 1 regimen, 3 mechanisms, 4 indications, 38 effects, 19 warnings
    assert {n for _, n in found} == {"1"}


def test_certainty_levels_are_labelled_defined_and_mapped_to_biolink(graph: rdflib.Graph) -> None:
    assert rows(
        graph,
        """SELECT ?level ?label ?biolink WHERE {
        ?level a drugkg:CertaintyLevel ; rdfs:label ?label ; skos:definition ?d ; drugkg:biolinkKnowledgeLevel ?biolink }""",
    ) == {
        (str(VOCAB.Stated), "stated", "knowledge_assertion"),
        (str(VOCAB.Possible), "possible", "knowledge_assertion"),
        (str(VOCAB.Reported), "reported", "observation"),
        (str(VOCAB.Unknown), "unknown", "not_provided"),
    }


def test_sma_spasticity_and_painful_spasm_are_possible_not_plain_consequences(graph: rdflib.Graph) -> None:
    assert rows(
        graph,
        """SELECT ?consequence ?certainty WHERE {
        ?m a drugkg:DiseaseMechanism ; drugkg:condition <https://w3id.org/drugkg/resource/condition/spinal-muscular-atrophy> ;
           drugkg:consequence/rdfs:label ?consequence ; drugkg:certainty/rdfs:label ?certainty }""",
    ) == {
        ("muscle weakness", "stated"),
        ("muscle wasting", "stated"),
        ("spasticity", "possible"),
        ("painful muscle spasm", "possible"),
    }


def test_epilepsy_is_possible_interference_not_worsened_seizure_control(graph: rdflib.Graph) -> None:
    assert not list(graph.subjects(RDFS.label, en("worsened seizure control")))
    effect = res("finding", "seizure-control-interference")
    assert graph.value(effect, RDFS.label) == en("interference with seizure control")
    association = res("adverse-effect", "baclofen-seizure-control-seizure-control-interference")
    assert graph.value(association, VOCAB.effect) == effect
    assert certainty(graph, association) == {"Possible"}
    assert graph.value(association, VOCAB.population) == res("population", "people-with-epilepsy")


def test_intrathecal_mass_and_its_consequences_are_possible(graph: rdflib.Graph) -> None:
    node = res("adverse-effect", "baclofen-implantation-intrathecal-mass")
    assert certainty(graph, node) == {"Possible"}
    assert {str(graph.value(c, RDFS.label)) for c in graph.objects(node, VOCAB.consequence)} == {
        "reduced treatment efficacy",
        "pain",
        "neurological symptoms",
    }


@pytest.mark.parametrize(
    ("group", "effect", "level"),
    [
        ("common", "nausea", "Reported"),
        ("sedation", "drowsiness", "Possible"),
        ("withdrawal", "hallucination", "Possible"),
        ("withdrawal-rare", "rhabdomyolysis", "Possible"),
        ("withdrawal-fatal", "death", "Possible"),
        ("neonatal", "tremor", "Reported"),
        ("ovarian-cyst", "ovarian-cyst", "Reported"),
        ("intrathecal-overdose", "somnolence", "Stated"),
    ],
)
def test_hedged_effects_carry_the_sources_certainty(graph: rdflib.Graph, group: str, effect: str, level: str) -> None:
    assert certainty(graph, res("adverse-effect", f"baclofen-{group}-{effect}")) == {level}


@pytest.mark.parametrize(
    ("node", "level"),
    [
        (res("indication", "baclofen-sma-spasticity"), "Possible"),
        (res("indication", "baclofen-ms-spasticity"), "Stated"),
        (res("warning", "baclofen-breastfeeding-oral"), "Possible"),
        (res("warning", "baclofen-breastfeeding-intrathecal"), "Unknown"),
        (res("dose-adjustment", "baclofen-oral-standard-elderly"), "Possible"),
    ],
)
def test_off_label_use_milk_and_dose_adjustment_are_not_stated_firmer(
    graph: rdflib.Graph, node: URIRef, level: str
) -> None:
    assert certainty(graph, node) == {level}


# ---------------------------------------------------------------- actors and the boxed warning


def test_boxed_warning_asks_nothing_and_names_no_audience(graph: rdflib.Graph) -> None:
    boxed = res("warning", "baclofen-boxed-intrathecal-withdrawal")
    assert graph.value(boxed, VOCAB.warningKind) == VOCAB.BoxedWarning
    assert list(graph.objects(boxed, VOCAB.recommendation)) == []
    assert list(graph.objects(boxed, VOCAB.population)) == []


def test_infusion_system_refills_and_alarms_have_no_actor(graph: rdflib.Graph) -> None:
    assert rows(
        graph,
        """SELECT ?advice ?item WHERE {
        <https://w3id.org/drugkg/resource/warning/baclofen-intrathecal-withdrawal-prevention> drugkg:recommendation ?r .
        ?r rdfs:label ?advice ; drugkg:attentionTo/rdfs:label ?item .
        FILTER NOT EXISTS { ?r drugkg:actor ?anyone } }""",
    ) == {
        ("watch the infusion system closely", "infusion system"),
        ("follow refill procedures carefully", "refill procedures"),
        ("respond to pump alarms", "pump alarms"),
    }


def test_only_refill_visits_and_early_signs_are_on_patients_and_caregivers(graph: rdflib.Graph) -> None:
    assert rows(
        graph,
        """SELECT ?advice ?actor WHERE {
        ?r a drugkg:Recommendation ; rdfs:label ?advice ; drugkg:actor ?a . ?a rdfs:label ?actor .
        FILTER(?a IN (<https://w3id.org/drugkg/resource/actor/patients>, <https://w3id.org/drugkg/resource/actor/caregivers>)) }""",
    ) == {
        ("keep every scheduled refill visit", "patients"),
        ("keep every scheduled refill visit", "caregivers"),
        ("learn the early signs of withdrawal", "patients"),
        ("learn the early signs of withdrawal", "caregivers"),
        ("do not drive or operate machinery until the effect of the drug on alertness is known", "patients"),
        ("be free of infection before the pump is implanted", "patients"),
    }


def test_trained_personnel_is_an_actor_not_only_a_label(graph: rdflib.Graph) -> None:
    personnel = res("actor", "trained-personnel")
    assert (personnel, RDF.type, VOCAB.Actor) in graph
    assert graph.value(res("recommendation", "refills-by-trained-personnel"), VOCAB.actor) == personnel


def test_driving_and_machinery_are_activities_not_only_labels(graph: rdflib.Graph) -> None:
    advice = res("recommendation", "avoid-driving-until-effect-known")
    assert set(graph.objects(advice, VOCAB.activity)) == {
        res("activity", "driving"),
        res("activity", "operating-machinery"),
    }
    assert all((a, RDF.type, VOCAB.Activity) in graph for a in graph.objects(advice, VOCAB.activity))
    assert not list(graph.subjects(RDFS.label, en("people who drive or operate machinery")))


def test_recommendations_without_a_named_actor_have_none(graph: rdflib.Graph) -> None:
    for slug in (
        "taper-slowly",
        "weigh-benefit-against-fetal-risk",
        "taper-to-stop-before-delivery",
        "use-with-caution",
        "sufficient-body-mass-for-pump",
        "weigh-breastfeeding-benefits",
        "lower-dose-within-range",
    ):
        assert list(graph.objects(res("recommendation", slug), VOCAB.actor)) == [], slug


# ---------------------------------------------------------------- wording


def test_weakness_is_not_muscle_weakness(graph: rdflib.Graph) -> None:
    common = {str(graph.value(a, VOCAB.effect)) for a in graph.subjects(VOCAB.frequency, VOCAB.Common)}
    assert str(res("finding", "weakness")) in common
    assert str(res("finding", "muscle-weakness")) not in common
    assert graph.value(res("finding", "weakness"), RDFS.label) == en("weakness")
    assert list(graph.objects(res("finding", "weakness"), SKOS.exactMatch)) == []


def test_pump_definition_does_not_say_under_the_skin(graph: rdflib.Graph) -> None:
    definition = str(graph.value(res("delivery-mode", "implantable-programmable-pump"), SKOS.definition))
    assert "skin" not in definition


def test_continuous_infusion_is_a_delivery_mode_of_the_intrathecal_formulation(graph: rdflib.Graph) -> None:
    infusion = res("delivery-mode", "continuous-infusion")
    assert (infusion, RDF.type, VOCAB.DeliveryMode) in graph
    assert (res("formulation", "baclofen-intrathecal-injection"), VOCAB.deliveryMode, infusion) in graph


def test_interval_is_not_a_shortest_time_nor_at_most(graph: rdflib.Graph) -> None:
    definition = str(graph.value(VOCAB.interval, SKOS.definition))
    assert "shortest" not in definition and "can be raised" in definition
    glossary = (ONTOLOGY.parent.parent / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert "at most every" not in glossary
    query = (ONTOLOGY.parent.parent / "queries" / "starting-dose-and-titration.rq").read_text(encoding="utf-8")
    assert "AtMost" not in query and "?canRaiseEvery" in query


def test_seizure_node_has_no_convulsion_gloss(graph: rdflib.Graph) -> None:
    seizure, convulsion = res("finding", "seizure"), res("finding", "convulsion")
    assert graph.value(seizure, SKOS.definition) is None
    assert graph.value(convulsion, SKOS.broader) == seizure
    assert graph.value(convulsion, SKOS.definition) is not None
    common = {graph.value(a, VOCAB.effect) for a in graph.subjects(VOCAB.frequency, VOCAB.Common)}
    assert convulsion in common and seizure not in common


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.mark.skipif(not SOURCE.exists(), reason="the source document is outside the repository")
def test_schizophrenia_definition_is_reworded_not_one_word_off(graph: rdflib.Graph) -> None:
    ours = _words(str(graph.value(res("condition", "schizophrenia"), SKOS.definition)))
    source = _words(SOURCE.read_text(encoding="utf-8"))
    shared_runs = {tuple(ours[i : i + 4]) for i in range(len(ours) - 3)} & {
        tuple(source[i : i + 4]) for i in range(len(source) - 3)
    }
    assert shared_runs == set()


def test_sleepiness_and_somnolence_are_linked(graph: rdflib.Graph) -> None:
    assert graph.value(res("finding", "somnolence"), SKOS.broader) == res("finding", "sleepiness")


def test_neonatal_onset_has_its_span_in_words_and_no_made_up_figures(graph: rdflib.Graph) -> None:
    onset = res("onset", "baclofen-neonatal")
    assert graph.value(onset, VOCAB.onsetInWords) == en("hours to days")
    assert (str(graph.value(onset, VOCAB.earliestUnit)), str(graph.value(onset, VOCAB.latestUnit))) == ("h", "d")
    assert not [p for p in graph.predicates(onset) if "Value" in str(p) or "numeric" in str(p)]


def test_ovarian_cyst_label_does_not_read_as_common_side_effect(graph: rdflib.Graph) -> None:
    label = str(graph.value(res("adverse-effect", "baclofen-ovarian-cyst-ovarian-cyst"), RDFS.label))
    assert label == "baclofen: ovarian cyst (during treatment)"
    assert not [s for s, o in graph.subject_objects(RDFS.label) if "(common use)" in str(o)]


def test_titration_label_says_days_not_an_iso_code(graph: rdflib.Graph) -> None:
    """The label read "can be raised every P3D"; the duration stays typed in drugkg:interval."""
    titration = rdflib.URIRef("https://w3id.org/drugkg/resource/titration/baclofen-oral-standard")
    assert {str(o) for o in graph.objects(titration, rdflib.RDFS.label)} == {"can be raised every 3 days"}
    assert {str(o) for o in graph.objects(titration, rdflib.URIRef("https://w3id.org/drugkg/vocab#interval"))} == {
        "P3D"
    }
