"""Write a validation outcome for people (text) and machines (SHACL report as Turtle, JSON, JUnit XML)."""

from __future__ import annotations

import json
from collections import defaultdict
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from drugkg.namespaces import TURTLE_PREFIXES
from drugkg.validation.paths import path_to_rdf
from drugkg.validation.report import ValidationOutcome, ValidationResult

__all__ = ["FORMATS", "render", "short"]

_PREFIXES = {
    **TURTLE_PREFIXES,
    "dks": "https://w3id.org/drugkg/shapes#",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}


def short(iri: str) -> str:
    """A CURIE for IRIs in drugkg's prefix map, else <iri>."""
    from drugkg.dumps import compact_iri  # prefixed names that parse as Turtle (drug:baclofen)

    return compact_iri(iri, _PREFIXES) or f"<{iri}>"


def _node(term: object) -> str:
    """A focus node or shape for people: a CURIE or <iri>, or _:id for a blank node."""
    return f"_:{term}" if isinstance(term, BNode) else short(str(term))


def _term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return short(str(term))
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _component(r: ValidationResult) -> str:
    return str(r.component).rsplit("#", 1)[-1]


def _severity(r: ValidationResult) -> str:
    return str(r.severity).rsplit("#", 1)[-1]


def _reasoning_line(outcome: ValidationOutcome) -> str | None:
    r = outcome.reasoning
    if r is None:
        return None
    return f"OWL reasoning (HermiT): {r.status}" + (f": {r.detail}" if r.detail else "")


def text(outcome: ValidationOutcome, strict: bool = False) -> str:
    lines: list[str] = []
    by_focus: dict[str, list[ValidationResult]] = defaultdict(list)
    for r in outcome.results:
        by_focus[str(r.focus)].append(r)
    for focus in sorted(by_focus):
        label = outcome.labels.get(focus)
        lines.append(_node(by_focus[focus][0].focus) + (f'  "{label}"' if label else ""))
        for r in by_focus[focus]:
            where = r.path.text(short) if r.path else "(the node itself)"
            value = f" = {_term(r.value)}" if r.value is not None and r.value != r.focus else ""
            lines.append(f"  {_severity(r).upper():9} {where}{value}")
            lines.append(f"            {r.message or '(no message)'}")
            lines.append(f"            [{_component(r)}, {_node(r.source_shape)}]")
    v, w = len(outcome.violations), len(outcome.warnings)
    reasoning = _reasoning_line(outcome)
    if reasoning:
        lines.append(reasoning)
    verdict = "PASS" if outcome.passes(strict) else "FAIL"
    lines.append(
        f"{verdict}: {v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)} "
        f"in {outcome.triples} triples ({outcome.engine} engine"
        + (", warnings fail with --strict" if strict else "")
        + ")"
    )
    return "\n".join(lines) + "\n"


def report_graph(outcome: ValidationOutcome) -> Graph:
    """The SHACL validation report (sh:conforms is false when there is any result, warnings included)."""
    g = Graph()
    for prefix, ns in _PREFIXES.items():
        g.bind(prefix, ns)
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(not outcome.results, datatype=XSD.boolean)))
    for r in outcome.results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            g.add((node, SH.resultPath, path_to_rdf(g, r.path)))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.sourceShape, r.source_shape))
        g.add((node, SH.resultSeverity, r.severity))
        if r.source_constraint is not None:
            g.add((node, SH.sourceConstraint, r.source_constraint))
        for m in r.messages:
            g.add((node, SH.resultMessage, Literal(m)))
    if outcome.reasoning is not None:
        from rdflib.namespace import RDFS

        g.add((report, RDFS.comment, Literal(_reasoning_line(outcome) or "")))
    return g


def turtle(outcome: ValidationOutcome, strict: bool = False) -> str:
    return report_graph(outcome).serialize(format="turtle")


def as_json(outcome: ValidationOutcome, strict: bool = False) -> str:
    r = outcome.reasoning
    doc = {
        "conforms": outcome.conforms,
        "passes": outcome.passes(strict),
        "strict": strict,
        "violations": len(outcome.violations),
        "warnings": len(outcome.warnings),
        "triples": outcome.triples,
        "engine": outcome.engine,
        "reasoning": None
        if r is None
        else {"status": r.status, "detail": r.detail, "individuals": list(r.individuals)},
        "timings_s": {k: round(v, 3) for k, v in outcome.timings.items()},
        "results": [
            {
                "focus": str(x.focus),
                "focus_label": outcome.labels.get(str(x.focus)),
                "file": outcome.locations.get(str(x.focus), (None, None))[0],
                "line": outcome.locations.get(str(x.focus), (None, None))[1],
                "path": x.path.text() if x.path else None,
                "value": None if x.value is None else x.value.n3(),
                "component": str(x.component),
                "severity": str(x.severity),
                "source_shape": str(x.source_shape),
                "source_constraint": None if x.source_constraint is None else str(x.source_constraint),
                "message": x.message,
            }
            for x in outcome.results
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def junit(outcome: ValidationOutcome, strict: bool = False) -> str:
    """JUnit XML: one test case per result (a failure for violations, and for warnings with --strict)."""
    suite = ET.Element("testsuite", name="drugkg validate")
    failures = skipped = tests = 0
    for r in outcome.results:
        tests += 1
        name = f"{_node(r.focus)} {r.path.text(short) if r.path else ''}".strip()
        case = ET.SubElement(suite, "testcase", classname=_node(r.source_shape), name=name)
        if str(r.focus) in outcome.locations:  # where CI annotations land (file and line stating the focus node)
            file, line = outcome.locations[str(r.focus)]
            case.set("file", file)
            case.set("line", str(line))
        detail = (
            f"focus: {r.focus}\npath: {r.path.text() if r.path else '-'}\nvalue: {_term(r.value)}\n"
            f"component: {r.component}\nseverity: {r.severity}\nshape: {r.source_shape}"
        )
        if r.severity == SH.Violation or strict:
            failures += 1
            el = ET.SubElement(case, "failure", message=r.message, type=_component(r))
        else:
            el = ET.SubElement(case, "system-out")
            detail = f"WARNING: {r.message}\n{detail}"
        el.text = detail
    reasoning = outcome.reasoning
    if reasoning is not None:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname="owl", name="ontology plus data is consistent (HermiT)")
        if reasoning.status == "inconsistent":
            failures += 1
            ET.SubElement(case, "failure", message=reasoning.detail, type="Inconsistent").text = "\n".join(
                reasoning.individuals
            )
        elif reasoning.status != "consistent":
            skipped += 1
            ET.SubElement(case, "skipped", message=reasoning.detail)
    if not outcome.results:
        tests += 1
        ET.SubElement(suite, "testcase", classname="shacl", name="every node conforms to drugkg's shapes")
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites", tests=str(tests), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS = {"text": text, "turtle": turtle, "json": as_json, "junit": junit}


def render(outcome: ValidationOutcome, fmt: str = "text", strict: bool = False) -> str:
    return FORMATS[fmt](outcome, strict)
