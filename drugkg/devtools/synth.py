"""Synthetic drug monographs for tests and benchmarks: fictional drugs in the curated YAML format.

Every synthetic drug, source and authority is fictional and says so: drug ids start with `syn-`,
labels end in "(synthetic)", every source has kind `synthetic` and a title saying so, and the
approving bodies are fictional agencies. The facts are random draws, not medicine.

Output is a pure function of (drug count, seed): the same arguments give byte-identical files.
Each drug draws from its own random stream (seeded with the run seed and its index), so drug *i*
is the same whatever the number of drugs asked for. Terms (findings, conditions, populations, ...)
come from one vocabulary shared by every drug, with identical definitions in every file, because
the build merges shared terms and refuses two different definitions of one term.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml

from loaders.monograph_model import WarningKindName

__all__ = ["SYNTH_SOURCE_KIND", "Vocabulary", "drug_ids", "monograph_for", "render_yaml", "synthesize", "vocabulary"]

SYNTH_SOURCE_KIND = "synthetic"
_DATE = dt.date(2026, 1, 1)  # fixed, so output does not depend on the day it was made
_VOCAB_SOURCE = "drugkg-synthetic-vocabulary"
_PUBLISHER = "drugkg-synthetic-generator"
_AUTHOR = "drugkg-synthetic-author"

# -- the shared vocabulary -------------------------------------------------------------------------

_FINDINGS = (
    "nausea",
    "vomiting",
    "diarrhoea",
    "constipation",
    "abdominal pain",
    "dyspepsia",
    "dry mouth",
    "loss of appetite",
    "weight gain",
    "weight loss",
    "headache",
    "dizziness",
    "drowsiness",
    "insomnia",
    "fatigue",
    "tremor",
    "seizure",
    "confusion",
    "agitation",
    "anxiety",
    "depressed mood",
    "hallucination",
    "blurred vision",
    "tinnitus",
    "rash",
    "itching",
    "hives",
    "hair loss",
    "photosensitivity",
    "sweating",
    "flushing",
    "fever",
    "chills",
    "muscle pain",
    "joint pain",
    "muscle weakness",
    "muscle cramp",
    "back pain",
    "cough",
    "shortness of breath",
    "nasal congestion",
    "sore throat",
    "chest pain",
    "palpitations",
    "low blood pressure",
    "high blood pressure",
    "slow heart rate",
    "fast heart rate",
    "irregular heartbeat",
    "swelling of the legs",
    "bruising",
    "bleeding",
    "anaemia",
    "low white cell count",
    "low platelet count",
    "raised liver enzymes",
    "jaundice",
    "kidney injury",
    "urinary retention",
    "frequent urination",
    "low blood sugar",
    "high blood sugar",
    "low sodium",
    "high potassium",
    "respiratory depression",
    "loss of consciousness",
    "anaphylaxis",
    "angioedema",
    "severe skin reaction",
    "pancreatitis",
    "hepatitis",
    "interstitial lung disease",
    "QT prolongation",
    "serotonin syndrome",
    "neuroleptic malignant syndrome",
    "rhabdomyolysis",
    "injection site pain",
    "injection site swelling",
    "infection",
    "death",
)
_FINDING_QUALIFIERS = ("severe", "transient", "persistent")

_CONDITIONS = (
    "hypertension",
    "heart failure",
    "atrial fibrillation",
    "angina",
    "type 2 diabetes",
    "type 1 diabetes",
    "obesity",
    "hypercholesterolaemia",
    "asthma",
    "chronic obstructive pulmonary disease",
    "pneumonia",
    "urinary tract infection",
    "skin infection",
    "tuberculosis",
    "HIV infection",
    "hepatitis C",
    "rheumatoid arthritis",
    "osteoarthritis",
    "gout",
    "osteoporosis",
    "psoriasis",
    "atopic dermatitis",
    "Crohn disease",
    "ulcerative colitis",
    "gastro-oesophageal reflux disease",
    "peptic ulcer",
    "irritable bowel syndrome",
    "migraine",
    "epilepsy",
    "Parkinson disease",
    "Alzheimer disease",
    "multiple sclerosis",
    "spinal cord injury",
    "spinal muscular atrophy",
    "stroke",
    "neuropathic pain",
    "major depressive disorder",
    "generalised anxiety disorder",
    "bipolar disorder",
    "schizophrenia",
    "insomnia disorder",
    "attention deficit hyperactivity disorder",
    "breast cancer",
    "lung cancer",
    "colorectal cancer",
    "prostate cancer",
    "leukaemia",
    "lymphoma",
    "chronic kidney disease",
    "liver cirrhosis",
    "hypothyroidism",
    "glaucoma",
    "macular degeneration",
    "allergic rhinitis",
    "chemotherapy-induced nausea",
    "opioid use disorder",
    "alcohol use disorder",
    "anaemia of kidney disease",
    "deep vein thrombosis",
    "pulmonary embolism",
)

_LIFE_STAGE_POPULATIONS = (
    ("elderly", "elderly people", "elderly", None, None),
    ("pregnant-women", "pregnant women", "pregnancy", "female", None),
    ("breastfeeding-mothers", "breastfeeding mothers", "lactation", "female", None),
    ("nursing-infants", "nursing infants", "infancy", None, None),
    ("neonates-exposed-in-pregnancy", "newborns of mothers treated during pregnancy", "neonate", None, None),
    ("children", "children", "childhood", None, None),
    ("children-under-2", "children younger than 2 years", "childhood", None, 2),
    ("children-under-6", "children younger than 6 years", "childhood", None, 6),
    ("children-under-12", "children younger than 12 years", "childhood", None, 12),
    ("adolescents-under-18", "adolescents younger than 18 years", "childhood", None, 18),
    ("adults", "adults", "adult", None, None),
    ("drivers-and-machine-operators", "people who drive or operate machinery", None, None, None),
    ("patients-and-caregivers", "patients and their caregivers", None, None, None),
)
_IMPAIRMENTS = (("kidney", "chronic kidney disease"), ("liver", "liver cirrhosis"))

_DRUG_CLASSES = (
    ("kinase-inhibitor", "kinase inhibitor", "tinib", "abl-kinase"),
    ("beta-blocker", "beta blocker", "olol", "beta-1-adrenoceptor"),
    ("angiotensin-receptor-blocker", "angiotensin receptor blocker", "sartan", "angiotensin-ii-receptor-type-1"),
    ("proton-pump-inhibitor", "proton pump inhibitor", "prazole", "potassium-proton-atpase"),
    ("statin", "statin", "vastatin", "hmg-coa-reductase"),
    ("penicillin", "penicillin antibiotic", "cillin", "penicillin-binding-protein"),
    ("benzodiazepine", "benzodiazepine", "azepam", "gaba-a-receptor"),
    ("serotonin-antagonist", "serotonin 5-HT3 antagonist", "setron", "serotonin-5ht3-receptor"),
    ("triptan", "triptan", "triptan", "serotonin-5ht3-receptor"),
    ("dpp4-inhibitor", "DPP-4 inhibitor", "gliptin", "dipeptidyl-peptidase-4"),
    ("fluoroquinolone", "fluoroquinolone antibiotic", "floxacin", "dna-gyrase"),
    ("ace-inhibitor", "ACE inhibitor", "pril", "angiotensin-converting-enzyme"),
    ("muscle-relaxant", "muscle relaxant", "baxan", "gaba-b-receptor"),
    ("antipsychotic", "antipsychotic", "peridone", "dopamine-d2-receptor"),
    ("ssri", "selective serotonin reuptake inhibitor", "oxetine", "serotonin-transporter"),
    ("anticoagulant", "anticoagulant", "xaban", "factor-xa"),
    ("monoclonal-antibody", "monoclonal antibody", "mab", "tnf-alpha"),
    ("antiviral", "antiviral", "vir", "hiv-protease"),
    ("corticosteroid", "corticosteroid", "sonide", "glucocorticoid-receptor"),
    ("opioid-analgesic", "opioid analgesic", "orphan", "mu-opioid-receptor"),
)

_TARGETS = (
    ("dopamine-d2-receptor", "dopamine D2 receptor", ("DRD2",)),
    ("beta-1-adrenoceptor", "beta-1 adrenoceptor", ("ADRB1",)),
    ("angiotensin-ii-receptor-type-1", "angiotensin II receptor type 1", ("AGTR1",)),
    ("hmg-coa-reductase", "HMG-CoA reductase", ("HMGCR",)),
    ("gaba-a-receptor", "GABA-A receptor", ("GABRA1", "GABRB2", "GABRG2")),
    ("gaba-b-receptor", "GABA-B receptor", ("GABBR1", "GABBR2")),
    ("serotonin-5ht3-receptor", "serotonin 5-HT3 receptor", ("HTR3A", "HTR3B")),
    ("serotonin-transporter", "serotonin transporter", ("SLC6A4",)),
    ("mu-opioid-receptor", "mu opioid receptor", ("OPRM1",)),
    ("factor-xa", "coagulation factor Xa", ("F10",)),
    ("dipeptidyl-peptidase-4", "dipeptidyl peptidase 4", ("DPP4",)),
    ("angiotensin-converting-enzyme", "angiotensin-converting enzyme", ("ACE",)),
    ("potassium-proton-atpase", "potassium-proton ATPase", ("ATP4A", "ATP4B")),
    ("dna-gyrase", "bacterial DNA gyrase", ("GYRA", "GYRB")),
    ("glucocorticoid-receptor", "glucocorticoid receptor", ("NR3C1",)),
    ("egfr", "epidermal growth factor receptor", ("EGFR",)),
    ("abl-kinase", "ABL tyrosine kinase", ("ABL1",)),
    ("tnf-alpha", "tumour necrosis factor alpha", ("TNF",)),
    ("hiv-protease", "HIV-1 protease", ("POL",)),
    ("penicillin-binding-protein", "penicillin-binding protein", ("PBP2",)),
)
_ACTIONS = ("binds", "agonist", "antagonist", "inhibitor", "modulator")

# (form id, label, route id, kind of strength: "unit" | "range" | "conc" | "none")
_DOSAGE_FORMS = (
    ("tablet", "tablet", "oral", "unit"),
    ("film-coated-tablet", "film-coated tablet", "oral", "unit"),
    ("extended-release-tablet", "extended-release tablet", "oral", "unit"),
    ("capsule", "capsule", "oral", "unit"),
    ("granules", "granules", "oral", "range"),
    ("oral-solution", "oral solution", "oral", "conc"),
    ("oral-suspension", "oral suspension", "oral", "conc"),
    ("solution-for-injection", "solution for injection", "intravenous", "conc"),
    ("infusion-concentrate", "concentrate for infusion", "intravenous", "conc"),
    ("prefilled-syringe", "prefilled syringe", "subcutaneous", "conc"),
    ("depot-injection", "depot injection", "intramuscular", "conc"),
    ("intrathecal-injection", "injection", "intrathecal", "conc"),
    ("transdermal-patch", "transdermal patch", "transdermal", "unit"),
    ("cream", "cream", "topical", "none"),
    ("inhaler", "pressurised inhaler", "inhalation", "unit"),
    ("eye-drops", "eye drops", "ophthalmic", "conc"),
)
_ROUTES = {
    "oral": "oral",
    "intravenous": "intravenous",
    "subcutaneous": "subcutaneous",
    "intramuscular": "intramuscular",
    "intrathecal": "intrathecal",
    "transdermal": "transdermal",
    "topical": "topical",
    "inhalation": "inhalation",
    "ophthalmic": "ophthalmic",
}
_DELIVERY = {
    "intrathecal": ("single-injection", "implantable-programmable-pump"),
    "subcutaneous": ("autoinjector",),
    "inhalation": ("spacer",),
    "intravenous": ("infusion-pump",),
}
_DELIVERY_LABELS = {
    "single-injection": "single injection",
    "implantable-programmable-pump": "implantable programmable pump",
    "autoinjector": "autoinjector pen",
    "spacer": "spacer device",
    "infusion-pump": "infusion pump",
}

_RECOMMENDATIONS = (
    ("taper-slowly", "reduce the dose gradually rather than stopping abruptly"),
    ("use-with-caution", "use with caution"),
    ("reduce-dose", "reduce the dose"),
    ("monitor-blood-counts", "check blood counts regularly"),
    ("monitor-liver-function", "check liver function regularly"),
    ("monitor-kidney-function", "check kidney function regularly"),
    ("monitor-ecg", "record an ECG before and during treatment"),
    ("avoid-driving-until-effect-known", "do not drive or operate machinery until the effect on alertness is known"),
    ("weigh-benefit-against-fetal-risk", "weigh the benefit to the mother against possible harm to the fetus"),
    ("weigh-breastfeeding-benefits", "weigh the benefits of breastfeeding against the need for the drug"),
    ("avoid-alcohol", "avoid alcohol"),
    ("stop-on-rash", "stop the drug at the first sign of a skin rash"),
    ("trained-personnel-only", "have the drug given only by trained personnel"),
    ("lower-dose-within-range", "a lower dose within the usual range may be needed"),
    ("do-not-use", "do not use"),
)
_WARNING_KINDS = get_args(WarningKindName)  # the typed model's order, which the random draws follow
_AUTHORITIES = (
    ("fictional-medicines-agency-north", "Fictional Medicines Agency North (synthetic)", "FMAN"),
    ("fictional-medicines-agency-south", "Fictional Medicines Agency South (synthetic)", "FMAS"),
    ("fictional-drug-regulator-east", "Fictional Drug Regulator East (synthetic)", "FDRE"),
)
_SECTIONS = (
    ("overview", "Overview (synthetic)"),
    ("administration", "Forms and administration (synthetic)"),
    ("dosing", "Dosing (synthetic)"),
    ("mechanism", "Mechanism of action (synthetic)"),
    ("indications", "Indications (synthetic)"),
    ("adverse-reactions", "Adverse reactions (synthetic)"),
    ("withdrawal", "Withdrawal reactions (synthetic)"),
    ("overdose", "Overdose (synthetic)"),
    ("warnings", "Warnings and precautions (synthetic)"),
    ("pregnancy-lactation", "Pregnancy and lactation (synthetic)"),
    ("pediatric", "Pediatric use (synthetic)"),
    ("special-populations", "Special populations (synthetic)"),
    ("overview-names", "Names and brands (synthetic)"),
    ("overview-history", "History (synthetic)"),
    ("dosing-adults", "Dosing in adults (synthetic)"),
    ("dosing-children", "Dosing in children (synthetic)"),
    ("dosing-renal", "Dosing in kidney impairment (synthetic)"),
    ("dosing-hepatic", "Dosing in liver impairment (synthetic)"),
    ("interactions", "Interactions (synthetic)"),
    ("storage", "Storage (synthetic)"),
    ("pharmacokinetics", "Pharmacokinetics (synthetic)"),
    ("clinical-studies", "Clinical studies (synthetic)"),
)
_VOCAB_SECTIONS = {
    "findings": "Clinical findings (synthetic vocabulary)",
    "conditions": "Conditions (synthetic vocabulary)",
    "populations": "Populations (synthetic vocabulary)",
    "targets": "Targets and genes (synthetic vocabulary)",
}
_SYLLABLES_A = (
    "zor",
    "vel",
    "tam",
    "bri",
    "cal",
    "dex",
    "fen",
    "lor",
    "mir",
    "nal",
    "pra",
    "quin",
    "ros",
    "sel",
    "tir",
    "ulv",
    "xan",
    "yor",
    "kel",
    "gam",
    "hul",
    "jen",
    "wov",
    "ostr",
)
_SYLLABLES_B = ("a", "i", "o", "e", "u", "ami", "edo", "ira", "ova", "ulo")


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in out.split("-") if part)


@dataclass
class Vocabulary:
    """Every shared term, by kind and id, as the exact mapping written into each file."""

    terms: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    base_findings: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    condition_populations: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, term: dict[str, Any]) -> None:
        self.terms.setdefault(kind, {})[term["id"]] = term


def _add_organizations_and_people(v: Vocabulary) -> None:
    for org_id, label, abbr in _AUTHORITIES:
        v.add("organizations", {"id": org_id, "label": label, "abbreviation": abbr, "regulatory_authority": True})
    v.add("organizations", {"id": _PUBLISHER, "label": "drugkg synthetic data generator"})
    for i in range(40):
        v.add("organizations", {"id": f"synthetic-company-{i:02d}", "label": f"Synthetic Pharma Company {i:02d}"})
    v.add("people", {"id": _AUTHOR, "label": "drugkg synthetic data generator (not a person)"})


def _add_drug_classes_and_targets(v: Vocabulary) -> None:
    for cid, label, _stem, _target in _DRUG_CLASSES:
        v.add("drug_classes", {"id": cid, "label": label})
    for tid, label, genes in _TARGETS:
        subunits = []
        for gene in genes:
            pid = f"{_slug(gene)}-protein"
            subunits.append(pid)
            v.add("proteins", {"id": pid, "label": f"{gene} gene product"})
            v.add("genes", {"id": _slug(gene), "label": gene, "encodes": pid, "section": "vocab-targets"})
        v.add("targets", {"id": tid, "label": label, "subunits": subunits, "section": "vocab-targets"})


def _add_findings(v: Vocabulary) -> None:
    for label in _FINDINGS:
        fid = _slug(label)
        term: dict[str, Any] = {"id": fid, "label": label}
        if len(label) % 3 == 0:  # a fixed subset carries a definition and its provenance
            term["definition"] = f"Synthetic definition of {label}, for benchmarks only."
            term["section"] = "vocab-findings"
        v.add("findings", term)
        v.findings.append(fid)
        v.base_findings.append(fid)
        for q in _FINDING_QUALIFIERS:
            qid = f"{q}-{fid}"
            v.add("findings", {"id": qid, "label": f"{q} {label}", "broader": fid})
            v.findings.append(qid)


def _add_conditions(v: Vocabulary) -> None:
    """Each condition, and the population of the people who have it."""
    for label in _CONDITIONS:
        cid = _slug(label)
        term: dict[str, Any] = {"id": cid, "label": label}
        if len(label) % 2 == 0:
            term["definition"] = f"Synthetic definition of {label}, for benchmarks only."
            term["section"] = "vocab-conditions"
        v.add("conditions", term)
        v.conditions.append(cid)
        pid = f"people-with-{cid}"
        v.add("populations", {"id": pid, "label": f"people with {label}", "condition": cid})
        v.populations.append(pid)
        v.condition_populations[cid] = pid


def _add_life_stage_and_impairment_populations(v: Vocabulary) -> None:
    for pid, label, stage, sex, age in _LIFE_STAGE_POPULATIONS:
        term: dict[str, Any] = {"id": pid, "label": label}
        if stage:
            term["life_stage"] = stage
        if sex:
            term["sex"] = sex
        if age:
            term["age_below"] = {"value": age, "unit": "a"}
        v.add("populations", term)
        v.populations.append(pid)
    for organ, condition in _IMPAIRMENTS:
        pid = f"people-with-{organ}-impairment"
        v.add(
            "populations",
            {
                "id": pid,
                "label": f"people with {organ} impairment",
                "condition": _slug(condition),
                "section": "vocab-populations",
            },
        )
        v.populations.append(pid)


def _add_administration_terms(v: Vocabulary) -> None:
    """Routes, dosage forms, delivery modes and recommendations."""
    for rid, label in _ROUTES.items():
        v.add("routes", {"id": rid, "label": label})
    for fid, label, _route, _kind in _DOSAGE_FORMS:
        v.add("dosage_forms", {"id": fid, "label": label})
    for mid, label in _DELIVERY_LABELS.items():
        v.add("delivery_modes", {"id": mid, "label": label})
    for rid, label in _RECOMMENDATIONS:
        v.add("recommendations", {"id": rid, "label": label})


def vocabulary() -> Vocabulary:
    """The shared vocabulary: the same for every seed, so any two synthetic sets can be built together."""
    v = Vocabulary()
    _add_organizations_and_people(v)
    _add_drug_classes_and_targets(v)
    _add_findings(v)
    _add_conditions(v)
    _add_life_stage_and_impairment_populations(v)
    _add_administration_terms(v)
    return v


_VOCAB = vocabulary()


def drug_ids(n: int, seed: int) -> list[tuple[str, str, int]]:
    """(id, name, class index) of drugs 0..n-1: unique names, drawn per index from the seed."""
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for i in range(n):
        rng = random.Random(f"drugkg-synth-name/{seed}/{i}")
        cls = rng.randrange(len(_DRUG_CLASSES))
        stem = _DRUG_CLASSES[cls][2]
        name = rng.choice(_SYLLABLES_A) + rng.choice(_SYLLABLES_B) + stem
        if name in seen:
            name = f"{name}-{i}"
        seen.add(name)
        out.append((f"syn-{name}", name, cls))
    return out


# -- one monograph ---------------------------------------------------------------------------------


def _q(value: float | int, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 3)


def _sec(rng: random.Random, *choices: str) -> str | list[str]:
    picked = sorted(set(rng.sample(choices, k=min(len(choices), rng.choice((1, 2, 2, 3))))))
    return picked[0] if len(picked) == 1 else picked


# records that a monograph uses the term (kind, id) and gives the id back
_Use = Callable[[str, str], str]

# (group id, context, frequency) of one group of adverse effects; frequency None when unstated
_AdverseContext = tuple[str, str, str | None]


def _sources(drug_id: str, name: str, use: _Use) -> list[dict[str, Any]]:
    """The drug's own synthetic monograph and the shared synthetic vocabulary."""
    source_id = f"synthetic-monograph-{drug_id.removeprefix('syn-')}"
    return [
        {
            "id": source_id,
            "title": f"Synthetic monograph of {name}: generated test data, not medical information",
            "kind": SYNTH_SOURCE_KIND,
            "publisher": use("organizations", _PUBLISHER),
            "authors": [use("people", _AUTHOR)],
            "last_updated": _DATE,
            "description": "Random facts about a fictional drug, made by drugkg synth for tests and benchmarks. "
            "Nothing here describes a real medicine.",
            "sections": [{"id": sid, "heading": heading} for sid, heading in _SECTIONS],
        },
        {
            "id": _VOCAB_SOURCE,
            "title": "drugkg synthetic vocabulary: generated test data, not medical information",
            "kind": SYNTH_SOURCE_KIND,
            "publisher": _PUBLISHER,
            "authors": [_AUTHOR],
            "last_updated": _DATE,
            "description": "The shared terms of drugkg's synthetic monographs.",
            "sections": [{"id": f"vocab-{k}", "heading": h} for k, h in _VOCAB_SECTIONS.items()],
        },
    ]


def _drug(index: int, drug_id: str, name: str, cls: int, rng: random.Random, use: _Use) -> dict[str, Any]:
    """The drug itself: names, classes (sometimes a second one), developer."""
    cls_id = _DRUG_CLASSES[cls][0]
    drug: dict[str, Any] = {
        "id": drug_id,
        "label": f"{name} (synthetic)",
        "synonyms": [f"SYN-{index:05d}"],
        "drug_classes": [use("drug_classes", cls_id)],
        "developer": use("organizations", f"synthetic-company-{rng.randrange(40):02d}"),
        "brand_names": sorted(
            {
                name[:4].capitalize() + rng.choice(("ex", "ora", "ix", "en", "yl")) + " (synthetic)"
                for _ in range(rng.randint(1, 3))
            }
        ),
        "brand_names_complete": rng.random() < 0.5,
        "generic_available": rng.random() < 0.6,
        "section": ["overview", "overview-names", "overview-history"],
    }
    if rng.random() < 0.3:
        drug["drug_classes"].append(
            use(
                "drug_classes", _DRUG_CLASSES[(cls + 1 + rng.randrange(len(_DRUG_CLASSES) - 1)) % len(_DRUG_CLASSES)][0]
            )
        )
    return drug


def _add_strengths(f: dict[str, Any], kind: str, base_mg: float, rng: random.Random) -> None:
    """The strengths of a formulation, in the form its kind of dosage form takes."""
    if kind == "unit":
        f["strengths"] = [
            _q(_num(base_mg * m), "mg") for m in sorted(rng.sample((1, 2, 4, 5, 8, 10), k=rng.randint(1, 3)))
        ]
    elif kind == "range":
        f["strength_range"] = {"min": _q(_num(base_mg), "mg"), "max": _q(_num(base_mg * 4), "mg")}
    elif kind == "conc":
        f["concentrations"] = [
            {"numerator": _q(_num(base_mg * m), "mg"), "denominator": _q(d, "mL")}
            for m, d in sorted(rng.sample(((1, 1), (1, 5), (2, 5), (5, 10), (10, 20)), k=rng.randint(1, 2)))
        ]
        f["other_strengths_available"] = rng.random() < 0.3


def _formulations(rng: random.Random, use: _Use) -> tuple[list[dict[str, Any]], float]:
    """4-7 formulations over 1-4 routes, and the base strength (mg) the doses are multiples of."""
    forms = rng.sample(_DOSAGE_FORMS, k=rng.randint(4, 7))
    forms.sort(key=lambda f: f[0])
    formulations = []
    base_mg: float = rng.choice((0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100))
    for form_id, _flabel, route, kind in forms:
        f: dict[str, Any] = {"id": form_id, "dosage_form": use("dosage_forms", form_id), "route": use("routes", route)}
        _add_strengths(f, kind, base_mg, rng)
        if route in _DELIVERY and rng.random() < 0.7:
            f["delivery_modes"] = [use("delivery_modes", m) for m in _DELIVERY[route]]
        f["section"] = _sec(rng, "administration", "dosing", "storage")
        formulations.append(f)
    return formulations, base_mg


def _dose_adjustments(rng: random.Random, use: _Use) -> list[dict[str, Any]]:
    """Some of: lower doses for the elderly, reduced doses in kidney or liver impairment."""
    adjustments = []
    for pop, rec in (
        ("elderly", "lower-dose-within-range"),
        ("people-with-kidney-impairment", "reduce-dose"),
        ("people-with-liver-impairment", "reduce-dose"),
    ):
        if rng.random() < 0.6:
            adjustments.append({"population": use("populations", pop), "recommendation": use("recommendations", rec)})
    return adjustments


def _regimen(
    route: str,
    population: str | None,
    formulations: list[dict[str, Any]],
    base_mg: float,
    rng: random.Random,
    use: _Use,
) -> dict[str, Any]:
    """One dosing regimen for a route, for everyone (population None) or for one population."""
    start = _num(base_mg * rng.choice((1, 1, 2)))
    max_single = _num(start * rng.choice((1, 2, 4, 5)))
    times = rng.randint(1, 4)
    r: dict[str, Any] = {
        "id": f"{route}-{'pediatric' if population else 'standard'}",
        "route": route,
        "formulations": [f["id"] for f in formulations if f["route"] == route],
    }
    if population:
        r["population"] = use("populations", population)
    r.update(
        {
            "starting_dose": _q(start, "mg"),
            "starting_times_per_day": rng.randint(1, times),
            "starting_dose_is_typical": rng.random() < 0.5,
        }
    )
    if max_single > start:
        r["titration"] = {
            "interval": rng.choice(("P3D", "P1W", "P2W", "P1D")),
            "condition": "clinical response and tolerability",
        }
    r.update(
        {
            "max_single_dose": _q(max_single, "mg"),
            "max_times_per_day": times,
            "max_daily_dose": _q(_num(max_single * times), "mg"),
        }
    )
    adjustments = _dose_adjustments(rng, use)
    if adjustments:
        r["adjustments"] = adjustments
    r["section"] = _sec(
        rng,
        "dosing",
        "special-populations",
        "dosing-adults",
        "dosing-children",
        "dosing-renal",
        "dosing-hepatic",
    )
    return r


def _regimens(
    routes: list[str], formulations: list[dict[str, Any]], base_mg: float, rng: random.Random, use: _Use
) -> list[dict[str, Any]]:
    """One regimen per route, sometimes a second for children."""
    regimens = []
    for route in routes:
        for population in (None, "children") if rng.random() < 0.6 else (None,):
            regimens.append(_regimen(route, population, formulations, base_mg, rng, use))
    return regimens


def _mechanisms(cls_target: str, rng: random.Random, use: _Use) -> list[dict[str, Any]]:
    """1-2 targets: the drug class's own, sometimes one more."""
    mechanisms = []
    target_ids = {cls_target}
    if rng.random() < 0.3:
        target_ids.add(rng.choice(_TARGETS)[0])
    for tid in sorted(target_ids):
        use("targets", tid)
        mechanisms.append(
            {
                "id": f"{tid}-action",
                "target": tid,
                "action": rng.choice(_ACTIONS),
                "treats": sorted(use("findings", x) for x in rng.sample(_VOCAB.base_findings, k=rng.randint(0, 2))),
                "section": "mechanism",
            }
        )
    return mechanisms


def _indications(rng: random.Random, use: _Use) -> list[dict[str, Any]]:
    """3-8 indications, some off-label."""
    indications = []
    for cid in sorted(rng.sample(_VOCAB.conditions, k=rng.randint(3, 8))):
        approved = rng.random() < 0.7
        ind: dict[str, Any] = {
            "id": f"{cid}-use",
            "condition": use("conditions", cid),
            "status": "approved" if approved else "off-label",
        }
        if approved:
            ind["approved_by"] = use("organizations", rng.choice(_AUTHORITIES)[0])
        ind["treats"] = sorted(use("findings", x) for x in rng.sample(_VOCAB.base_findings, k=rng.randint(1, 3)))
        ind["section"] = _sec(rng, "indications", "overview", "clinical-studies")
        indications.append(ind)
    return indications


def _adverse_contexts(rng: random.Random) -> list[_AdverseContext]:
    """Always common, uncommon and rare effects of use; sometimes withdrawal, overdose, neonatal exposure."""
    contexts: list[_AdverseContext] = [
        ("common", "common-use", "common"),
        ("uncommon", "common-use", "some-cases"),
        ("rare", "common-use", "rare"),
    ]
    if rng.random() < 0.5:
        contexts.append(("withdrawal", "abrupt-withdrawal", None))
    if rng.random() < 0.5:
        contexts.append(("overdose", "overdose", None))
    if rng.random() < 0.3:
        contexts.append(("neonatal", "neonatal-exposure", None))
    return contexts


def _adverse_group(
    group: _AdverseContext, effects: list[str], routes: list[str], rng: random.Random, use: _Use
) -> dict[str, Any]:
    """One group of adverse effects, with whatever its context implies (population, onset, circumstance)."""
    gid, context, freq = group
    ae: dict[str, Any] = {"id": gid, "context": context, "effects": sorted(use("findings", x) for x in effects)}
    if freq:
        ae["frequency"] = freq
    if gid == "rare" and rng.random() < 0.3:
        ae["outcome"] = "fatal"
    if context == "neonatal-exposure":
        ae["population"] = use("populations", "neonates-exposed-in-pregnancy")
        ae["onset"] = {"after": "delivery", "earliest_unit": "h", "latest_unit": "d"}
    elif rng.random() < 0.3:
        ae["population"] = use("populations", rng.choice(_VOCAB.populations))
    if rng.random() < 0.3 and len(routes) > 1:
        ae["route"] = use("routes", rng.choice(routes))
    if context == "overdose":
        ae["circumstance"] = "doses above the maximum daily dose"
    if rng.random() < 0.1:
        ae["exposure_up_to"] = "P1Y"
    section = {
        "abrupt-withdrawal": "withdrawal",
        "overdose": "overdose",
        "neonatal-exposure": "pregnancy-lactation",
    }.get(context, "adverse-reactions")
    ae["section"] = section if rng.random() < 0.6 else sorted({section, "adverse-reactions", "warnings"})
    return ae


def _adverse_effects(routes: list[str], rng: random.Random, use: _Use) -> tuple[list[dict[str, Any]], list[str]]:
    """About 25 links (20-30) in 3-6 groups, and the findings picked for them."""
    pick = rng.sample(_VOCAB.findings, k=rng.randint(20, 30))
    contexts = _adverse_contexts(rng)
    adverse = []
    chunk = max(1, len(pick) // len(contexts))
    for gi, group in enumerate(contexts):
        effects = pick[gi * chunk : (gi + 1) * chunk] if gi < len(contexts) - 1 else pick[gi * chunk :]
        if not effects:
            continue
        adverse.append(_adverse_group(group, effects, routes, rng, use))
    return adverse, pick


def _add_pediatric_warning(w: dict[str, Any], rng: random.Random, use: _Use) -> None:
    w["populations"] = [
        use(
            "populations",
            rng.choice(("children-under-2", "children-under-6", "children-under-12", "adolescents-under-18")),
        )
    ]
    w["section"] = "pediatric"


def _add_lactation_warning(w: dict[str, Any], rng: random.Random, use: _Use) -> None:
    w["populations"] = [use("populations", "breastfeeding-mothers"), use("populations", "nursing-infants")]
    w["recommendations"] = [use("recommendations", "weigh-breastfeeding-benefits")]
    w["milk_transfer"] = rng.choice(("detected", "unknown", "not-detected"))
    w["section"] = "pregnancy-lactation"


def _add_effect_warning(
    w: dict[str, Any], adverse: list[dict[str, Any]], pick: list[str], rng: random.Random, use: _Use
) -> None:
    """A warning about some of the drug's adverse effects, for some populations, with recommendations."""
    if rng.random() < 0.4 and any(a["context"] != "common-use" for a in adverse):
        w["about_context"] = rng.choice([a["context"] for a in adverse if a["context"] != "common-use"])
    w["about_effects"] = sorted({use("findings", x) for x in rng.sample(pick, k=rng.randint(1, 3))})
    w["populations"] = sorted({use("populations", x) for x in rng.sample(_VOCAB.populations, k=rng.randint(1, 2))})
    w["recommendations"] = sorted(
        {use("recommendations", x) for x in rng.sample([r for r, _ in _RECOMMENDATIONS], k=rng.randint(1, 2))}
    )
    w["section"] = _sec(rng, "warnings", "special-populations", "interactions")


def _warning(
    wi: int, routes: list[str], adverse: list[dict[str, Any]], pick: list[str], rng: random.Random, use: _Use
) -> dict[str, Any]:
    """Warning number `wi` (from 0); only the first can be a boxed warning."""
    kind = _WARNING_KINDS[0] if wi == 0 and rng.random() < 0.2 else rng.choice(_WARNING_KINDS[1:])
    w: dict[str, Any] = {"id": f"warning-{wi + 1}", "kind": kind}
    if kind == "boxed-warning":
        w["issued_by"] = use("organizations", rng.choice(_AUTHORITIES)[0])
    if rng.random() < 0.3:
        w["route"] = use("routes", rng.choice(routes))
    if kind in ("not-established", "not-evaluated"):
        _add_pediatric_warning(w, rng, use)
    elif kind == "lactation":
        _add_lactation_warning(w, rng, use)
    else:
        _add_effect_warning(w, adverse, pick, rng, use)
    return w


def _warnings(
    routes: list[str], adverse: list[dict[str, Any]], pick: list[str], rng: random.Random, use: _Use
) -> list[dict[str, Any]]:
    """8-16 warnings."""
    return [_warning(wi, routes, adverse, pick, rng, use) for wi in range(rng.randint(8, 16))]


def monograph_for(index: int, drug_id: str, name: str, cls: int, seed: int) -> dict[str, Any]:
    """The monograph of synthetic drug `index` as plain data (the parsed form of its YAML file)."""
    rng = random.Random(f"drugkg-synth/{seed}/{index}")
    used: dict[str, set[str]] = {}

    def use(kind: str, tid: str) -> str:
        used.setdefault(kind, set()).add(tid)
        return tid

    # every helper draws from `rng` in turn: their order is part of the output
    sources = _sources(drug_id, name, use)
    drug = _drug(index, drug_id, name, cls, rng, use)
    formulations, base_mg = _formulations(rng, use)
    routes = sorted({f["route"] for f in formulations})
    regimens = _regimens(routes, formulations, base_mg, rng, use)
    mechanisms = _mechanisms(_DRUG_CLASSES[cls][3], rng, use)
    indications = _indications(rng, use)
    adverse, pick = _adverse_effects(routes, rng, use)
    warnings = _warnings(routes, adverse, pick, rng, use)

    _add_certainty(formulations, regimens, mechanisms, indications, adverse, warnings)
    terms = _terms_used(used)
    return {
        "schema_version": 1,
        "sources": sources,
        "terms": terms,
        "drug": drug,
        "formulations": formulations,
        "regimens": regimens,
        "mechanisms": mechanisms,
        "indications": indications,
        "adverse_effects": adverse,
        "warnings": warnings,
    }


# How firmly a synthetic statement is put, from its kind alone (no random draw, so every other value
# stays what the same seed always gave).
_EFFECT_CERTAINTY = {
    "common-use": "reported",
    "abrupt-withdrawal": "possible",
    "overdose": "stated",
    "neonatal-exposure": "reported",
}
_MILK_CERTAINTY = {"detected": "stated", "unknown": "unknown", "not-detected": "stated"}


def _add_certainty(
    formulations: list[dict[str, Any]],
    regimens: list[dict[str, Any]],
    mechanisms: list[dict[str, Any]],
    indications: list[dict[str, Any]],
    adverse: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
) -> None:
    for item in (*formulations, *regimens, *mechanisms):
        item["certainty"] = "stated"
    for r in regimens:
        for adj in r.get("adjustments", ()):
            adj["certainty"] = "possible"
    for ind in indications:
        ind["certainty"] = "stated" if ind["status"] == "approved" else "possible"
    for ae in adverse:
        ae["certainty"] = "possible" if ae.get("frequency") == "some-cases" else _EFFECT_CERTAINTY[ae["context"]]
    for w in warnings:
        w["certainty"] = _MILK_CERTAINTY[w["milk_transfer"]] if "milk_transfer" in w else "stated"
    for items in (formulations, regimens, mechanisms, indications, adverse, warnings):
        for item in items:  # keep `section` last, as in the curated files
            item["section"] = item.pop("section")


_TERM_ORDER = (
    "organizations",
    "people",
    "drug_classes",
    "chemicals",
    "genes",
    "proteins",
    "targets",
    "cell_types",
    "conditions",
    "findings",
    "populations",
    "routes",
    "dosage_forms",
    "delivery_modes",
    "recommendations",
)


def _terms_used(used: dict[str, set[str]]) -> dict[str, list[dict[str, Any]]]:
    """The definitions of every used term and of every term they point to, in vocabulary order."""
    v = _VOCAB
    need = {kind: set(ids) for kind, ids in used.items()}

    def add(kind: str, tid: str) -> None:
        need.setdefault(kind, set()).add(tid)

    for tid in list(need.get("targets", ())):
        for pid in v.terms["targets"][tid]["subunits"]:
            add("proteins", pid)
            add("genes", pid.removesuffix("-protein"))
    for fid in list(need.get("findings", ())):
        broader = v.terms["findings"][fid].get("broader")
        if broader:
            add("findings", broader)
    for pid in list(need.get("populations", ())):
        cond = v.terms["populations"][pid].get("condition")
        if cond:
            add("conditions", cond)
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in _TERM_ORDER:
        ids = need.get(kind)
        if ids:
            out[kind] = [term for tid, term in v.terms[kind].items() if tid in ids]
    return out


# -- YAML, mappings, the whole run ----------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Never anchors or aliases (curated files refuse them), block lists of mappings, flow leaves."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    leaf = all(
        not isinstance(v, (dict, list))
        or (isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))
        or (isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()))
        for v in data.values()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=leaf and len(data) <= 8)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(not isinstance(x, (dict, list)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def render_yaml(monograph: dict[str, Any], name: str) -> str:
    header = (
        f"# SYNTHETIC monograph of the fictional drug {name}, made by `drugkg synth` for tests and\n"
        "# benchmarks. Nothing in this file describes a real medicine.\n"
    )
    body = yaml.dump(monograph, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return header + body


_SSSOM_HEADER = """# mapping_set_id: https://w3id.org/drugkg/mappings/synthetic
# mapping_set_title: SYNTHETIC mappings between fictional drugs of the same class (test data)
# mapping_set_description: Made by drugkg synth for tests and benchmarks. Each fictional drug is related to others of its drug class; \
no external identifier is involved, so none can be mistaken for a real cross-reference.
# license: https://creativecommons.org/publicdomain/zero/1.0/
# mapping_date: 2026-01-01
# creator_label:
#   - drugkg synth
# curie_map:
#   drugkg: https://w3id.org/drugkg/resource/
#   skos: http://www.w3.org/2004/02/skos/core#
#   semapv: https://w3id.org/semapv/vocab/
subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\tcomment
"""


def render_sssom(drugs: list[tuple[str, str, int]], seed: int) -> str:
    """Each drug relatedMatch up to three others of its class (drugkg CURIEs only: no fake external ids)."""
    by_class: dict[int, list[tuple[str, str]]] = {}
    for did, name, cls in drugs:
        by_class.setdefault(cls, []).append((did, name))
    rows = []
    for i, (did, name, cls) in enumerate(drugs):
        rng = random.Random(f"drugkg-synth-map/{seed}/{i}")
        peers = [p for p in by_class[cls] if p[0] != did]
        for pid, pname in sorted(rng.sample(peers, k=min(3, len(peers)))):
            rows.append(
                f"drugkg:drug/{did}\t{name} (synthetic)\tskos:relatedMatch\tdrugkg:drug/{pid}\t{pname} (synthetic)"
                f"\tsemapv:UnspecifiedMatching\tsynthetic: same drug class\n"
            )
    return _SSSOM_HEADER + "".join(rows)


def _progress(enabled: bool) -> Callable[[int, int], None]:
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: list[tqdm] = []

    def show(done: int, total: int) -> None:
        if not enabled:
            return
        if not bar:
            bar.append(
                tqdm(total=total, desc="synth", unit="monograph", file=sys.stderr, leave=True, dynamic_ncols=True)
            )
        bar[0].update(1)
        if done == total:
            bar[0].close()

    return show


def synthesize(
    out: Path, drugs: int, seed: int = 0, *, mappings: bool = True, progress: bool | None = None
) -> list[Path]:
    """Write `drugs` synthetic monographs to out/drugs/ (and a mapping table to out/mappings/)."""
    if drugs < 1:
        raise ValueError("drugs must be at least 1")
    out = Path(out)
    (out / "drugs").mkdir(parents=True, exist_ok=True)
    from drugkg.progress import enabled

    show = _progress(enabled() if progress is None else progress)
    ids = drug_ids(drugs, seed)
    keep = {f"{did}.yaml" for did, _, _ in ids}
    for stale in sorted((out / "drugs").glob("syn-*.yaml")):  # from an earlier, larger run into the same folder
        if stale.name not in keep:
            stale.unlink()
    written: list[Path] = []
    for i, (did, name, cls) in enumerate(ids):
        data = monograph_for(i, did, name, cls, seed)
        path = out / "drugs" / f"{did}.yaml"
        path.write_text(render_yaml(data, name), encoding="utf-8")
        written.append(path)
        show(i + 1, drugs)
    if mappings and drugs > 1:
        (out / "mappings").mkdir(parents=True, exist_ok=True)
        path = out / "mappings" / "synthetic.sssom.tsv"
        path.write_text(render_sssom(ids, seed), encoding="utf-8")
        written.append(path)
    return written


def iter_monographs(drugs: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """The monographs as plain data, without writing files (for tests)."""
    for i, (did, name, cls) in enumerate(drug_ids(drugs, seed)):
        yield monograph_for(i, did, name, cls, seed)
