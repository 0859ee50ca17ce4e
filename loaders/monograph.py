"""Loader for curated drug monographs (`data/drugs/*.yaml`): read, check, turn into triples."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from pydantic import ValidationError
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD, DCTERMS

from drugkg.errors import DrugkgError
from drugkg.rdfconvert import OxTerms
from drugkg.namespaces import VOCAB, resource_iri
from drugkg.names import search_key
from loaders.monograph_model import TERM_KINDS, Monograph, Quantity, broader_chains, reference_errors
from loaders.yaml_source import YamlDocument, read_yaml

__all__ = [
    "read_monograph", "monograph_triples", "monograph_ox_triples", "term_iri", "TERM_IRI_KIND", "is_shared_subject",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

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
}
# Resources that several monographs may describe alike (terms, sources, their sections, disease
# mechanisms): the build puts their triples in one shared graph, so each is stored once.
_SHARED_KINDS = tuple(TERM_IRI_KIND.values()) + ("age-limit", "source", "section", "disease-mechanism")
_SHARED_PREFIXES = tuple(resource_iri(kind, "") for kind in _SHARED_KINDS)


def is_shared_subject(iri: str) -> bool:
    """True for the IRI of a resource that is not one drug's own (a term, a source, ...)."""
    return iri.startswith(_SHARED_PREFIXES)


TERM_CLASS = {
    "organizations": VOCAB.Organization,
    "people": VOCAB.Person,
    "drug_classes": VOCAB.DrugClass,
    "chemicals": VOCAB.ChemicalEntity,
    "genes": VOCAB.Gene,
    "proteins": VOCAB.Protein,
    "targets": VOCAB.Target,
    "cell_types": VOCAB.CellType,
    "conditions": VOCAB.Condition,
    "findings": VOCAB.ClinicalFinding,
    "populations": VOCAB.Population,
    "routes": VOCAB.Route,
    "dosage_forms": VOCAB.DosageForm,
    "delivery_modes": VOCAB.DeliveryMode,
    "recommendations": VOCAB.Recommendation,
}
CONTEXT = {
    "common-use": VOCAB.CommonUse,
    "abrupt-withdrawal": VOCAB.AbruptWithdrawal,
    "overdose": VOCAB.Overdose,
    "neonatal-exposure": VOCAB.NeonatalExposure,
    "implantation": VOCAB.Implantation,
}
FREQUENCY = {"common": VOCAB.Common, "rare": VOCAB.Rare, "some-cases": VOCAB.SomeCases}
OUTCOME = {"fatal": VOCAB.Fatal, "mostly-resolved-spontaneously": VOCAB.MostlyResolvedSpontaneously}
WARNING_KIND = {
    "boxed-warning": VOCAB.BoxedWarning,
    "precaution": VOCAB.Precaution,
    "use-with-caution": VOCAB.UseWithCaution,
    "avoid-activity": VOCAB.AvoidActivity,
    "not-established": VOCAB.NotEstablished,
    "not-evaluated": VOCAB.NotEvaluated,
    "lactation": VOCAB.Lactation,
}
MILK = {"detected": VOCAB.MilkDetected, "unknown": VOCAB.MilkUnknown, "not-detected": VOCAB.MilkNotDetected}
ACTION = {
    "binds": VOCAB.Binds,
    "agonist": VOCAB.Agonist,
    "antagonist": VOCAB.Antagonist,
    "inhibitor": VOCAB.Inhibitor,
    "modulator": VOCAB.Modulator,
}
LIFE_STAGE = {
    "neonate": VOCAB.Neonate,
    "infancy": VOCAB.Infancy,
    "childhood": VOCAB.Childhood,
    "adult": VOCAB.Adulthood,
    "elderly": VOCAB.OldAge,
    "pregnancy": VOCAB.Pregnancy,
    "lactation": VOCAB.LactationStage,
}


def term_iri(kind: str, term_id: str) -> URIRef:
    return URIRef(resource_iri(TERM_IRI_KIND[kind], term_id))


def read_monograph(path: Path, known_terms: dict[str, set[str]] | None = None) -> Monograph:
    """Parse and check one monograph file; any problem raises DrugkgError with file, line and field."""
    doc = read_yaml(path)
    try:
        monograph = Monograph.model_validate(doc.value)
    except ValidationError as err:
        first = err.errors()[0]
        raise _located(doc, first["loc"], _pydantic_message(first), _pydantic_expected(first)) from None
    problems = reference_errors(monograph, known_terms)
    if problems:
        loc, message, expected = problems[0]
        raise _located(doc, loc, message, expected)
    return monograph


def _located(doc: YamlDocument, loc: tuple[str | int, ...], message: str, expected: str | None) -> DrugkgError:
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
    return DrugkgError(f"{field}: {message}", file=str(doc.path), where=f"line {doc.line_of(loc)}", expected=expected)


def _pydantic_message(error: dict) -> str:  # type: ignore[type-arg]
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"{error['msg']} (got {shown})"


def _pydantic_expected(error: dict) -> str | None:  # type: ignore[type-arg]
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return str(ctx["expected"])
    if "pattern" in ctx:
        return f"text matching {ctx['pattern']}"
    return None


def _make_monograph_triples(
    URIRef: Callable[[str], Any],  # noqa: N803 - the names of the rdflib terms the body was written with
    Literal: Callable[..., Any],  # noqa: N803
    VOCAB: Any,  # noqa: N803
    RDF: Any,  # noqa: N803
    RDFS: Any,  # noqa: N803
    SKOS: Any,  # noqa: N803
    PROV: Any,  # noqa: N803
    DCTERMS: Any,  # noqa: N803
    TERM_CLASS: dict[str, Any],  # noqa: N803
    CONTEXT: dict[str, Any],  # noqa: N803
    FREQUENCY: dict[str, Any],  # noqa: N803
    OUTCOME: dict[str, Any],  # noqa: N803
    WARNING_KIND: dict[str, Any],  # noqa: N803
    MILK: dict[str, Any],  # noqa: N803
    ACTION: dict[str, Any],  # noqa: N803
    LIFE_STAGE: dict[str, Any],  # noqa: N803
) -> Callable[[Monograph], Iterator[Any]]:
    """The one definition of a monograph's triples, for a given kind of RDF term (rdflib or pyoxigraph).

    The build makes pyoxigraph terms directly (no rdflib objects to create and convert: the slowest
    part of a large build); everyone else gets rdflib terms. Both come from this one body.
    """

    def term_iri(kind: str, term_id: str) -> Any:
        return URIRef(resource_iri(TERM_IRI_KIND[kind], term_id))

    def monograph_triples(m: Monograph) -> Iterator[Triple]:
        """Every triple of a checked monograph. Assertion nodes get minted IRIs, never blank nodes."""
        drug = URIRef(resource_iri("drug", m.drug.id))
        dslug = m.drug.id
        section_of: dict[str, tuple[URIRef, URIRef]] = {}
        for src in m.sources:
            doc = URIRef(resource_iri("source", src.id))
            for sec in src.sections:
                section_of[sec.id] = (doc, URIRef(resource_iri("section", f"{src.id}--{sec.id}")))

        def provenance(node: URIRef, sections: tuple[str, ...]) -> Iterator[Triple]:
            docs = set()
            for sec in sections:
                doc, section = section_of[sec]
                docs.add(doc)
                yield node, VOCAB.sourceSection, section
            for doc in sorted(docs, key=str):
                yield node, PROV.wasDerivedFrom, doc

        def label(node: URIRef, text: str) -> Triple:
            return node, RDFS.label, Literal(text, lang="en")

        def names(node: URIRef, text: str, synonyms: tuple[str, ...], others: tuple[str, ...] = ()) -> Iterator[Triple]:
            yield label(node, text)
            for syn in synonyms:
                yield node, SKOS.altLabel, Literal(syn, lang="en")
            for key in sorted({search_key(name) for name in (text, *synonyms, *others)}):
                yield node, VOCAB.searchKey, Literal(key)

        def quantity(node: URIRef, q: Quantity) -> Iterator[Triple]:
            yield node, RDF.type, VOCAB.Quantity
            yield label(node, f"{_decimal_text(q.value)} {q.unit}")
            yield node, VOCAB.numericValue, Literal(_decimal_text(q.value), datatype=XSD.decimal)
            yield node, VOCAB.unit, Literal(q.unit)

        def assertion(node: URIRef, cls: URIRef, text: str, sections: tuple[str, ...]) -> Iterator[Triple]:
            yield node, RDF.type, cls
            yield label(node, text)
            yield node, VOCAB.forDrug, drug
            yield from provenance(node, sections)

        # sources
        for src in m.sources:
            doc = URIRef(resource_iri("source", src.id))
            yield doc, RDF.type, VOCAB.SourceDocument
            yield label(doc, src.title)
            yield doc, DCTERMS.title, Literal(src.title, lang="en")
            yield doc, DCTERMS.publisher, term_iri("organizations", src.publisher)
            yield doc, DCTERMS.modified, Literal(src.last_updated.isoformat(), datatype=XSD.date)
            yield doc, DCTERMS.type, Literal(src.kind)
            if src.description:
                yield doc, DCTERMS.description, Literal(src.description, lang="en")
            for person in src.authors:
                yield doc, DCTERMS.creator, term_iri("people", person)
            for person in src.fact_checkers:
                yield doc, VOCAB.factCheckedBy, term_iri("people", person)
            for sec in src.sections:
                node = section_of[sec.id][1]
                yield node, RDF.type, VOCAB.SourceSection
                yield label(node, sec.heading)
                yield node, DCTERMS.isPartOf, doc

        above = broader_chains(m.terms.findings)  # the model has refused any chain that loops

        # terms
        for kind in TERM_KINDS:
            for term in getattr(m.terms, kind):
                node = term_iri(kind, term.id)
                yield node, RDF.type, TERM_CLASS[kind]
                yield from names(node, term.label, tuple(term.synonyms))
                if term.definition:
                    yield node, SKOS.definition, Literal(term.definition, lang="en")
                if term.section:
                    yield from provenance(node, term.section)
                if kind == "organizations":
                    if term.regulatory_authority:
                        yield node, RDF.type, VOCAB.RegulatoryAuthority
                    if term.abbreviation:
                        yield node, VOCAB.abbreviation, Literal(term.abbreviation)
                    if term.part_of:
                        yield node, VOCAB.partOf, term_iri("organizations", term.part_of)
                elif kind == "genes":
                    yield node, VOCAB.encodes, term_iri("proteins", term.encodes)
                elif kind == "targets":
                    for sub in term.subunits:
                        yield node, VOCAB.hasSubunit, term_iri("proteins", sub)
                elif kind == "conditions" and term.rare is not None:
                    yield node, VOCAB.rare, Literal(term.rare)
                elif kind == "findings" and term.broader:
                    yield node, SKOS.broader, term_iri("findings", term.broader)
                    for ancestor in above[term.id]:
                        yield node, SKOS.broaderTransitive, term_iri("findings", ancestor)
                elif kind == "populations":
                    if term.condition:
                        yield node, VOCAB.condition, term_iri("conditions", term.condition)
                    if term.life_stage:
                        yield node, VOCAB.lifeStage, LIFE_STAGE[term.life_stage]
                    if term.sex:
                        yield node, VOCAB.sex, Literal(term.sex)
                    if term.age_below:
                        age = URIRef(resource_iri("age-limit", term.id))
                        yield node, VOCAB.ageBelow, age
                        yield from quantity(age, Quantity(value=term.age_below.value, unit=term.age_below.unit))

        # the drug
        d = m.drug
        yield drug, RDF.type, VOCAB.Drug
        yield from names(drug, d.label, tuple(d.synonyms), tuple(d.brand_names))
        for cls in d.drug_classes:
            yield drug, VOCAB.drugClass, term_iri("drug_classes", cls)
        for chem in d.structural_analogue_of:
            yield drug, VOCAB.structuralAnalogueOf, term_iri("chemicals", chem)
        if d.developer:
            yield drug, VOCAB.developer, term_iri("organizations", d.developer)
        for name in d.brand_names:
            yield drug, VOCAB.brandName, Literal(name)
        yield drug, VOCAB.brandNamesComplete, Literal(d.brand_names_complete)
        if d.generic_available is not None:
            yield drug, VOCAB.genericAvailable, Literal(d.generic_available)
        yield from provenance(drug, d.section)

        # formulations
        for f in m.formulations:
            node = URIRef(resource_iri("formulation", f"{dslug}-{f.id}"))
            yield drug, VOCAB.hasFormulation, node
            form_label = next(t.label for t in m.terms.dosage_forms if t.id == f.dosage_form)
            route_label = next(t.label for t in m.terms.routes if t.id == f.route)
            yield from assertion(node, VOCAB.Formulation, f"{d.label} {form_label} ({route_label})", f.section)
            yield node, VOCAB.dosageForm, term_iri("dosage_forms", f.dosage_form)
            yield node, VOCAB.route, term_iri("routes", f.route)
            for mode in f.delivery_modes:
                yield node, VOCAB.deliveryMode, term_iri("delivery_modes", mode)
            for i, q in enumerate(f.strengths, start=1):
                qn = URIRef(resource_iri("quantity", f"{dslug}-{f.id}-strength-{i}"))
                yield node, VOCAB.strength, qn
                yield from quantity(qn, q)
            if f.strength_range:
                rn = URIRef(resource_iri("strength-range", f"{dslug}-{f.id}"))
                yield node, VOCAB.strengthRange, rn
                yield rn, RDF.type, VOCAB.StrengthRange
                lo, hi = f.strength_range.min, f.strength_range.max
                yield label(rn, f"{_decimal_text(lo.value)} {lo.unit} to {_decimal_text(hi.value)} {hi.unit}")
                for role, q in (("min", lo), ("max", hi)):
                    qn = URIRef(resource_iri("quantity", f"{dslug}-{f.id}-strength-{role}"))
                    yield rn, VOCAB.minimum if role == "min" else VOCAB.maximum, qn
                    yield from quantity(qn, q)
            for i, c in enumerate(f.concentrations, start=1):
                cn = URIRef(resource_iri("concentration", f"{dslug}-{f.id}-{i}"))
                yield node, VOCAB.concentration, cn
                yield cn, RDF.type, VOCAB.Concentration
                num, den = c.numerator, c.denominator
                yield label(cn, f"{_decimal_text(num.value)} {num.unit} / {_decimal_text(den.value)} {den.unit}")
                for role, prop, q in (
                    ("numerator", VOCAB.numerator, num),
                    ("denominator", VOCAB.denominator, den),
                    ("normalised", VOCAB.normalised, Quantity.model_construct(
                        value=(num.value / den.value).normalize(), unit=f"{num.unit}/{den.unit}")),
                ):
                    qn = URIRef(resource_iri("quantity", f"{dslug}-{f.id}-{i}-{role}"))
                    yield cn, prop, qn
                    yield from quantity(qn, q)
            if f.other_strengths_available is not None:
                yield node, VOCAB.otherStrengthsAvailable, Literal(f.other_strengths_available)

        # dosing regimens
        for r in m.regimens:
            node = URIRef(resource_iri("regimen", f"{dslug}-{r.id}"))
            yield drug, VOCAB.hasRegimen, node
            route_label = next(t.label for t in m.terms.routes if t.id == r.route)
            yield from assertion(node, VOCAB.DosingRegimen, f"{d.label} {route_label} dosing", r.section)
            yield node, VOCAB.route, term_iri("routes", r.route)
            for fid in r.formulations:
                yield node, VOCAB.appliesToFormulation, URIRef(resource_iri("formulation", f"{dslug}-{fid}"))
            if r.population:
                yield node, VOCAB.population, term_iri("populations", r.population)
            for role, prop, q in (
                ("starting-dose", VOCAB.startingDose, r.starting_dose),
                ("max-single-dose", VOCAB.maxSingleDose, r.max_single_dose),
                ("max-daily-dose", VOCAB.maxDailyDose, r.max_daily_dose),
            ):
                if q is not None:
                    qn = URIRef(resource_iri("quantity", f"{dslug}-{r.id}-{role}"))
                    yield node, prop, qn
                    yield from quantity(qn, q)
            yield node, VOCAB.startingTimesPerDay, Literal(r.starting_times_per_day)
            yield node, VOCAB.startingDoseIsTypical, Literal(r.starting_dose_is_typical)
            if r.max_times_per_day is not None:
                yield node, VOCAB.maxTimesPerDay, Literal(r.max_times_per_day)
            if r.titration:
                tn = URIRef(resource_iri("titration", f"{dslug}-{r.id}"))
                yield node, VOCAB.titration, tn
                yield tn, RDF.type, VOCAB.Titration
                yield label(tn, f"raise every {r.titration.interval}")
                yield tn, VOCAB.interval, Literal(r.titration.interval, datatype=XSD.duration)
                if r.titration.condition:
                    yield tn, VOCAB.titrationCondition, Literal(r.titration.condition, lang="en")
            for adj in r.adjustments:
                an = URIRef(resource_iri("dose-adjustment", f"{dslug}-{r.id}-{adj.population}"))
                yield node, VOCAB.doseAdjustment, an
                yield an, RDF.type, VOCAB.DoseAdjustment
                pop_label = next(t.label for t in m.terms.populations if t.id == adj.population)
                yield label(an, f"adjustment for {pop_label}")
                yield an, VOCAB.population, term_iri("populations", adj.population)
                yield an, VOCAB.recommendation, term_iri("recommendations", adj.recommendation)

        # mechanism of action
        for mech in m.mechanisms:
            node = URIRef(resource_iri("mechanism", f"{dslug}-{mech.id}"))
            target_label = next(t.label for t in m.terms.targets if t.id == mech.target)
            yield from assertion(node, VOCAB.MechanismOfAction, f"{d.label} {mech.action} {target_label}", mech.section)
            yield node, VOCAB.target, term_iri("targets", mech.target)
            yield drug, VOCAB.actsOn, term_iri("targets", mech.target)
            yield node, VOCAB.action, ACTION[mech.action]
            for fid in mech.treats:
                yield node, VOCAB.treats, term_iri("findings", fid)

        # disease mechanisms
        for dm in m.disease_mechanisms:
            node = URIRef(resource_iri("disease-mechanism", dm.id))
            cond_label = next(t.label for t in m.terms.conditions if t.id == dm.condition)
            yield node, RDF.type, VOCAB.DiseaseMechanism
            yield label(node, f"genetic cause of {cond_label}")
            yield from provenance(node, dm.section)
            yield node, VOCAB.condition, term_iri("conditions", dm.condition)
            yield node, VOCAB.causalGene, term_iri("genes", dm.causal_gene)
            yield node, VOCAB.mainButNotSoleCause, Literal(dm.cause_is_main_not_sole)
            if dm.gene_product:
                yield node, VOCAB.geneProduct, term_iri("proteins", dm.gene_product)
            if dm.affected_cell_type:
                yield node, VOCAB.affectedCellType, term_iri("cell_types", dm.affected_cell_type)
            for fid in dm.consequences:
                yield node, VOCAB.consequence, term_iri("findings", fid)

        # indications
        for ind in m.indications:
            node = URIRef(resource_iri("indication", f"{dslug}-{ind.id}"))
            cond_label = next(t.label for t in m.terms.conditions if t.id == ind.condition)
            cls = VOCAB.ApprovedIndication if ind.status == "approved" else VOCAB.OffLabelUse
            status = "approved" if ind.status == "approved" else "off-label"
            yield from assertion(node, cls, f"{d.label} for {cond_label} ({status})", ind.section)
            yield node, VOCAB.condition, term_iri("conditions", ind.condition)
            if ind.approved_by:
                yield node, VOCAB.approvedBy, term_iri("organizations", ind.approved_by)
            for fid in ind.treats:
                yield node, VOCAB.treats, term_iri("findings", fid)

        # adverse effects: one association node per effect of a group
        finding_label = {t.id: t.label for t in m.terms.findings}
        for ae in m.adverse_effects:
            for fid in ae.effects:
                node = URIRef(resource_iri("adverse-effect", f"{dslug}-{ae.id}-{fid}"))
                yield from assertion(
                    node, VOCAB.AdverseEffectAssociation,
                    f"{d.label}: {finding_label[fid]} ({ae.context.replace('-', ' ')})", ae.section,
                )
                yield node, VOCAB.effect, term_iri("findings", fid)
                yield node, VOCAB.context, CONTEXT[ae.context]
                if ae.frequency:
                    yield node, VOCAB.frequency, FREQUENCY[ae.frequency]
                if ae.outcome:
                    yield node, VOCAB.outcome, OUTCOME[ae.outcome]
                if ae.population:
                    yield node, VOCAB.population, term_iri("populations", ae.population)
                if ae.route:
                    yield node, VOCAB.route, term_iri("routes", ae.route)
                if ae.circumstance:
                    yield node, VOCAB.circumstance, Literal(ae.circumstance, lang="en")
                if ae.exposure_up_to:
                    yield node, VOCAB.exposureUpTo, Literal(ae.exposure_up_to, datatype=XSD.duration)
                for cid in ae.consequences:
                    yield node, VOCAB.consequence, term_iri("findings", cid)
                if ae.onset:
                    on = URIRef(resource_iri("onset", f"{dslug}-{ae.id}"))
                    yield node, VOCAB.onset, on
                    yield on, RDF.type, VOCAB.Onset
                    yield label(on, f"{ae.onset.earliest_unit} to {ae.onset.latest_unit} after {ae.onset.after}")
                    yield on, VOCAB.onsetAfter, Literal(ae.onset.after)
                    yield on, VOCAB.earliestUnit, Literal(ae.onset.earliest_unit)
                    yield on, VOCAB.latestUnit, Literal(ae.onset.latest_unit)

        # warnings and precautions
        for w in m.warnings:
            node = URIRef(resource_iri("warning", f"{dslug}-{w.id}"))
            yield from assertion(node, VOCAB.Warning, f"{d.label}: {w.kind.replace('-', ' ')} ({w.id.replace('-', ' ')})",
                                 w.section)
            yield node, VOCAB.warningKind, WARNING_KIND[w.kind]
            if w.issued_by:
                yield node, VOCAB.issuedBy, term_iri("organizations", w.issued_by)
            if w.route:
                yield node, VOCAB.route, term_iri("routes", w.route)
            if w.about_context:
                yield node, VOCAB.context, CONTEXT[w.about_context]
            for fid in w.about_effects:
                yield node, VOCAB.aboutEffect, term_iri("findings", fid)
            for pid in w.populations:
                yield node, VOCAB.population, term_iri("populations", pid)
            for rid in w.recommendations:
                yield node, VOCAB.recommendation, term_iri("recommendations", rid)
            if w.milk_transfer:
                yield node, VOCAB.milkTransfer, MILK[w.milk_transfer]

    return monograph_triples


monograph_triples: Callable[[Monograph], Iterator[Triple]] = _make_monograph_triples(
    URIRef, Literal, VOCAB, RDF, RDFS, SKOS, PROV, DCTERMS,
    TERM_CLASS, CONTEXT, FREQUENCY, OUTCOME, WARNING_KIND, MILK, ACTION, LIFE_STAGE,
)
monograph_triples.__doc__ = "Every triple of a checked monograph (rdflib terms). Assertion nodes get minted IRIs, never blank nodes."


def _ox_monograph_triples() -> Callable[[Monograph], Iterator[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]]:
    t = OxTerms()
    tables = [{k: t.convert(v) for k, v in table.items()}
              for table in (TERM_CLASS, CONTEXT, FREQUENCY, OUTCOME, WARNING_KIND, MILK, ACTION, LIFE_STAGE)]
    return _make_monograph_triples(t.named, t.literal, t.namespace(VOCAB), t.namespace(RDF), t.namespace(RDFS),
                                   t.namespace(SKOS), t.namespace(PROV), t.namespace(DCTERMS), *tables)


monograph_ox_triples = _ox_monograph_triples()
monograph_ox_triples.__doc__ = "The same triples as monograph_triples, as pyoxigraph terms (for the build)."


def _decimal_text(value: Decimal) -> str:
    """Canonical xsd:decimal lexical form: no exponent, no trailing zeros ("5", "0.25")."""
    text = format(value.normalize(), "f")
    return text
