"""The fast engine: every SHACL constraint of drugkg's shapes as SPARQL over one Oxigraph store.

Each constraint runs once over all its focus nodes (not once per focus node, as pySHACL does), and
checks whose meaning depends on rdflib's reading of a literal (ill-typed values, value ranges)
are decided in Python, once per distinct value, with pySHACL's own rules, so that both engines
report the same results. See docs/validation.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from drugkg.validation.report import Path, Term, ValidationResult
from drugkg.validation.shapes import NodeShape, PropertyShape

__all__ = ["to_rdflib", "validate_store"]

_XSD_STRING = str(XSD.string)
_RANGE = {
    SH.MinInclusiveConstraintComponent: (">=",),
    SH.MaxInclusiveConstraintComponent: ("<=",),
    SH.MinExclusiveConstraintComponent: (">",),
    SH.MaxExclusiveConstraintComponent: ("<",),
}
_NODE_KIND = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    """An Oxigraph term as the rdflib term rdflib's own parsers would make (xsd:string literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _sparql_term(term: object) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ValueError(f"cannot use {term!r} in a query")


def _datatype_ok(value: Literal, rule: URIRef) -> bool:
    """pySHACL's DatatypeConstraintComponent for a literal whose datatype IRI equals `rule`."""
    if getattr(value, "ill_typed", None) is True:
        return False
    v = value.value
    checks: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    kind = checks.get(rule)
    return True if kind is None else isinstance(v, kind)


def _range_ok(value: Term, component: URIRef, limit: Literal) -> bool:
    """pySHACL's value range components (sh:minInclusive ...), for one value node."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(value, Literal):
        return False
    limit_is_string = isinstance(limit.value, str)
    value_is_string = isinstance(value.value, str)
    if limit_is_string != value_is_string:
        return False
    try:
        cmp = compare_literal(value, limit)
    except (TypeError, NotImplementedError):
        return False
    return {
        SH.MinInclusiveConstraintComponent: cmp >= 0,
        SH.MaxInclusiveConstraintComponent: cmp <= 0,
        SH.MinExclusiveConstraintComponent: cmp > 0,
        SH.MaxExclusiveConstraintComponent: cmp < 0,
    }[component]


class _Runner:
    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._subclasses: dict[str, list[str] | None] = {}

    def rows(self, query: str) -> list[ox.QuerySolution]:
        return list(self.store.query(query))  # type: ignore[arg-type]

    def subclasses(self, cls: str) -> list[str] | None:
        """`cls` and its subclasses in the data, or None when one of them is a blank node (no VALUES then)."""
        if cls not in self._subclasses:
            q = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{cls}> }}"
            rows = [row["c"] for row in self.rows(q)]
            if any(isinstance(c, ox.BlankNode) for c in rows):
                self._subclasses[cls] = None
            else:
                self._subclasses[cls] = sorted({cls} | {c.value for c in rows})
        return self._subclasses[cls]

    def instance_of(self, var: str, cls: str) -> str:
        """A group matching `var` to every instance of `cls` (through rdfs:subClassOf in the data)."""
        classes = self.subclasses(cls)
        if classes is None:
            return f"{{ {var} <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }}"
        values = " ".join(f"<{c}>" for c in classes)
        return f"{{ VALUES ?_cls {{ {values} }} {var} <{RDF.type}> ?_cls }}"

    def target(self, shape: NodeShape) -> str:
        """A group binding ?this to every focus node of `shape`, once."""
        parts = []
        for pred, value in shape.targets:
            if pred == SH.targetClass:
                parts.append(self.instance_of("?this", str(value)))
            elif pred == SH.targetSubjectsOf:
                parts.append(f"{{ ?this <{value}> ?_any }}")
            elif pred == SH.targetObjectsOf:
                parts.append(f"{{ ?_any <{value}> ?this }}")
            elif pred == SH.targetNode:
                parts.append(f"{{ VALUES ?this {{ {_sparql_term(value)} }} }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _result(
    shape: NodeShape | PropertyShape, component: URIRef, focus: Term, value: Term | None, path: Path | None
) -> ValidationResult:
    return ValidationResult(
        focus=focus,
        path=path,
        value=value,
        component=component,
        severity=shape.severity,
        source_shape=shape.node,
        messages=shape.messages,
    )


def _count_query(component: URIRef, n: int, target: str, vpath: str) -> str | None:
    """The focus nodes with fewer than (sh:minCount) or more than (sh:maxCount) `n` value nodes."""
    if component == SH.MinCountConstraintComponent:
        if n == 0:
            return None
        if n == 1:
            return f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {vpath} ?v }} }}"
        return (
            f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {vpath} ?v }} }} GROUP BY ?this "
            f"HAVING (COUNT(DISTINCT ?v) < {n})"
        )
    if n == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {target} ?this {vpath} ?v }}"
    if n == 1:
        return (
            f"SELECT DISTINCT ?this WHERE {{ {target} ?this {vpath} ?v . ?this {vpath} ?w . "
            f"FILTER(!sameTerm(?v, ?w)) }}"
        )
    return f"SELECT ?this WHERE {{ {target} ?this {vpath} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"


def _datatype_checks(param: URIRef, fv: Any, by_distinct_value: Any) -> Iterator[ValidationResult]:
    """sh:datatype: a literal of another datatype, or (decided in Python, as pySHACL does) an ill-typed one."""
    dt = f"<{param}>"
    if param == RDFS.Literal:
        yield from fv("!isLiteral(?v)")
        return
    yield from fv(f"!isLiteral(?v) || datatype(?v) != {dt}")
    if param not in (XSD.string, RDF.langString):
        yield from by_distinct_value(
            f"FILTER(isLiteral(?v) && datatype(?v) = {dt})", lambda v: not _datatype_ok(v, param)
        )


def _value_checks(
    run: _Runner,
    target: str,
    vpath: str,
    shape: PropertyShape | NodeShape,
    component: URIRef,
    param: object,
    path: Path | None,
) -> Iterator[ValidationResult]:
    """One core constraint over every focus node; `vpath` is the SPARQL path to the value nodes ('' for node shapes)."""
    values = f"?this {vpath} ?v ." if vpath else "BIND(?this AS ?v)"

    def fv(filter_text: str) -> Iterator[ValidationResult]:
        q = f"SELECT DISTINCT ?this ?v WHERE {{ {target} {values} FILTER({filter_text}) }}"
        for row in run.rows(q):
            yield _result(shape, component, to_rdflib(row["this"]), to_rdflib(row["v"]), path)

    def by_distinct_value(extra_filter: str, bad) -> Iterator[ValidationResult]:
        q = f"SELECT DISTINCT ?v WHERE {{ {target} {values} {extra_filter} }}"
        wrong = [row["v"] for row in run.rows(q) if bad(to_rdflib(row["v"]))]
        if any(isinstance(v, ox.BlankNode) for v in wrong):  # a query cannot name a blank node: take them all
            yield from fv("isBlank(?v)")
            wrong = [v for v in wrong if not isinstance(v, ox.BlankNode)]
        for start in range(0, len(wrong), 500):
            chunk = " ".join(str(v) for v in wrong[start : start + 500])
            q = f"SELECT DISTINCT ?this ?v WHERE {{ {target} {values} VALUES ?v {{ {chunk} }} }}"
            for row in run.rows(q):
                yield _result(shape, component, to_rdflib(row["this"]), to_rdflib(row["v"]), path)

    if component in (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent):
        q = _count_query(component, int(param.value), target, vpath)  # type: ignore[attr-defined]
        for row in run.rows(q) if q else []:
            yield _result(shape, component, to_rdflib(row["this"]), None, path)
    elif component == SH.ClassConstraintComponent:
        yield from fv(f"NOT EXISTS {run.instance_of('?v', str(param))}")
    elif component == SH.DatatypeConstraintComponent:
        yield from _datatype_checks(param, fv, by_distinct_value)  # type: ignore[arg-type]
    elif component == SH.NodeKindConstraintComponent:
        yield from fv(f"!{_NODE_KIND[param]}")  # type: ignore[index]
    elif component == SH.InConstraintComponent:
        members: tuple[object, ...] = param or ()  # type: ignore[assignment]
        test = " || ".join(f"sameTerm(?v, {_sparql_term(m)})" for m in members) or "false"
        yield from fv(f"!({test})")
    elif component == SH.MinLengthConstraintComponent:
        n = int(param.value)  # type: ignore[attr-defined]
        yield from fv(f"isBlank(?v) || STRLEN(STR(?v)) < {n}" if n > 0 else "false")  # pySHACL: 0 allows all
    elif component in _RANGE:
        yield from by_distinct_value("", lambda v: not _range_ok(v, component, param))  # type: ignore[arg-type]
    else:  # compile_shapes only lets the components above through
        raise AssertionError(component)


def _sparql_results(run: _Runner, target: str, shape: NodeShape) -> Iterator[ValidationResult]:
    for constraint in shape.sparql:
        query = constraint.query[: constraint.where] + " " + target + " " + constraint.query[constraint.where :]
        for row in run.rows(query):
            focus = to_rdflib(row["this"])
            path_term = _get(row, "path")
            value_term = _get(row, "value")
            yield ValidationResult(
                focus=focus,
                path=Path.of(path_term.value) if isinstance(path_term, ox.NamedNode) else None,
                value=to_rdflib(value_term) if value_term is not None else focus,  # type: ignore[arg-type]
                component=SH.SPARQLConstraintComponent,
                severity=shape.severity,
                source_shape=shape.node,
                messages=tuple(sorted(set(shape.messages) | set(constraint.messages))),
                source_constraint=constraint.node,
            )


def _get(row: ox.QuerySolution, name: str) -> object:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _shape_jobs(run: _Runner, shape: NodeShape) -> list[tuple[Any, tuple[Any, ...]]]:
    target = run.target(shape)
    jobs: list[tuple[Any, tuple[Any, ...]]] = []
    for component, param in shape.constraints:
        jobs.append((_value_checks, (run, target, "", shape, component, param, None)))
    for prop in shape.properties:
        for component, param in prop.constraints:
            jobs.append((_value_checks, (run, target, prop.path.sparql(), prop, component, param, prop.path)))
    if shape.sparql:
        jobs.append((_sparql_results, (run, target, shape)))
    return jobs


def validate_store(store: ox.Store, shapes: Iterable[NodeShape], threads: int = 2) -> list[ValidationResult]:
    """Every result of `shapes` over the default graph of `store`, sorted, without duplicates."""
    run = _Runner(store)
    jobs = [job for shape in shapes for job in _shape_jobs(run, shape)]
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            chunks = list(pool.map(lambda job: list(job[0](*job[1])), jobs))
    else:
        chunks = [list(fn(*args)) for fn, args in jobs]
    results = {r.key(): r for chunk in chunks for r in chunk}
    return [results[k] for k in sorted(results)]
