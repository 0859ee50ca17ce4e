"""The typed model of a curated drug monograph; a file that does not fit it makes no triples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

__all__ = [
    "Monograph",
    "Quantity",
    "UCUM_UNITS",
    "broader_chains",
    "reference_errors",
    "TERM_KINDS",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
# Free text: no C0/C1 control characters (they break RDF/XML and most terminals); line breaks are allowed.
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True,
                                        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]*$")]
Duration = Annotated[str, StringConstraints(pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$", min_length=3)]

UCUM_UNITS = ("mg", "g", "ug", "mL", "L", "mg/mL", "ug/mL", "mg/d", "mg/kg", "h", "d", "wk", "mo", "a", "kg")
Unit = Literal["mg", "g", "ug", "mL", "L", "mg/mL", "ug/mL", "mg/d", "mg/kg", "h", "d", "wk", "mo", "a", "kg"]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


Sections = Annotated[tuple[Slug, ...], BeforeValidator(_as_list), Field(min_length=1)]


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
    recommendations: tuple[Term, ...] = ()


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
    section: Sections


class Titration(_Model):
    interval: Duration
    condition: Text | None = None


class Adjustment(_Model):
    population: Slug
    recommendation: Slug


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
    section: Sections


class Mechanism(_Model):
    id: Slug
    target: Slug
    action: Literal["binds", "agonist", "antagonist", "inhibitor", "modulator"]
    treats: tuple[Slug, ...] = ()
    section: Sections


class DiseaseMechanism(_Model):
    id: Slug
    condition: Slug
    causal_gene: Slug
    cause_is_main_not_sole: bool = False
    gene_product: Slug | None = None
    affected_cell_type: Slug | None = None
    consequences: tuple[Slug, ...] = ()
    section: Sections


class Indication(_Model):
    id: Slug
    condition: Slug
    status: Literal["approved", "off-label"]
    approved_by: Slug | None = None
    treats: tuple[Slug, ...] = ()
    section: Sections


class Onset(_Model):
    after: Literal["delivery", "first-dose", "dose-change", "withdrawal"]
    earliest_unit: Literal["min", "h", "d", "wk", "mo"]
    latest_unit: Literal["min", "h", "d", "wk", "mo"]


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
    section: Sections


class Warning(_Model):
    id: Slug
    kind: Literal[
        "boxed-warning", "precaution", "use-with-caution", "avoid-activity",
        "not-established", "not-evaluated", "lactation",
    ]
    issued_by: Slug | None = None
    route: Slug | None = None
    about_context: Context | None = None
    about_effects: tuple[Slug, ...] = ()
    populations: tuple[Slug, ...] = ()
    recommendations: tuple[Slug, ...] = ()
    milk_transfer: Literal["detected", "unknown", "not-detected"] | None = None
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


def reference_errors(m: Monograph, known_terms: dict[str, set[str]] | None = None) -> list[Problem]:
    """Every duplicate id and dangling reference: (location, message, expectation)."""
    problems: list[Problem] = []
    ids: dict[str, set[str]] = {kind: set(known_terms.get(kind, ())) if known_terms else set() for kind in TERM_KINDS}
    for kind in TERM_KINDS:
        seen: set[str] = set()
        for i, term in enumerate(getattr(m.terms, kind)):
            if term.id in seen:
                problems.append((("terms", kind, i, "id"), f"duplicate id {term.id!r}", f"a unique id among {kind}"))
            seen.add(term.id)
            ids[kind].add(term.id)
    sections: set[str] = set()
    for i, src in enumerate(m.sources):
        for j, sec in enumerate(src.sections):
            if sec.id in sections:
                problems.append((("sources", i, "sections", j, "id"), f"duplicate section id {sec.id!r}",
                                 "section ids unique across all sources of the file"))
            sections.add(sec.id)
    for field_name in ("sources", "formulations", "regimens", "mechanisms", "disease_mechanisms",
                       "indications", "adverse_effects", "warnings"):
        seen = set()
        for i, item in enumerate(getattr(m, field_name)):
            if item.id in seen:
                problems.append(((field_name, i, "id"), f"duplicate id {item.id!r}", f"a unique id among {field_name}"))
            seen.add(item.id)
    formulation_ids = {f.id for f in m.formulations}

    def ref(loc: tuple[str | int, ...], value: str | None, kind: str) -> None:
        if value is not None and value not in ids[kind]:
            problems.append((loc, f"unknown {kind[:-1].replace('_', ' ')} {value!r}", f"an id listed under terms.{kind}"))

    def refs(loc: tuple[str | int, ...], values: tuple[str, ...], kind: str) -> None:
        for j, v in enumerate(values):
            ref(loc + (j,), v, kind)

    def section_refs(loc: tuple[str | int, ...], values: tuple[str, ...] | None) -> None:
        for j, v in enumerate(values or ()):
            if v not in sections:
                problems.append((loc + (j,) if len(values or ()) > 1 else loc, f"unknown section {v!r}",
                                 "a section id declared under sources[].sections"))

    for i, src in enumerate(m.sources):
        ref(("sources", i, "publisher"), src.publisher, "organizations")
        refs(("sources", i, "authors"), src.authors, "people")
        refs(("sources", i, "fact_checkers"), src.fact_checkers, "people")
    for kind in TERM_KINDS:
        for i, term in enumerate(getattr(m.terms, kind)):
            section_refs(("terms", kind, i, "section"), term.section)
    for i, org in enumerate(m.terms.organizations):
        ref(("terms", "organizations", i, "part_of"), org.part_of, "organizations")
    for i, gene in enumerate(m.terms.genes):
        ref(("terms", "genes", i, "encodes"), gene.encodes, "proteins")
    for i, target in enumerate(m.terms.targets):
        refs(("terms", "targets", i, "subunits"), target.subunits, "proteins")
    chains = broader_chains(m.terms.findings)
    for i, finding in enumerate(m.terms.findings):
        ref(("terms", "findings", i, "broader"), finding.broader, "findings")
        if finding.id in chains[finding.id]:
            problems.append((("terms", "findings", i, "broader"), f"finding {finding.id!r} is broader than itself",
                             "a chain of broader findings that ends"))
    for i, pop in enumerate(m.terms.populations):
        ref(("terms", "populations", i, "condition"), pop.condition, "conditions")
    d = m.drug
    refs(("drug", "drug_classes"), d.drug_classes, "drug_classes")
    refs(("drug", "structural_analogue_of"), d.structural_analogue_of, "chemicals")
    ref(("drug", "developer"), d.developer, "organizations")
    section_refs(("drug", "section"), d.section)
    for i, f in enumerate(m.formulations):
        loc = ("formulations", i)
        ref(loc + ("dosage_form",), f.dosage_form, "dosage_forms")
        ref(loc + ("route",), f.route, "routes")
        refs(loc + ("delivery_modes",), f.delivery_modes, "delivery_modes")
        section_refs(loc + ("section",), f.section)
        if f.strength_range and f.strength_range.min.unit != f.strength_range.max.unit:
            problems.append((loc + ("strength_range", "max", "unit"), "the range ends have different units",
                             "the same unit for min and max"))
        if f.strength_range and f.strength_range.min.value > f.strength_range.max.value:
            problems.append((loc + ("strength_range", "min", "value"), "the range minimum is above its maximum",
                             "min <= max"))
    for i, r in enumerate(m.regimens):
        loc = ("regimens", i)
        ref(loc + ("route",), r.route, "routes")
        ref(loc + ("population",), r.population, "populations")
        section_refs(loc + ("section",), r.section)
        for j, fid in enumerate(r.formulations):
            if fid not in formulation_ids:
                problems.append((loc + ("formulations", j), f"unknown formulation {fid!r}", "an id listed under formulations"))
        for j, adj in enumerate(r.adjustments):
            ref(loc + ("adjustments", j, "population"), adj.population, "populations")
            ref(loc + ("adjustments", j, "recommendation"), adj.recommendation, "recommendations")
    for i, mech in enumerate(m.mechanisms):
        ref(("mechanisms", i, "target"), mech.target, "targets")
        refs(("mechanisms", i, "treats"), mech.treats, "findings")
        section_refs(("mechanisms", i, "section"), mech.section)
    for i, dm in enumerate(m.disease_mechanisms):
        loc = ("disease_mechanisms", i)
        ref(loc + ("condition",), dm.condition, "conditions")
        ref(loc + ("causal_gene",), dm.causal_gene, "genes")
        ref(loc + ("gene_product",), dm.gene_product, "proteins")
        ref(loc + ("affected_cell_type",), dm.affected_cell_type, "cell_types")
        refs(loc + ("consequences",), dm.consequences, "findings")
        section_refs(loc + ("section",), dm.section)
    for i, ind in enumerate(m.indications):
        loc = ("indications", i)
        ref(loc + ("condition",), ind.condition, "conditions")
        ref(loc + ("approved_by",), ind.approved_by, "organizations")
        refs(loc + ("treats",), ind.treats, "findings")
        section_refs(loc + ("section",), ind.section)
        if ind.status == "off-label" and ind.approved_by:
            problems.append((loc + ("approved_by",), "an off-label use cannot name an approving authority",
                             "no approved_by when status is off-label"))
        if ind.status == "approved" and not ind.approved_by:
            problems.append((loc + ("status",), "an approved indication must name who approved it", "approved_by"))
    for i, ae in enumerate(m.adverse_effects):
        loc = ("adverse_effects", i)
        refs(loc + ("effects",), ae.effects, "findings")
        refs(loc + ("consequences",), ae.consequences, "findings")
        ref(loc + ("population",), ae.population, "populations")
        ref(loc + ("route",), ae.route, "routes")
        section_refs(loc + ("section",), ae.section)
    for i, w in enumerate(m.warnings):
        loc = ("warnings", i)
        ref(loc + ("issued_by",), w.issued_by, "organizations")
        ref(loc + ("route",), w.route, "routes")
        refs(loc + ("about_effects",), w.about_effects, "findings")
        refs(loc + ("populations",), w.populations, "populations")
        refs(loc + ("recommendations",), w.recommendations, "recommendations")
        section_refs(loc + ("section",), w.section)
    for i, r in enumerate(m.regimens):
        if r.max_single_dose and r.starting_dose.unit == r.max_single_dose.unit \
                and r.starting_dose.value > r.max_single_dose.value:
            problems.append((("regimens", i, "starting_dose", "value"), "the starting dose is above the maximum single dose",
                             f"at most {r.max_single_dose.value} {r.max_single_dose.unit}"))
    return problems
