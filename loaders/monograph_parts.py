"""A checked monograph to triples, one small function for each part of the model.

Every part takes an `Emitter`: the monograph, its drug node, its section map and the RDF term
factory (rdflib terms for everyone, pyoxigraph terms for the build, from the same code). Each part
can be called alone; `all_triples` runs them in the order the graph has always been written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib.namespace import XSD

from drugkg.names import search_key
from drugkg.namespaces import resource_iri
from drugkg.rdfconvert import decimal_lexical
from loaders.monograph_model import (
    TERM_KINDS,
    AdverseEffectGroup,
    Concentration,
    Formulation,
    Monograph,
    Quantity,
    Regimen,
    broader_chains,
)

__all__ = [
    "PARTS",
    "TERM_IRI_KIND",
    "Emitter",
    "RdfTerms",
    "all_triples",
    "dosing_triples",
    "effect_triples",
    "formulation_triples",
    "identity_triples",
    "indication_triples",
    "mechanism_triples",
    "population_triples",
    "provenance_triples",
    "term_triples",
    "warning_triples",
]

Triple = tuple[Any, Any, Any]

TERM_IRI_KIND = {
    "organizations": "organization",
    "people": "person",
    "drug_classes": "drug-class",
    "chemicals": "chemical",
    "genes": "gene",
    "proteins": "protein",
    "targets": "target",
    "cell_types": "cell-type",
    "conditions": "condition",
    "findings": "finding",
    "populations": "population",
    "routes": "route",
    "dosage_forms": "dosage-form",
    "delivery_modes": "delivery-mode",
    "recommendations": "recommendation",
    "actors": "actor",
    "activities": "activity",
    "monitored_items": "monitored-item",
}


@dataclass(frozen=True)
class RdfTerms:
    """How to make RDF terms: `iri(text)`, `literal(value, lang=, datatype=)`, namespaces and value tables."""

    iri: Callable[[str], Any]
    literal: Callable[..., Any]
    vocab: Any
    rdf: Any
    rdfs: Any
    skos: Any
    prov: Any
    dcterms: Any
    tables: Mapping[str, Mapping[str, Any]]  # model value -> vocabulary individual, by table name


@dataclass
class Emitter:
    """One monograph and the term factory: the helpers every part uses."""

    m: Monograph
    t: RdfTerms
    drug: Any = field(init=False)
    section_of: dict[str, tuple[Any, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.drug = self.t.iri(resource_iri("drug", self.m.drug.id))
        self.section_of = {}
        for src in self.m.sources:
            doc = self.t.iri(resource_iri("source", src.id))
            for sec in src.sections:
                self.section_of[sec.id] = (doc, self.t.iri(resource_iri("section", f"{src.id}--{sec.id}")))

    @property
    def slug(self) -> str:
        return self.m.drug.id

    def node(self, kind: str, slug: str) -> Any:
        return self.t.iri(resource_iri(kind, slug))

    def term(self, kind: str, term_id: str) -> Any:
        return self.t.iri(resource_iri(TERM_IRI_KIND[kind], term_id))

    def value(self, table: str, key: str) -> Any:
        return self.t.tables[table][key]

    def label(self, node: Any, text: str) -> Triple:
        return node, self.t.rdfs.label, self.t.literal(text, lang="en")

    def term_label(self, kind: str, term_id: str) -> str:
        return next(t.label for t in getattr(self.m.terms, kind) if t.id == term_id)

    def provenance(self, node: Any, sections: tuple[str, ...]) -> Iterator[Triple]:
        docs = set()
        for sec in sections:
            doc, section = self.section_of[sec]
            docs.add(doc)
            yield node, self.t.vocab.sourceSection, section
        for doc in sorted(docs, key=str):
            yield node, self.t.prov.wasDerivedFrom, doc

    def names(self, node: Any, text: str, synonyms: tuple[str, ...], others: tuple[str, ...] = ()) -> Iterator[Triple]:
        yield self.label(node, text)
        for syn in synonyms:
            yield node, self.t.skos.altLabel, self.t.literal(syn, lang="en")
        for key in sorted({search_key(name) for name in (text, *synonyms, *others)}):
            yield node, self.t.vocab.searchKey, self.t.literal(key)

    def quantity(self, node: Any, q: Quantity) -> Iterator[Triple]:
        v, lit = self.t.vocab, self.t.literal
        yield node, self.t.rdf.type, v.Quantity
        yield self.label(node, f"{decimal_lexical(q.value)} {q.unit}")
        yield node, v.numericValue, lit(decimal_lexical(q.value), datatype=XSD.decimal)
        yield node, v.unit, lit(q.unit)

    def certainty(self, node: Any, level: str) -> Triple:
        return node, self.t.vocab.certainty, self.value("certainty", level)

    def assertion(self, node: Any, cls: Any, text: str, sections: tuple[str, ...], certainty: str) -> Iterator[Triple]:
        yield node, self.t.rdf.type, cls
        yield self.label(node, text)
        yield node, self.t.vocab.forDrug, self.drug
        yield self.certainty(node, certainty)
        yield from self.provenance(node, sections)


# -- provenance: the source documents and their sections --------------------------------------------


def provenance_triples(e: Emitter) -> Iterator[Triple]:
    """The source documents (title, publisher, date, people) and their sections."""
    v, dc, lit = e.t.vocab, e.t.dcterms, e.t.literal
    for src in e.m.sources:
        doc = e.node("source", src.id)
        yield doc, e.t.rdf.type, v.SourceDocument
        yield e.label(doc, src.title)
        yield doc, dc.title, lit(src.title, lang="en")
        yield doc, dc.publisher, e.term("organizations", src.publisher)
        yield doc, dc.modified, lit(src.last_updated.isoformat(), datatype=XSD.date)
        yield doc, dc.type, lit(src.kind)
        if src.description:
            yield doc, dc.description, lit(src.description, lang="en")
        for person in src.authors:
            yield doc, dc.creator, e.term("people", person)
        for person in src.fact_checkers:
            yield doc, v.factCheckedBy, e.term("people", person)
        for sec in src.sections:
            node = e.section_of[sec.id][1]
            yield node, e.t.rdf.type, v.SourceSection
            yield e.label(node, sec.heading)
            yield node, dc.isPartOf, doc


# -- terms (populations among them) ------------------------------------------------------------------


def _organization_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    v = e.t.vocab
    if term.regulatory_authority:
        yield node, e.t.rdf.type, v.RegulatoryAuthority
    if term.abbreviation:
        yield node, v.abbreviation, e.t.literal(term.abbreviation)
    if term.part_of:
        yield node, v.partOf, e.term("organizations", term.part_of)


def _gene_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    yield node, e.t.vocab.encodes, e.term("proteins", term.encodes)


def _target_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    for sub in term.subunits:
        yield node, e.t.vocab.hasSubunit, e.term("proteins", sub)


def _condition_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    if term.rare is not None:
        yield node, e.t.vocab.rare, e.t.literal(term.rare)


def _finding_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    if term.broader:
        yield node, e.t.skos.broader, e.term("findings", term.broader)
        for ancestor in above[term.id]:
            yield node, e.t.skos.broaderTransitive, e.term("findings", ancestor)


def _recommendation_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    v = e.t.vocab
    for aid in term.actors:
        yield node, v.actor, e.term("actors", aid)
    for aid in term.activities:
        yield node, v.activity, e.term("activities", aid)
    for mid in term.attends_to:
        yield node, v.attentionTo, e.term("monitored_items", mid)


def _population_extras(e: Emitter, node: Any, term: Any, above: dict[str, list[str]]) -> Iterator[Triple]:
    v = e.t.vocab
    if term.condition:
        yield node, v.condition, e.term("conditions", term.condition)
    if term.life_stage:
        yield node, v.lifeStage, e.value("life_stage", term.life_stage)
    if term.sex:
        yield node, v.sex, e.t.literal(term.sex)
    if term.age_below:
        age = e.node("age-limit", term.id)
        yield node, v.ageBelow, age
        yield from e.quantity(age, Quantity(value=term.age_below.value, unit=term.age_below.unit))


_TERM_EXTRAS: dict[str, Callable[[Emitter, Any, Any, dict[str, list[str]]], Iterator[Triple]]] = {
    "organizations": _organization_extras,
    "genes": _gene_extras,
    "targets": _target_extras,
    "conditions": _condition_extras,
    "findings": _finding_extras,
    "populations": _population_extras,
    "recommendations": _recommendation_extras,
}


def _one_kind_of_terms(e: Emitter, kind: str, above: dict[str, list[str]]) -> Iterator[Triple]:
    extras = _TERM_EXTRAS.get(kind)
    for term in getattr(e.m.terms, kind):
        node = e.term(kind, term.id)
        yield node, e.t.rdf.type, e.value("term_class", kind)
        yield from e.names(node, term.label, tuple(term.synonyms))
        if term.definition:
            yield node, e.t.skos.definition, e.t.literal(term.definition, lang="en")
        if term.section:
            yield from e.provenance(node, term.section)
        if extras:
            yield from extras(e, node, term, above)


def term_triples(e: Emitter, kinds: tuple[str, ...] = TERM_KINDS) -> Iterator[Triple]:
    """The shared terms of the given kinds (all by default), with their names and kind-specific facts."""
    above = broader_chains(e.m.terms.findings)  # the model has refused any chain that loops
    for kind in kinds:
        yield from _one_kind_of_terms(e, kind, above)


def population_triples(e: Emitter) -> Iterator[Triple]:
    """The populations alone (age limits, life stages, conditions)."""
    return term_triples(e, ("populations",))


# -- identity: the drug itself -----------------------------------------------------------------------


def identity_triples(e: Emitter) -> Iterator[Triple]:
    """The drug: names, classes, analogues, developer, brand names, generic availability."""
    v, lit, drug, d = e.t.vocab, e.t.literal, e.drug, e.m.drug
    yield drug, e.t.rdf.type, v.Drug
    yield from e.names(drug, d.label, tuple(d.synonyms), tuple(d.brand_names))
    for cls in d.drug_classes:
        yield drug, v.drugClass, e.term("drug_classes", cls)
    for chem in d.structural_analogue_of:
        yield drug, v.structuralAnalogueOf, e.term("chemicals", chem)
    if d.developer:
        yield drug, v.developer, e.term("organizations", d.developer)
    for name in d.brand_names:
        yield drug, v.brandName, lit(name)
    yield drug, v.brandNamesComplete, lit(d.brand_names_complete)
    if d.generic_available is not None:
        yield drug, v.genericAvailable, lit(d.generic_available)
    yield from e.provenance(drug, d.section)


# -- formulations ------------------------------------------------------------------------------------


def _strength_range(e: Emitter, node: Any, f: Formulation) -> Iterator[Triple]:
    assert f.strength_range is not None
    v = e.t.vocab
    rn = e.node("strength-range", f"{e.slug}-{f.id}")
    yield node, v.strengthRange, rn
    yield rn, e.t.rdf.type, v.StrengthRange
    lo, hi = f.strength_range.min, f.strength_range.max
    yield e.label(rn, f"{decimal_lexical(lo.value)} {lo.unit} to {decimal_lexical(hi.value)} {hi.unit}")
    for role, prop, q in (("min", v.minimum, lo), ("max", v.maximum, hi)):
        qn = e.node("quantity", f"{e.slug}-{f.id}-strength-{role}")
        yield rn, prop, qn
        yield from e.quantity(qn, q)


def _concentration(e: Emitter, node: Any, f: Formulation, i: int, c: Concentration) -> Iterator[Triple]:
    v = e.t.vocab
    cn = e.node("concentration", f"{e.slug}-{f.id}-{i}")
    yield node, v.concentration, cn
    yield cn, e.t.rdf.type, v.Concentration
    num, den = c.numerator, c.denominator
    yield e.label(cn, f"{decimal_lexical(num.value)} {num.unit} / {decimal_lexical(den.value)} {den.unit}")
    normalised = Quantity.model_construct(value=(num.value / den.value).normalize(), unit=f"{num.unit}/{den.unit}")
    for role, prop, q in (
        ("numerator", v.numerator, num),
        ("denominator", v.denominator, den),
        ("normalised", v.normalised, normalised),
    ):
        qn = e.node("quantity", f"{e.slug}-{f.id}-{i}-{role}")
        yield cn, prop, qn
        yield from e.quantity(qn, q)


def _one_formulation(e: Emitter, f: Formulation) -> Iterator[Triple]:
    v = e.t.vocab
    node = e.node("formulation", f"{e.slug}-{f.id}")
    yield e.drug, v.hasFormulation, node
    text = f"{e.m.drug.label} {e.term_label('dosage_forms', f.dosage_form)} ({e.term_label('routes', f.route)})"
    yield from e.assertion(node, v.Formulation, text, f.section, f.certainty)
    yield node, v.dosageForm, e.term("dosage_forms", f.dosage_form)
    yield node, v.route, e.term("routes", f.route)
    for mode in f.delivery_modes:
        yield node, v.deliveryMode, e.term("delivery_modes", mode)
    for i, q in enumerate(f.strengths, start=1):
        qn = e.node("quantity", f"{e.slug}-{f.id}-strength-{i}")
        yield node, v.strength, qn
        yield from e.quantity(qn, q)
    if f.strength_range:
        yield from _strength_range(e, node, f)
    for i, c in enumerate(f.concentrations, start=1):
        yield from _concentration(e, node, f, i, c)
    if f.other_strengths_available is not None:
        yield node, v.otherStrengthsAvailable, e.t.literal(f.other_strengths_available)


def formulation_triples(e: Emitter) -> Iterator[Triple]:
    """Each formulation: dosage form, route, delivery, strengths, ranges and concentrations."""
    for f in e.m.formulations:
        yield from _one_formulation(e, f)


# -- dosing ------------------------------------------------------------------------------------------


def _doses(e: Emitter, node: Any, r: Regimen) -> Iterator[Triple]:
    v = e.t.vocab
    for role, prop, q in (
        ("starting-dose", v.startingDose, r.starting_dose),
        ("max-single-dose", v.maxSingleDose, r.max_single_dose),
        ("max-daily-dose", v.maxDailyDose, r.max_daily_dose),
    ):
        if q is not None:
            qn = e.node("quantity", f"{e.slug}-{r.id}-{role}")
            yield node, prop, qn
            yield from e.quantity(qn, q)


def _titration(e: Emitter, node: Any, r: Regimen) -> Iterator[Triple]:
    assert r.titration is not None
    v, lit = e.t.vocab, e.t.literal
    tn = e.node("titration", f"{e.slug}-{r.id}")
    yield node, v.titration, tn
    yield tn, e.t.rdf.type, v.Titration
    yield e.label(tn, f"can be raised every {duration_words(r.titration.interval)}")
    yield tn, v.interval, lit(r.titration.interval, datatype=XSD.duration)
    if r.titration.condition:
        yield tn, v.titrationCondition, lit(r.titration.condition, lang="en")


def _adjustments(e: Emitter, node: Any, r: Regimen) -> Iterator[Triple]:
    v = e.t.vocab
    for adj in r.adjustments:
        an = e.node("dose-adjustment", f"{e.slug}-{r.id}-{adj.population}")
        yield node, v.doseAdjustment, an
        yield an, e.t.rdf.type, v.DoseAdjustment
        yield e.label(an, f"adjustment for {e.term_label('populations', adj.population)}")
        yield an, v.population, e.term("populations", adj.population)
        yield an, v.recommendation, e.term("recommendations", adj.recommendation)
        yield e.certainty(an, adj.certainty)


def _one_regimen(e: Emitter, r: Regimen) -> Iterator[Triple]:
    v, lit = e.t.vocab, e.t.literal
    node = e.node("regimen", f"{e.slug}-{r.id}")
    yield e.drug, v.hasRegimen, node
    text = f"{e.m.drug.label} {e.term_label('routes', r.route)} dosing"
    yield from e.assertion(node, v.DosingRegimen, text, r.section, r.certainty)
    yield node, v.route, e.term("routes", r.route)
    for fid in r.formulations:
        yield node, v.appliesToFormulation, e.node("formulation", f"{e.slug}-{fid}")
    if r.population:
        yield node, v.population, e.term("populations", r.population)
    yield from _doses(e, node, r)
    yield node, v.startingTimesPerDay, lit(r.starting_times_per_day)
    yield node, v.startingDoseIsTypical, lit(r.starting_dose_is_typical)
    if r.max_times_per_day is not None:
        yield node, v.maxTimesPerDay, lit(r.max_times_per_day)
    if r.titration:
        yield from _titration(e, node, r)
    yield from _adjustments(e, node, r)


def dosing_triples(e: Emitter) -> Iterator[Triple]:
    """Each dosing regimen: route, population, doses, titration and dose adjustments."""
    for r in e.m.regimens:
        yield from _one_regimen(e, r)


# -- mechanism (of the drug, and of the disease) -----------------------------------------------------


def _drug_mechanisms(e: Emitter) -> Iterator[Triple]:
    v = e.t.vocab
    for mech in e.m.mechanisms:
        node = e.node("mechanism", f"{e.slug}-{mech.id}")
        text = f"{e.m.drug.label} {mech.action} {e.term_label('targets', mech.target)}"
        yield from e.assertion(node, v.MechanismOfAction, text, mech.section, mech.certainty)
        yield node, v.target, e.term("targets", mech.target)
        yield e.drug, v.actsOn, e.term("targets", mech.target)
        yield node, v.action, e.value("action", mech.action)
        for fid in mech.treats:
            yield node, v.treats, e.term("findings", fid)


def _disease_mechanisms(e: Emitter) -> Iterator[Triple]:
    v = e.t.vocab
    for dm in e.m.disease_mechanisms:
        node = e.node("disease-mechanism", dm.id)
        yield node, e.t.rdf.type, v.DiseaseMechanism
        condition = e.term_label("conditions", dm.condition)
        yield e.label(
            node, f"genetic cause of {condition}" if dm.causal_gene else f"how {condition} may cause findings"
        )
        yield e.certainty(node, dm.certainty)
        yield from e.provenance(node, dm.section)
        yield node, v.condition, e.term("conditions", dm.condition)
        if dm.causal_gene:
            yield node, v.causalGene, e.term("genes", dm.causal_gene)
            yield node, v.mainButNotSoleCause, e.t.literal(dm.cause_is_main_not_sole)
        if dm.gene_product:
            yield node, v.geneProduct, e.term("proteins", dm.gene_product)
        if dm.affected_cell_type:
            yield node, v.affectedCellType, e.term("cell_types", dm.affected_cell_type)
        for fid in dm.consequences:
            yield node, v.consequence, e.term("findings", fid)


def mechanism_triples(e: Emitter) -> Iterator[Triple]:
    """The drug's mechanisms of action, then the mechanisms of the diseases it is used for."""
    yield from _drug_mechanisms(e)
    yield from _disease_mechanisms(e)


# -- indications -------------------------------------------------------------------------------------


def indication_triples(e: Emitter) -> Iterator[Triple]:
    """Each indication: condition, approved (by whom) or off-label, findings treated."""
    v = e.t.vocab
    for ind in e.m.indications:
        node = e.node("indication", f"{e.slug}-{ind.id}")
        approved = ind.status == "approved"
        cls = v.ApprovedIndication if approved else v.OffLabelUse
        text = f"{e.m.drug.label} for {e.term_label('conditions', ind.condition)} ({'approved' if approved else 'off-label'})"
        yield from e.assertion(node, cls, text, ind.section, ind.certainty)
        yield node, v.condition, e.term("conditions", ind.condition)
        if ind.approved_by:
            yield node, v.approvedBy, e.term("organizations", ind.approved_by)
        for fid in ind.treats:
            yield node, v.treats, e.term("findings", fid)


# -- adverse effects ---------------------------------------------------------------------------------


def _effect_qualifiers(e: Emitter, node: Any, ae: AdverseEffectGroup) -> Iterator[Triple]:
    v, lit = e.t.vocab, e.t.literal
    if ae.frequency:
        yield node, v.frequency, e.value("frequency", ae.frequency)
    if ae.outcome:
        yield node, v.outcome, e.value("outcome", ae.outcome)
    if ae.population:
        yield node, v.population, e.term("populations", ae.population)
    if ae.route:
        yield node, v.route, e.term("routes", ae.route)
    if ae.circumstance:
        yield node, v.circumstance, lit(ae.circumstance, lang="en")
    if ae.exposure_up_to:
        yield node, v.exposureUpTo, lit(ae.exposure_up_to, datatype=XSD.duration)
    for cid in ae.consequences:
        yield node, v.consequence, e.term("findings", cid)


def _onset(e: Emitter, node: Any, ae: AdverseEffectGroup) -> Iterator[Triple]:
    assert ae.onset is not None
    v, lit = e.t.vocab, e.t.literal
    on = e.node("onset", f"{e.slug}-{ae.id}")
    yield node, v.onset, on
    yield on, e.t.rdf.type, v.Onset
    yield e.label(on, f"{ae.onset.earliest_unit} to {ae.onset.latest_unit} after {ae.onset.after}")
    yield on, v.onsetAfter, lit(ae.onset.after)
    yield on, v.earliestUnit, lit(ae.onset.earliest_unit)
    yield on, v.latestUnit, lit(ae.onset.latest_unit)
    if ae.onset.in_words:
        yield on, v.onsetInWords, lit(ae.onset.in_words, lang="en")


# how an association's label names its context ("common use" read as "a common side effect")
_CONTEXT_WORDS = {
    "common-use": "during treatment",
    "abrupt-withdrawal": "abrupt withdrawal",
    "overdose": "overdose",
    "neonatal-exposure": "neonatal exposure",
    "implantation": "implantation",
}


def _effect_group(e: Emitter, ae: AdverseEffectGroup, finding_label: dict[str, str]) -> Iterator[Triple]:
    v = e.t.vocab
    for fid in ae.effects:
        node = e.node("adverse-effect", f"{e.slug}-{ae.id}-{fid}")
        text = f"{e.m.drug.label}: {finding_label[fid]} ({_CONTEXT_WORDS[ae.context]})"
        yield from e.assertion(node, v.AdverseEffectAssociation, text, ae.section, ae.certainty)
        yield node, v.effect, e.term("findings", fid)
        yield node, v.context, e.value("context", ae.context)
        yield from _effect_qualifiers(e, node, ae)
        if ae.onset:
            yield from _onset(e, node, ae)


def effect_triples(e: Emitter) -> Iterator[Triple]:
    """One adverse-effect association node per effect of each group, with the group's qualifiers."""
    finding_label = {t.id: t.label for t in e.m.terms.findings}
    for ae in e.m.adverse_effects:
        yield from _effect_group(e, ae, finding_label)


# -- warnings ----------------------------------------------------------------------------------------


def warning_triples(e: Emitter) -> Iterator[Triple]:
    """Each warning or precaution: kind, issuer, route, context, effects, populations, recommendations."""
    v = e.t.vocab
    for w in e.m.warnings:
        node = e.node("warning", f"{e.slug}-{w.id}")
        text = f"{e.m.drug.label}: {w.kind.replace('-', ' ')} ({w.id.replace('-', ' ')})"
        yield from e.assertion(node, v.Warning, text, w.section, w.certainty)
        yield node, v.warningKind, e.value("warning_kind", w.kind)
        if w.issued_by:
            yield node, v.issuedBy, e.term("organizations", w.issued_by)
        if w.route:
            yield node, v.route, e.term("routes", w.route)
        if w.about_context:
            yield node, v.context, e.value("context", w.about_context)
        for fid in w.about_effects:
            yield node, v.aboutEffect, e.term("findings", fid)
        for pid in w.populations:
            yield node, v.population, e.term("populations", pid)
        for rid in w.recommendations:
            yield node, v.recommendation, e.term("recommendations", rid)
        if w.milk_transfer:
            yield node, v.milkTransfer, e.value("milk", w.milk_transfer)


PARTS: tuple[Callable[[Emitter], Iterator[Triple]], ...] = (
    provenance_triples,
    term_triples,
    identity_triples,
    formulation_triples,
    dosing_triples,
    mechanism_triples,
    indication_triples,
    effect_triples,
    warning_triples,
)


def all_triples(m: Monograph, terms: RdfTerms) -> Iterator[Triple]:
    """Every triple of a checked monograph, part by part. Assertion nodes get minted IRIs, never blank nodes."""
    e = Emitter(m, terms)
    for part in PARTS:
        yield from part(e)


_DURATION_UNITS = (
    ("Y", "year"),
    ("M", "month"),
    ("W", "week"),
    ("D", "day"),
    ("TH", "hour"),
    ("TM", "minute"),
    ("TS", "second"),
)


def duration_words(duration: str) -> str:
    """An ISO 8601 duration in words, for labels: "P3D" is "3 days", "P1W" is "1 week"."""
    date, _, time = duration.removeprefix("P").partition("T")
    parts = []
    for designator, unit in _DURATION_UNITS:
        text, letter = (time, designator[1]) if designator.startswith("T") else (date, designator)
        amount = re.search(rf"(\d+){letter}", text)
        if amount:
            n = int(amount.group(1))
            parts.append(f"{n} {unit}{'' if n == 1 else 's'}")
    return " and ".join(parts) or duration
