"""The typed model of a curated drug monograph; a file that does not fit it makes no triples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

__all__ = [
    "CERTAINTY_LEVELS",
    "TERM_KINDS",
    "UCUM_UNITS",
    "Monograph",
    "Quantity",
    "broader_chains",
    "reference_errors",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
# Free text: no C0/C1 control characters (they break RDF/XML and most terminals); line breaks are allowed.
Text = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=2000,
        strip_whitespace=True,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]*$",
    ),
]
Duration = Annotated[
    str, StringConstraints(pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$", min_length=3)
]

UCUM_UNITS = ("mg", "g", "ug", "mL", "L", "mg/mL", "ug/mL", "mg/d", "mg/kg", "h", "d", "wk", "mo", "a", "kg")
Unit = Literal["mg", "g", "ug", "mL", "L", "mg/mL", "ug/mL", "mg/d", "mg/kg", "h", "d", "wk", "mo", "a", "kg"]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


Sections = Annotated[tuple[Slug, ...], BeforeValidator(_as_list), Field(min_length=1)]
# How firmly the source states a claim (docs/decisions/0005-certainty-levels.md): "stated" plainly,
# "possible" (may, can, in some cases), "reported" (seen in some patients or groups), "unknown" (the
# source says it is not known). Required on every assertion: no default, so nothing is firmer by omission.
Certainty = Literal["stated", "possible", "reported", "unknown"]
CERTAINTY_LEVELS = ("stated", "possible", "reported", "unknown")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Quantity(_Model):
    value: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=6, allow_inf_nan=False)]
    unit: Unit


class AgeLimit(_Model):
    value: Annotated[Decimal, Field(ge=0, le=150, max_digits=6, decimal_places=2, allow_inf_nan=False)]
    unit: Literal["a", "mo", "wk", "d"]


class Section(_Model):
    id: Slug
    heading: Text


class Source(_Model):
    id: Slug
    title: Text
    kind: Literal["web-article", "label", "curation-record", "journal-article", "synthetic"]
    publisher: Slug
    authors: tuple[Slug, ...] = Field(min_length=1)
    fact_checkers: tuple[Slug, ...] = ()
    last_updated: dt.date
    description: Text | None = None
    sections: tuple[Section, ...] = Field(min_length=1)


class Term(_Model):
    id: Slug
    label: Text
    synonyms: tuple[Text, ...] = ()
    definition: Text | None = None
    section: Sections | None = None


class Organization(Term):
    abbreviation: Text | None = None
    part_of: Slug | None = None
    regulatory_authority: bool = False


class Gene(Term):
    encodes: Slug


class Target(Term):
    subunits: tuple[Slug, ...] = Field(min_length=1)


class Condition(Term):
    rare: bool | None = None


class Finding(Term):
    broader: Slug | None = None


class Recommendation(Term):
    actors: tuple[Slug, ...] = ()  # who the source says must act; empty where it names no one
    activities: tuple[Slug, ...] = ()  # activities the recommendation is about (to avoid, or to do)
    attends_to: tuple[Slug, ...] = ()  # things to watch or take care of


class Population(Term):
    condition: Slug | None = None
    life_stage: Literal["neonate", "infancy", "childhood", "adult", "elderly", "pregnancy", "lactation"] | None = None
    sex: Literal["female", "male"] | None = None
    age_below: AgeLimit | None = None


class Terms(_Model):
    organizations: tuple[Organization, ...] = ()
    people: tuple[Term, ...] = ()
    drug_classes: tuple[Term, ...] = ()
    chemicals: tuple[Term, ...] = ()
    genes: tuple[Gene, ...] = ()
    proteins: tuple[Term, ...] = ()
    targets: tuple[Target, ...] = ()
    cell_types: tuple[Term, ...] = ()
    conditions: tuple[Condition, ...] = ()
    findings: tuple[Finding, ...] = ()
    populations: tuple[Population, ...] = ()
    routes: tuple[Term, ...] = ()
    dosage_forms: tuple[Term, ...] = ()
    delivery_modes: tuple[Term, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    actors: tuple[Term, ...] = ()
    activities: tuple[Term, ...] = ()
    monitored_items: tuple[Term, ...] = ()


TERM_KINDS = tuple(Terms.model_fields)


class Drug(_Model):
    id: Slug
    label: Text
    synonyms: tuple[Text, ...] = ()
    drug_classes: tuple[Slug, ...] = Field(min_length=1)
    structural_analogue_of: tuple[Slug, ...] = ()
    developer: Slug | None = None
    brand_names: tuple[Text, ...] = ()
    brand_names_complete: bool = True
    generic_available: bool | None = None
    section: Sections


class StrengthRange(_Model):
    min: Quantity
    max: Quantity


class Concentration(_Model):
    numerator: Quantity
    denominator: Quantity


class Formulation(_Model):
    id: Slug
    dosage_form: Slug
    route: Slug
    strengths: tuple[Quantity, ...] = ()
    strength_range: StrengthRange | None = None
    concentrations: tuple[Concentration, ...] = ()
    other_strengths_available: bool | None = None  # only when the source says so
    delivery_modes: tuple[Slug, ...] = ()
    certainty: Certainty
    section: Sections


class Titration(_Model):
    interval: Duration
    condition: Text | None = None


class Adjustment(_Model):
    population: Slug
    recommendation: Slug
    certainty: Certainty


class Regimen(_Model):
    id: Slug
    route: Slug
    formulations: tuple[Slug, ...] = ()
    population: Slug | None = None
    starting_dose: Quantity
    starting_times_per_day: Annotated[int, Field(ge=1, le=24)]
    starting_dose_is_typical: bool = False
    titration: Titration | None = None
    max_single_dose: Quantity | None = None
    max_times_per_day: Annotated[int, Field(ge=1, le=24)] | None = None
    max_daily_dose: Quantity | None = None
    adjustments: tuple[Adjustment, ...] = ()
    certainty: Certainty
    section: Sections


class Mechanism(_Model):
    id: Slug
    target: Slug
    action: Literal["binds", "agonist", "antagonist", "inhibitor", "modulator"]
    treats: tuple[Slug, ...] = ()
    certainty: Certainty
    section: Sections


class DiseaseMechanism(_Model):
    id: Slug
    condition: Slug
    causal_gene: Slug | None = None
    cause_is_main_not_sole: bool = False
    gene_product: Slug | None = None
    affected_cell_type: Slug | None = None
    consequences: tuple[Slug, ...] = ()
    certainty: Certainty
    section: Sections


class Indication(_Model):
    id: Slug
    condition: Slug
    status: Literal["approved", "off-label"]
    approved_by: Slug | None = None
    treats: tuple[Slug, ...] = ()
    certainty: Certainty
    section: Sections


class Onset(_Model):
    after: Literal["delivery", "first-dose", "dose-change", "withdrawal"]
    earliest_unit: Literal["min", "h", "d", "wk", "mo"]
    latest_unit: Literal["min", "h", "d", "wk", "mo"]
    in_words: Text | None = None  # the span as the source words it, when it gives no figures


Context = Literal["common-use", "abrupt-withdrawal", "overdose", "neonatal-exposure", "implantation"]


class AdverseEffectGroup(_Model):
    id: Slug
    context: Context
    effects: tuple[Slug, ...] = Field(min_length=1)
    frequency: Literal["common", "rare", "some-cases"] | None = None
    outcome: Literal["fatal", "mostly-resolved-spontaneously"] | None = None
    population: Slug | None = None
    route: Slug | None = None
    circumstance: Text | None = None
    onset: Onset | None = None
    exposure_up_to: Duration | None = None
    consequences: tuple[Slug, ...] = ()
    certainty: Certainty
    section: Sections


WarningKindName = Literal[
    "boxed-warning",
    "precaution",
    "use-with-caution",
    "avoid-activity",
    "not-established",
    "not-evaluated",
    "lactation",
]


class Warning(_Model):
    id: Slug
    kind: WarningKindName
    issued_by: Slug | None = None
    route: Slug | None = None
    about_context: Context | None = None
    about_effects: tuple[Slug, ...] = ()
    populations: tuple[Slug, ...] = ()
    recommendations: tuple[Slug, ...] = ()
    milk_transfer: Literal["detected", "unknown", "not-detected"] | None = None
    certainty: Certainty
    section: Sections


class Monograph(_Model):
    schema_version: Literal[1]
    sources: tuple[Source, ...] = Field(min_length=1)
    terms: Terms = Terms()
    drug: Drug
    formulations: tuple[Formulation, ...] = ()
    regimens: tuple[Regimen, ...] = ()
    mechanisms: tuple[Mechanism, ...] = ()
    disease_mechanisms: tuple[DiseaseMechanism, ...] = ()
    indications: tuple[Indication, ...] = ()
    adverse_effects: tuple[AdverseEffectGroup, ...] = ()
    warnings: tuple[Warning, ...] = ()


Problem = tuple[tuple[str | int, ...], str, str]


def broader_chains(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """For each finding, the findings above it, nearest first; a chain that loops stops where it closes."""
    broader_of = {f.id: f.broader for f in findings}
    chains: dict[str, list[str]] = {}
    for finding_id, step in broader_of.items():
        chain: list[str] = []
        while step in broader_of and step not in chain:
            chain.append(step)
            step = broader_of[step]
        chains[finding_id] = chain
    return chains


class _ReferenceCheck:
    """Collects duplicate ids and dangling references, part by part, in the order they are reported."""

    def __init__(self, m: Monograph, known_terms: dict[str, set[str]] | None) -> None:
        self.m = m
        self.problems: list[Problem] = []
        self.ids: dict[str, set[str]] = {
            kind: set(known_terms.get(kind, ())) if known_terms else set() for kind in TERM_KINDS
        }
        self.sections: set[str] = set()
        self.formulation_ids = {f.id for f in m.formulations}

    def add(self, loc: tuple[str | int, ...], message: str, expected: str) -> None:
        self.problems.append((loc, message, expected))

    def ref(self, loc: tuple[str | int, ...], value: str | None, kind: str) -> None:
        if value is not None and value not in self.ids[kind]:
            self.add(loc, f"unknown {kind[:-1].replace('_', ' ')} {value!r}", f"an id listed under terms.{kind}")

    def refs(self, loc: tuple[str | int, ...], values: tuple[str, ...], kind: str) -> None:
        for j, v in enumerate(values):
            self.ref((*loc, j), v, kind)

    def section_refs(self, loc: tuple[str | int, ...], values: tuple[str, ...] | None) -> None:
        for j, v in enumerate(values or ()):
            if v not in self.sections:
                self.add(
                    (*loc, j) if len(values or ()) > 1 else loc,
                    f"unknown section {v!r}",
                    "a section id declared under sources[].sections",
                )

    def term_ids(self) -> None:
        for kind in TERM_KINDS:
            seen: set[str] = set()
            for i, term in enumerate(getattr(self.m.terms, kind)):
                if term.id in seen:
                    self.add(("terms", kind, i, "id"), f"duplicate id {term.id!r}", f"a unique id among {kind}")
                seen.add(term.id)
                self.ids[kind].add(term.id)

    def section_ids(self) -> None:
        for i, src in enumerate(self.m.sources):
            for j, sec in enumerate(src.sections):
                if sec.id in self.sections:
                    self.add(
                        ("sources", i, "sections", j, "id"),
                        f"duplicate section id {sec.id!r}",
                        "section ids unique across all sources of the file",
                    )
                self.sections.add(sec.id)

    def item_ids(self) -> None:
        for field_name in (
            "sources",
            "formulations",
            "regimens",
            "mechanisms",
            "disease_mechanisms",
            "indications",
            "adverse_effects",
            "warnings",
        ):
            seen: set[str] = set()
            for i, item in enumerate(getattr(self.m, field_name)):
                if item.id in seen:
                    self.add((field_name, i, "id"), f"duplicate id {item.id!r}", f"a unique id among {field_name}")
                seen.add(item.id)

    def sources(self) -> None:
        for i, src in enumerate(self.m.sources):
            self.ref(("sources", i, "publisher"), src.publisher, "organizations")
            self.refs(("sources", i, "authors"), src.authors, "people")
            self.refs(("sources", i, "fact_checkers"), src.fact_checkers, "people")

    def terms(self) -> None:
        t = self.m.terms
        for kind in TERM_KINDS:
            for i, term in enumerate(getattr(t, kind)):
                self.section_refs(("terms", kind, i, "section"), term.section)
        for i, org in enumerate(t.organizations):
            self.ref(("terms", "organizations", i, "part_of"), org.part_of, "organizations")
        for i, gene in enumerate(t.genes):
            self.ref(("terms", "genes", i, "encodes"), gene.encodes, "proteins")
        for i, target in enumerate(t.targets):
            self.refs(("terms", "targets", i, "subunits"), target.subunits, "proteins")
        chains = broader_chains(t.findings)
        for i, finding in enumerate(t.findings):
            self.ref(("terms", "findings", i, "broader"), finding.broader, "findings")
            if finding.id in chains[finding.id]:
                self.add(
                    ("terms", "findings", i, "broader"),
                    f"finding {finding.id!r} is broader than itself",
                    "a chain of broader findings that ends",
                )
        for i, pop in enumerate(t.populations):
            self.ref(("terms", "populations", i, "condition"), pop.condition, "conditions")
        for i, rec in enumerate(t.recommendations):
            self.refs(("terms", "recommendations", i, "actors"), rec.actors, "actors")
            self.refs(("terms", "recommendations", i, "activities"), rec.activities, "activities")
            self.refs(("terms", "recommendations", i, "attends_to"), rec.attends_to, "monitored_items")

    def drug(self) -> None:
        d = self.m.drug
        self.refs(("drug", "drug_classes"), d.drug_classes, "drug_classes")
        self.refs(("drug", "structural_analogue_of"), d.structural_analogue_of, "chemicals")
        self.ref(("drug", "developer"), d.developer, "organizations")
        self.section_refs(("drug", "section"), d.section)

    def formulations(self) -> None:
        for i, f in enumerate(self.m.formulations):
            loc: tuple[str | int, ...] = ("formulations", i)
            self.ref((*loc, "dosage_form"), f.dosage_form, "dosage_forms")
            self.ref((*loc, "route"), f.route, "routes")
            self.refs((*loc, "delivery_modes"), f.delivery_modes, "delivery_modes")
            self.section_refs((*loc, "section"), f.section)
            if f.strength_range and f.strength_range.min.unit != f.strength_range.max.unit:
                self.add(
                    (*loc, "strength_range", "max", "unit"),
                    "the range ends have different units",
                    "the same unit for min and max",
                )
            if f.strength_range and f.strength_range.min.value > f.strength_range.max.value:
                self.add(
                    (*loc, "strength_range", "min", "value"), "the range minimum is above its maximum", "min <= max"
                )

    def regimens(self) -> None:
        for i, r in enumerate(self.m.regimens):
            loc: tuple[str | int, ...] = ("regimens", i)
            self.ref((*loc, "route"), r.route, "routes")
            self.ref((*loc, "population"), r.population, "populations")
            self.section_refs((*loc, "section"), r.section)
            for j, fid in enumerate(r.formulations):
                if fid not in self.formulation_ids:
                    self.add(
                        (*loc, "formulations", j), f"unknown formulation {fid!r}", "an id listed under formulations"
                    )
            for j, adj in enumerate(r.adjustments):
                self.ref((*loc, "adjustments", j, "population"), adj.population, "populations")
                self.ref((*loc, "adjustments", j, "recommendation"), adj.recommendation, "recommendations")

    def mechanisms(self) -> None:
        for i, mech in enumerate(self.m.mechanisms):
            self.ref(("mechanisms", i, "target"), mech.target, "targets")
            self.refs(("mechanisms", i, "treats"), mech.treats, "findings")
            self.section_refs(("mechanisms", i, "section"), mech.section)
        for i, dm in enumerate(self.m.disease_mechanisms):
            loc: tuple[str | int, ...] = ("disease_mechanisms", i)
            self.ref((*loc, "condition"), dm.condition, "conditions")
            self.ref((*loc, "causal_gene"), dm.causal_gene, "genes")
            self.ref((*loc, "gene_product"), dm.gene_product, "proteins")
            self.ref((*loc, "affected_cell_type"), dm.affected_cell_type, "cell_types")
            self.refs((*loc, "consequences"), dm.consequences, "findings")
            self.section_refs((*loc, "section"), dm.section)

    def indications(self) -> None:
        for i, ind in enumerate(self.m.indications):
            loc: tuple[str | int, ...] = ("indications", i)
            self.ref((*loc, "condition"), ind.condition, "conditions")
            self.ref((*loc, "approved_by"), ind.approved_by, "organizations")
            self.refs((*loc, "treats"), ind.treats, "findings")
            self.section_refs((*loc, "section"), ind.section)
            if ind.status == "off-label" and ind.approved_by:
                self.add(
                    (*loc, "approved_by"),
                    "an off-label use cannot name an approving authority",
                    "no approved_by when status is off-label",
                )
            if ind.status == "approved" and not ind.approved_by:
                self.add((*loc, "status"), "an approved indication must name who approved it", "approved_by")

    def effects(self) -> None:
        for i, ae in enumerate(self.m.adverse_effects):
            loc: tuple[str | int, ...] = ("adverse_effects", i)
            self.refs((*loc, "effects"), ae.effects, "findings")
            self.refs((*loc, "consequences"), ae.consequences, "findings")
            self.ref((*loc, "population"), ae.population, "populations")
            self.ref((*loc, "route"), ae.route, "routes")
            self.section_refs((*loc, "section"), ae.section)

    def warnings(self) -> None:
        for i, w in enumerate(self.m.warnings):
            loc: tuple[str | int, ...] = ("warnings", i)
            self.ref((*loc, "issued_by"), w.issued_by, "organizations")
            self.ref((*loc, "route"), w.route, "routes")
            self.refs((*loc, "about_effects"), w.about_effects, "findings")
            self.refs((*loc, "populations"), w.populations, "populations")
            self.refs((*loc, "recommendations"), w.recommendations, "recommendations")
            self.section_refs((*loc, "section"), w.section)

    def dose_limits(self) -> None:
        for i, r in enumerate(self.m.regimens):
            if (
                r.max_single_dose
                and r.starting_dose.unit == r.max_single_dose.unit
                and r.starting_dose.value > r.max_single_dose.value
            ):
                self.add(
                    ("regimens", i, "starting_dose", "value"),
                    "the starting dose is above the maximum single dose",
                    f"at most {r.max_single_dose.value} {r.max_single_dose.unit}",
                )

    def all(self) -> list[Problem]:
        for step in (
            self.term_ids,
            self.section_ids,
            self.item_ids,
            self.sources,
            self.terms,
            self.drug,
            self.formulations,
            self.regimens,
            self.mechanisms,
            self.indications,
            self.effects,
            self.warnings,
            self.dose_limits,
        ):
            step()
        return self.problems


def reference_errors(m: Monograph, known_terms: dict[str, set[str]] | None = None) -> list[Problem]:
    """Every duplicate id and dangling reference: (location, message, expectation)."""
    return _ReferenceCheck(m, known_terms).all()
