"""The monograph view of a drug's page: the drug at a glance, formulations and strengths, dosing,
uses, mechanism, effects by context and warnings by population, each line linking to its
statement and naming the source section it came from. Built by SPARQL over the store (the
queries below), never from the curated YAML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import pyoxigraph as ox

from drugkg.namespaces import VOCAB
from drugkg.querying import run_on_store

__all__ = ["DRUG_CLASS", "SECTIONS", "monograph_html"]

DRUG_CLASS = str(VOCAB) + "Drug"
_PREFIXES = """PREFIX drugkg: <https://w3id.org/drugkg/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Every query binds ?drug and returns ?statement, ?sections (the source sections' headings) and
# the columns its section shows; one row per statement.
_SOURCE = "OPTIONAL { ?statement drugkg:sourceSection/rdfs:label ?section }"

GLANCE = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?classLabel) AS ?class) (SAMPLE(?developerLabel) AS ?developer)
       (SAMPLE(?nowLabel) AS ?now) (GROUP_CONCAT(DISTINCT ?brand; separator=", ") AS ?brands)
       (SAMPLE(?generic) AS ?genericAvailable) (SAMPLE(?analogueLabel) AS ?analogue)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?drug a drugkg:Drug .
  BIND(?drug AS ?statement)
  OPTIONAL { ?drug drugkg:drugClass/rdfs:label ?classLabel }
  OPTIONAL { ?drug drugkg:developer ?dev . ?dev rdfs:label ?developerLabel .
             OPTIONAL { ?dev drugkg:partOf/rdfs:label ?nowLabel } }
  OPTIONAL { ?drug drugkg:brandName ?brand }
  OPTIONAL { ?drug drugkg:genericAvailable ?generic }
  OPTIONAL { ?drug drugkg:structuralAnalogueOf/rdfs:label ?analogueLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement
"""
)

FORMULATIONS = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?formLabel) AS ?form) (SAMPLE(?routeLabel) AS ?route)
       (GROUP_CONCAT(DISTINCT ?strengthLabel; separator=", ") AS ?strengths)
       (GROUP_CONCAT(DISTINCT ?modeLabel; separator=", ") AS ?delivery)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a drugkg:Formulation ;
             drugkg:dosageForm/rdfs:label ?formLabel .
  OPTIONAL { ?statement drugkg:route/rdfs:label ?routeLabel }
  OPTIONAL { { ?statement drugkg:strength/rdfs:label ?strengthLabel }
             UNION { ?statement drugkg:concentration/rdfs:label ?strengthLabel }
             UNION { ?statement drugkg:strengthRange/rdfs:label ?strengthLabel } }
  OPTIONAL { ?statement drugkg:deliveryMode/rdfs:label ?modeLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?route ?form
"""
)

DOSING = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?routeLabel) AS ?route) (SAMPLE(?startLabel) AS ?start) (SAMPLE(?startTimes) AS ?startPerDay)
       (SAMPLE(?titrationLabel) AS ?titration) (SAMPLE(?titrationWhen) AS ?titrationCondition)
       (SAMPLE(?maxSingleLabel) AS ?maxSingle) (SAMPLE(?maxTimes) AS ?maxPerDay) (SAMPLE(?maxDailyLabel) AS ?maxDaily)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a drugkg:DosingRegimen .
  OPTIONAL { ?statement drugkg:route/rdfs:label ?routeLabel }
  OPTIONAL { ?statement drugkg:startingDose/rdfs:label ?startLabel }
  OPTIONAL { ?statement drugkg:startingTimesPerDay ?startTimes }
  OPTIONAL { ?statement drugkg:titration ?t . ?t rdfs:label ?titrationLabel .
             OPTIONAL { ?t drugkg:titrationCondition ?titrationWhen } }
  OPTIONAL { ?statement drugkg:maxSingleDose/rdfs:label ?maxSingleLabel }
  OPTIONAL { ?statement drugkg:maxTimesPerDay ?maxTimes }
  OPTIONAL { ?statement drugkg:maxDailyDose/rdfs:label ?maxDailyLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?route
"""
)

ADJUSTMENTS = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?populationLabel) AS ?population) (SAMPLE(?routeLabel) AS ?route)
       (GROUP_CONCAT(DISTINCT ?adviceLabel; separator="; ") AS ?advice)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?drug drugkg:hasRegimen ?regimen .
  ?regimen drugkg:doseAdjustment ?statement .
  OPTIONAL { ?regimen drugkg:route/rdfs:label ?routeLabel }
  ?statement drugkg:population/rdfs:label ?populationLabel .
  OPTIONAL { ?statement drugkg:recommendation/rdfs:label ?adviceLabel }
  OPTIONAL { ?regimen drugkg:sourceSection/rdfs:label ?section }
} GROUP BY ?drug ?statement ORDER BY ?population
"""
)

USES = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?statusLabel) AS ?status) (SAMPLE(?conditionLabel) AS ?condition)
       (GROUP_CONCAT(DISTINCT ?symptomLabel; separator=", ") AS ?symptoms) (SAMPLE(?authorityLabel) AS ?authority)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a ?status_ ; drugkg:condition/rdfs:label ?conditionLabel .
  VALUES ?status_ { drugkg:ApprovedIndication drugkg:OffLabelUse }
  ?status_ rdfs:label ?statusLabel .
  OPTIONAL { ?statement drugkg:treats/rdfs:label ?symptomLabel }
  OPTIONAL { ?statement drugkg:approvedBy/rdfs:label ?authorityLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?status ?condition
"""
)

MECHANISM = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?actionLabel) AS ?action) (SAMPLE(?targetLabel) AS ?target)
       (GROUP_CONCAT(DISTINCT ?symptomLabel; separator=", ") AS ?treats)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a drugkg:MechanismOfAction .
  OPTIONAL { ?statement drugkg:action/rdfs:label ?actionLabel }
  OPTIONAL { ?statement drugkg:target/rdfs:label ?targetLabel }
  OPTIONAL { ?statement drugkg:treats/rdfs:label ?symptomLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?action
"""
)

EFFECTS = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?contextLabel) AS ?context) (SAMPLE(?effectLabel) AS ?effect)
       (SAMPLE(?frequencyLabel) AS ?frequency) (SAMPLE(?routeLabel) AS ?route)
       (SAMPLE(?populationLabel) AS ?population) (SAMPLE(?outcomeLabel) AS ?outcome)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a drugkg:AdverseEffectAssociation ;
             drugkg:effect/rdfs:label ?effectLabel .
  OPTIONAL { ?statement drugkg:context/rdfs:label ?contextLabel }
  OPTIONAL { ?statement drugkg:frequency/rdfs:label ?frequencyLabel }
  OPTIONAL { ?statement drugkg:route/rdfs:label ?routeLabel }
  OPTIONAL { ?statement drugkg:population/rdfs:label ?populationLabel }
  OPTIONAL { ?statement drugkg:outcome/rdfs:label ?outcomeLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?context ?effect
"""
)

WARNINGS = (
    _PREFIXES
    + """
SELECT ?statement (SAMPLE(?populationLabel) AS ?population) (SAMPLE(?kindLabel) AS ?kind)
       (SAMPLE(?routeLabel) AS ?route) (GROUP_CONCAT(DISTINCT ?aboutLabel; separator=", ") AS ?about)
       (GROUP_CONCAT(DISTINCT ?adviceLabel; separator="; ") AS ?advice)
       (GROUP_CONCAT(DISTINCT ?section; separator=" · ") AS ?sections)
WHERE {
  ?statement drugkg:forDrug ?drug ; a drugkg:Warning .
  OPTIONAL { ?statement drugkg:population/rdfs:label ?populationLabel }
  OPTIONAL { ?statement drugkg:warningKind/rdfs:label ?kindLabel }
  OPTIONAL { ?statement drugkg:route/rdfs:label ?routeLabel }
  OPTIONAL { ?statement drugkg:aboutEffect/rdfs:label ?aboutLabel }
  OPTIONAL { ?statement drugkg:recommendation/rdfs:label ?adviceLabel }
  """
    + _SOURCE
    + """
} GROUP BY ?drug ?statement ORDER BY ?population ?kind
"""
)

Row = dict[str, str]
_STYLE = (
    "<style>.monograph ul{margin:.2rem 0 .6rem;padding-left:1.2rem}.monograph li{margin:.15rem 0}"
    ".monograph .src{color:#7a8599;font-size:.8rem;margin-left:.4rem}.monograph h3{font-size:.95rem;"
    "margin:.6rem 0 .1rem;color:#33415c}</style>"
)


def _join(*parts: str | None, sep: str = "; ") -> str:
    return sep.join(p for p in parts if p)


def _glance(r: Row) -> str:
    developer = r.get("developer") and (
        f"first developed by {r['developer']}" + (f" (now part of {r['now']})" if r.get("now") else "")
    )
    generic = {"true": "generics available", "false": "no generics"}.get(r.get("genericAvailable", ""))
    return _join(
        r.get("class"),
        r.get("analogue") and f"structural analogue of {r['analogue']}",
        developer,
        r.get("brands") and f"brand names: {r['brands']}",
        generic,
    )


def _formulation(r: Row) -> str:
    return _join(
        _join(r.get("form"), r.get("route") and f"({r['route']})", sep=" "),
        r.get("strengths"),
        r.get("delivery") and f"delivered by {r['delivery']}",
    )


def _times(n: str | None) -> str | None:
    return n and f"{n} times a day"


def _dosing(r: Row) -> str:
    start = r.get("start") and _join(f"start with {r['start']}", _times(r.get("startPerDay")), sep=" ")
    titration = r.get("titration") and _join(
        r["titration"], r.get("titrationCondition") and f"as {r['titrationCondition']} allow", sep=", "
    )
    maximum = r.get("maxSingle") and _join(f"at most {r['maxSingle']} a dose", _times(r.get("maxPerDay")), sep=" ")
    daily = r.get("maxDaily") and f"{r['maxDaily']} a day at most"
    return _join(r.get("route") and f"{r['route']}:", _join(start, titration, maximum, daily), sep=" ")


def _adjustment(r: Row) -> str:
    return _join(
        f"{r.get('population', '')}" + (f" ({r['route']})" if r.get("route") else "") + ":", r.get("advice"), sep=" "
    )


def _use(r: Row) -> str:
    return _join(
        f"{r.get('status', '')}: {r.get('condition', '')}",
        r.get("symptoms") and f"for {r['symptoms']}",
        r.get("authority") and f"approved by {r['authority']}",
    )


def _mechanism(r: Row) -> str:
    return _join(_join(r.get("action"), r.get("target"), sep=" "), r.get("treats") and f"treats {r['treats']}")


def _effect(r: Row) -> str:
    return _join(
        r.get("effect"),
        r.get("frequency"),
        r.get("route"),
        r.get("population") and f"in {r['population']}",
        r.get("outcome"),
        sep=", ",
    )


def _warning(r: Row) -> str:
    return _join(r.get("kind"), r.get("route"), r.get("about") and f"about {r['about']}", r.get("advice"), sep=", ")


@dataclass(frozen=True)
class Section:
    """One part of the monograph: its heading, its query, how a row reads, and what groups rows."""

    key: str
    title: str
    query: str
    line: Callable[[Row], str]
    group_by: str | None = None


SECTIONS = (
    Section("glance", "At a glance", GLANCE, _glance),
    Section("formulations", "Formulations and strengths", FORMULATIONS, _formulation),
    Section("dosing", "Dosing", DOSING, _dosing),
    Section("adjustments", "Dose adjustments", ADJUSTMENTS, _adjustment),
    Section("uses", "Approved and off-label uses", USES, _use),
    Section("mechanism", "Mechanism", MECHANISM, _mechanism),
    Section("effects", "Effects by context", EFFECTS, _effect, group_by="context"),
    Section("warnings", "Warnings by population", WARNINGS, _warning, group_by="population"),
)


def _rows(store: ox.Store, query: str, drug: str) -> list[Row]:
    result = run_on_store(store, query, {"drug": ox.NamedNode(drug)})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None and s[n].value != ""} for s in result]


def _line(row: Row, text: str, link: Callable[[str], str]) -> str:
    source = row.get("sections")
    note = f' <span class="src">source: {escape(source)}</span>' if source else ""
    return f'<li><a href="{escape(link(row["statement"]), quote=True)}">{escape(text)}</a>{note}</li>'


def _section_html(section: Section, rows: list[Row], link: Callable[[str], str]) -> str:
    if section.group_by is None:
        items = "".join(_line(r, section.line(r), link) for r in rows)
        return f"<ul>{items}</ul>"
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.get(section.group_by, "other"), []).append(row)
    return "".join(
        f"<h3>{escape(name)}</h3><ul>{''.join(_line(r, section.line(r), link) for r in members)}</ul>"
        for name, members in groups.items()
    )


def monograph_html(store: ox.Store, drug: str, link: Callable[[str], str]) -> str:
    """The monograph view of `drug` (its IRI), for the top of its page; links made by `link`."""
    parts = []
    for section in SECTIONS:
        rows = _rows(store, section.query, drug)
        if rows:
            parts.append(
                f'<section class="mono" id="monograph-{section.key}"><h2>{escape(section.title)}</h2>'
                f"{_section_html(section, rows, link)}</section>"
            )
    return f'<div class="monograph">{_STYLE}{"".join(parts)}</div>' if parts else ""
