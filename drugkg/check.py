"""A patient-profile check: which of a drug's warnings, age limits, cautions and dose adjustments apply.

It restates one source document and is not medical advice. Every answer comes from the catalogue
queries `check-*.rq`, so the same questions can be asked of any SPARQL store holding the graph;
this module only decides which of them to ask for a profile, and gathers their rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from drugkg.errors import DrugkgError
from drugkg.namespaces import VOCAB, resource_iri

__all__ = [
    "CHILD_BELOW_YEARS",
    "NOTICE",
    "Advice",
    "CheckResult",
    "Finding",
    "NotApplying",
    "Profile",
    "Runner",
    "check_profile",
    "endpoint_runner",
    "result_as_json",
    "result_as_table",
    "store_runner",
]

NOTICE = (
    "This check restates one source document (a patient-facing web article on baclofen for SMA) "
    "and is not medical advice: it cannot tell whether a treatment is right for anyone. "
    "Ask a physician or pharmacist."
)
# The source speaks of "children" without an age; drugkg reads a patient under 18 as a child. This is
# the check's own rule for matching a profile, not a fact of the source.
CHILD_BELOW_YEARS = Decimal(18)

Row = Mapping[str, str]
# Runs a catalogue query by name with parameter values (IRIs or numbers as text) -> rows of plain values.
Runner = Callable[[str, Mapping[str, str]], list[Row]]


@dataclass(frozen=True)
class Profile:
    age: Decimal | None = None
    route: str | None = None  # a route slug (oral, intrathecal)
    formulation: str | None = None  # a dosage-form slug (tablet, granules, injection, ...)
    conditions: tuple[str, ...] = ()
    pregnant: bool = False
    breastfeeding: bool = False
    elderly: bool = False


@dataclass(frozen=True)
class Advice:
    text: str
    actors: tuple[str, ...]  # empty where the source names no one


@dataclass
class Finding:
    statement: str
    kind: str
    label: str
    route: str | None
    certainty: str
    because: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    advice: list[Advice] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NotApplying:
    statement: str
    kind: str
    label: str
    route: str | None
    populations: tuple[str, ...]
    certainty: str


@dataclass(frozen=True)
class CheckResult:
    drug: str
    profile: Profile
    routes: tuple[str, ...]
    checked: tuple[str, ...]  # what was asked, in words
    applies: tuple[Finding, ...]
    not_applying: tuple[NotApplying, ...]
    notice: str = NOTICE


# ---------------------------------------------------------------- running the queries


def _rows(result: Any) -> list[Row]:
    """The solutions of a pyoxigraph SELECT result as plain dicts (variable -> lexical value)."""
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def _runner(execute: Callable[[str, Mapping[str, Any]], list[Row]]) -> Runner:
    """A runner from `execute(query text, bindings) -> rows`."""
    from drugkg.querying import bind_parameters, find_query

    def run(name: str, params: Mapping[str, str]) -> list[Row]:
        query = find_query(name)
        return execute(query.text, bind_parameters(query, params))

    return run


def store_runner(store: Any) -> Runner:
    """A runner over an Oxigraph store (the embedded build)."""
    from drugkg.querying import run_on_store

    return _runner(lambda text, bindings: _rows(run_on_store(store, text, bindings)))


def endpoint_runner(url: str) -> Runner:
    """A runner over any SPARQL 1.1 endpoint that holds the graph (its default graph the union of all)."""
    from drugkg.querying import run_on_endpoint

    return _runner(lambda text, bindings: _rows(run_on_endpoint(url, text, bindings)))


# ---------------------------------------------------------------- the profile against the graph's terms


@dataclass(frozen=True)
class _Vocabulary:
    routes: dict[str, str]  # IRI -> label
    forms: dict[str, set[str]]  # dosage-form IRI -> route IRIs
    form_labels: dict[str, str]
    conditions: dict[str, str]  # IRI -> label


def _vocabulary(run: Runner, drug: str) -> _Vocabulary:
    v = _Vocabulary({}, {}, {}, {})
    for row in run("check-vocabulary", {"drug": drug}):
        if row["kind"] == "route":
            v.routes[row["term"]] = row["label"]
        elif row["kind"] == "dosage form":
            v.forms.setdefault(row["term"], set()).add(row["route"])
            v.form_labels[row["term"]] = row["label"]
        else:
            v.conditions[row["term"]] = row["label"]
    if not v.routes:
        raise DrugkgError(f"the graph has no formulations of {drug}", expected="a drug IRI of the built graph")
    return v


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(kind: str, given: str, labels: Mapping[str, str]) -> str:
    """The IRI whose slug or label matches `given` (any case; a final plural 's' is forgiven)."""
    wanted = _normal(given)
    for iri, label in sorted(labels.items()):
        names = {_normal(iri.rsplit("/", 1)[-1]), _normal(label)}
        if wanted in names or wanted.removesuffix("s") in names:
            return iri
    known = ", ".join(sorted(iri.rsplit("/", 1)[-1] for iri in labels))
    raise DrugkgError(f"unknown {kind} {given!r}", expected=f"one of: {known}")


def _routes(profile: Profile, v: _Vocabulary) -> tuple[str, ...]:
    routes = set(v.routes)
    if profile.route:
        routes &= {_pick("route", profile.route, v.routes)}
    if profile.formulation:
        form = _pick("formulation (dosage form)", profile.formulation, v.form_labels)
        by_form = v.forms[form]
        if not routes & by_form:
            raise DrugkgError(
                f"the {v.form_labels[form]} is not given by the {v.routes[next(iter(routes))]} route",
                expected="a formulation of the route given, or no --route",
            )
        routes &= by_form
    return tuple(sorted(routes))


# ---------------------------------------------------------------- gathering rows into findings


def _gather(found: dict[str, Finding], rows: Iterable[Row], because: str) -> None:
    for row in rows:
        f = found.get(row["statement"])
        if f is None:
            f = found[row["statement"]] = Finding(
                row["statement"], row["kindLabel"], row["statementLabel"], row.get("routeLabel"), row["certaintyLabel"]
            )
        _add(f.because, because)
        _add(f.populations, row.get("populationLabel"))
        _add(f.about, row.get("contextLabel"))
        _add(f.about, row.get("aboutLabel"))
        _add(f.sections, row.get("sectionLabel"))
        if "adviceLabel" in row:
            _add_advice(f, row["adviceLabel"], row.get("actorLabel"))


def _add(items: list[str], value: str | None) -> None:
    if value is not None and value not in items:
        items.append(value)


def _add_advice(f: Finding, text: str, actor: str | None) -> None:
    for i, a in enumerate(f.advice):
        if a.text == text:
            if actor and actor not in a.actors:
                f.advice[i] = Advice(text, (*a.actors, actor))
            return
    f.advice.append(Advice(text, (actor,) if actor else ()))


def _life_stages(profile: Profile) -> list[tuple[str, str]]:
    stages = []
    if profile.age is not None and profile.age < CHILD_BELOW_YEARS:
        stages.append((str(VOCAB.Childhood), f"a child (age {profile.age}, under {CHILD_BELOW_YEARS})"))
    if profile.pregnant:
        stages.append((str(VOCAB.Pregnancy), "pregnant"))
    if profile.breastfeeding:
        stages.append((str(VOCAB.LactationStage), "breastfeeding"))
    if profile.elderly:
        stages.append((str(VOCAB.OldAge), "elderly"))
    return stages


def _dose_adjustments(
    rows: list[Row], stages: list[tuple[str, str]], conditions: list[tuple[str, str]], v: _Vocabulary, on: str
) -> list[tuple[Row, str]]:
    """The dose-adjustment rows whose population has one of the profile's life stages or conditions."""
    wanted = {iri: words for iri, words in stages} | {iri: v.conditions[iri] for iri, _ in conditions}
    return [
        (row, f"{wanted[key]}, {on}")
        for row in rows
        for key in (row.get("lifeStage"), row.get("condition"))
        if key in wanted
    ]


def _run_checks(
    run: Runner,
    drug: str,
    profile: Profile,
    routes: tuple[str, ...],
    v: _Vocabulary,
    found: dict[str, Finding],
    checked: list[str],
) -> None:
    conditions = [(_pick("condition", c, v.conditions), c) for c in profile.conditions]
    stages = _life_stages(profile)
    for route in routes:
        on = f"on the {v.routes[route]} route"
        base = {"drug": drug, "route": route}
        _gather(found, run("check-route", base), on)
        checked.append(f"what applies to everyone {on}")
        if profile.age is not None:
            _gather(found, run("check-age", {**base, "age": str(profile.age)}), f"age {profile.age} {on}")
            checked.append(f"age limits {on} for age {profile.age}")
        for stage, words in stages:
            _gather(found, run("check-life-stage", {**base, "lifeStage": stage}), f"{words}, {on}")
            checked.append(f"{words} {on}")
        for iri, given in conditions:
            _gather(found, run("check-condition", {**base, "condition": iri}), f"{v.conditions[iri]}, {on}")
            checked.append(f"condition {v.conditions[iri]} (asked as {given!r}) {on}")
        if stages or conditions:
            for row, because in _dose_adjustments(run("check-dose-adjustments", base), stages, conditions, v, on):
                _gather(found, [row], because)
            checked.append(f"dose adjustments {on}")


def _not_applying(run: Runner, drug: str, found: Mapping[str, Finding]) -> tuple[NotApplying, ...]:
    seen: dict[str, tuple[Row, list[str]]] = {}
    for row in run("check-candidates", {"drug": drug}):
        if row["statement"] in found:
            continue
        _row, pops = seen.setdefault(row["statement"], (row, []))
        _add(pops, row.get("populationLabel"))
    return tuple(
        NotApplying(
            s, row["kindLabel"], row["statementLabel"], row.get("routeLabel"), tuple(pops), row["certaintyLabel"]
        )
        for s, (row, pops) in seen.items()
    )


def check_profile(run: Runner, profile: Profile, drug: str = resource_iri("drug", "baclofen")) -> CheckResult:
    """Every statement of `drug` that applies to the profile, and every one checked that did not."""
    if profile.age is not None and not Decimal(0) <= profile.age <= Decimal(150):
        raise DrugkgError(f"age {profile.age} is out of range", expected="an age in years from 0 to 150")
    v = _vocabulary(run, drug)
    routes = _routes(profile, v)
    found: dict[str, Finding] = {}
    checked: list[str] = []
    _run_checks(run, drug, profile, routes, v, found, checked)
    order = sorted(found.values(), key=lambda f: (_KIND_ORDER.get(f.kind, 9), f.label))
    return CheckResult(
        drug, profile, tuple(v.routes[r] for r in routes), tuple(checked), tuple(order), _not_applying(run, drug, found)
    )


_KIND_ORDER = {
    "boxed warning": 0,
    "safety and efficacy not established": 1,
    "safety and efficacy not evaluated": 1,
    "use with caution": 2,
    "activity to avoid": 3,
    "precaution": 4,
    "lactation": 4,
    "dose adjustment": 5,
}


# ---------------------------------------------------------------- output


def result_as_json(result: CheckResult) -> dict[str, Any]:
    p = result.profile
    return {
        "notice": result.notice,
        "drug": result.drug,
        "profile": {
            "age": None if p.age is None else str(p.age),
            "route": p.route,
            "formulation": p.formulation,
            "conditions": list(p.conditions),
            "pregnant": p.pregnant,
            "breastfeeding": p.breastfeeding,
            "elderly": p.elderly,
        },
        "routes_checked": list(result.routes),
        "checked": list(result.checked),
        "applies": [
            {
                "statement": f.statement,
                "kind": f.kind,
                "label": f.label,
                "route": f.route,
                "certainty": f.certainty,
                "because": f.because,
                "populations": f.populations,
                "about": f.about,
                "advice": [{"text": a.text, "actors": list(a.actors)} for a in f.advice],
                "source_sections": f.sections,
            }
            for f in result.applies
        ],
        "checked_and_not_applying": [
            {
                "statement": n.statement,
                "kind": n.kind,
                "label": n.label,
                "route": n.route,
                "populations": list(n.populations),
                "certainty": n.certainty,
            }
            for n in result.not_applying
        ],
    }


def _finding_lines(f: Finding) -> list[str]:
    lines = [f"- [{f.kind}] {f.label}  (certainty: {f.certainty}; route: {f.route or 'any'})"]
    if f.populations:
        lines.append(f"    for: {'; '.join(f.populations)}")
    if f.about:
        lines.append(f"    about: {'; '.join(f.about)}")
    for a in f.advice:
        who = f" (who: {', '.join(a.actors)})" if a.actors else ""
        lines.append(f"    advice: {a.text}{who}")
    lines.append(f"    because: {'; '.join(f.because)}")
    lines.append(f"    source section: {'; '.join(f.sections)}")
    return lines


def result_as_table(result: CheckResult) -> str:
    lines = [f"NOTE: {result.notice}", "", f"routes checked: {', '.join(result.routes)}", "checked:"]
    lines += [f"  - {c}" for c in result.checked]
    lines += ["", f"applies ({len(result.applies)}):"]
    for f in result.applies:
        lines += _finding_lines(f)
    if not result.applies:
        lines.append("  (nothing in the source applies to this profile)")
    lines += ["", f"checked and did not apply ({len(result.not_applying)}):"]
    for n in result.not_applying:
        who = f" for {'; '.join(n.populations)}" if n.populations else ""
        lines.append(f"- [{n.kind}] {n.label}{who} (route: {n.route or 'any'})")
    return "\n".join(lines) + "\n"
