"""The subset of SHACL the fast engine runs exactly; anything outside it is `Unsupported` (pySHACL runs it).

The checks are conservative on purpose: a shape the fast engine could perhaps run but whose meaning
is not certain to be the same as pySHACL's (a literal written in a non-canonical form, a blank
node where a query would need an IRI, `$this` inside a nested group, a solution modifier ...) is
refused, so that the fast engine never answers differently. docs/validation.md lists the subset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import OWL, RDF, SH, XSD
from rdflib.plugins.sparql.parserutils import CompValue

__all__ = [
    "Unsupported",
    "check_select",
    "check_shapes_graph",
    "insertion_point",
    "is_canonical",
    "single",
    "where_prefixes",
]

# SHACL-SPARQL's special or pre-bound variables the fast engine does not bind or read
_REFUSED_VARIABLES = {"shapesGraph", "currentShape", "PATH", "failure", "message"}
# algebra the fast engine's join of the target with the query cannot reproduce exactly
_REFUSED_PARTS = {
    "SubSelect",
    "InlineData",
    "InlineDataFull",
    "InlineDataOneVar",
    "MinusGraphPattern",
    "ServiceGraphPattern",
    "GraphGraphPattern",
    "GroupClause",
    "HavingClause",
    "OrderClause",
    "LimitOffsetClauses",
    "DatasetClause",
    "ValuesClause",
}
_EXISTS = {"Builtin_EXISTS", "Builtin_NOTEXISTS"}
_THIS = Variable("this")
_CUSTOM_COMPONENT_MARKS = (SH.ConstraintComponent, SH.SPARQLAskValidator, SH.SPARQLSelectValidator)


class Unsupported(Exception):
    """The shapes use a SHACL feature the fast engine does not run exactly; use the pySHACL engine instead."""


def _nodes(value: object) -> Iterator[object]:
    """Every node of an rdflib SPARQL parse tree."""
    yield value
    if isinstance(value, CompValue):
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, (list, tuple, ParseResults)):
        for child in value:
            yield from _nodes(child)


def _mentions_this(value: object) -> bool:
    return any(node == _THIS for node in _nodes(value))


def _check_exists(expr: object) -> None:
    for node in _nodes(expr):
        if isinstance(node, CompValue) and node.name in _EXISTS:
            _check_group(node["graph"], top=False)


def _check_group(group: object, top: bool) -> None:
    """`$this` only where joining the target in front of the query equals pre-binding it (SHACL 5.3.1)."""
    if not isinstance(group, CompValue) or group.name != "GroupGraphPatternSub":
        raise Unsupported("a nested query form")
    for part in group.get("part") or []:
        if not _mentions_this(part):
            continue
        if part.name == "TriplesBlock":
            continue
        if part.name == "Filter" or (part.name == "Bind" and top and part["var"] != _THIS):
            _check_exists(part["expr"])
        elif part.name == "OptionalGraphPattern" and top:
            _check_group(part["graph"], top=False)
        else:
            raise Unsupported(f"$this inside {part.name}")


def check_select(text: str) -> None:
    """Refuse a SPARQL constraint's SELECT unless the fast engine gives it pre-binding's meaning."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except Exception as err:
        raise Unsupported(f"SPARQL that rdflib cannot parse: {err}") from None
    query = parsed[1]
    if query.name != "SelectQuery":
        raise Unsupported("not a SELECT query")
    for node in _nodes(query):
        if isinstance(node, CompValue) and (node.name in _REFUSED_PARTS or node.name.startswith("Aggregate_")):
            raise Unsupported(f"SPARQL constraint with {node.name}")
        if isinstance(node, Variable) and str(node) in _REFUSED_VARIABLES:
            raise Unsupported(f"SPARQL constraint using ${node}")
    projection = query.get("projection")
    if isinstance(projection, (list, ParseResults)):  # absent (or "*") for SELECT *
        if any("evar" in item or "expr" in item for item in projection):
            raise Unsupported("SPARQL constraint with an expression in its projection")
        if _THIS not in [item.get("var") for item in projection]:
            raise Unsupported("SPARQL constraint that does not project $this")
    if not _mentions_this(query["where"]):
        raise Unsupported("SPARQL constraint whose WHERE does not mention $this")
    _check_group(query["where"], top=True)


_MASKED = re.compile(
    r'<[^<>"{}|^`\\\s]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
)
_SELECT_WORD = re.compile(r"(?<![\w:?$])SELECT\b", re.IGNORECASE)


def insertion_point(text: str) -> int:
    """Where the outer WHERE group of a one-SELECT query opens (just after its `{`), found outside
    IRIs and strings; Unsupported when that is not certain (comments, an expression before the group)."""
    masked = _MASKED.sub(lambda m: " " * len(m.group()), text)
    if "#" in masked:
        raise Unsupported("SPARQL constraint with a comment")
    selects = list(_SELECT_WORD.finditer(masked))
    if len(selects) != 1:
        raise Unsupported("SPARQL constraint without exactly one SELECT")
    brace = masked.find("{", selects[0].end())
    head = masked[selects[0].end() : brace]
    if brace < 0 or "(" in head or not re.fullmatch(r"[\s\w?$*]*", head):
        raise Unsupported("SPARQL constraint whose WHERE group cannot be located")
    return brace + 1


def is_canonical(term: object) -> bool:
    """Is this literal written the way Oxigraph stores it (so the fast engine reports it as written)?"""
    if not isinstance(term, Literal) or term.datatype is None or term.datatype == XSD.string:
        return True
    store = ox.Store()
    lit = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), lit))
    return next(iter(store)).object.value == str(term)


def single(g: Graph, node: object, predicate: URIRef) -> object:
    """The one value of `predicate` on `node` (None if absent); Unsupported if there are several."""
    values = list(g.objects(node, predicate))  # type: ignore[arg-type]
    if len(values) > 1:
        raise Unsupported(f"{node} has {len(values)} values of {predicate}")
    return values[0] if values else None


def where_prefixes(g: Graph, owner: object, seen: set[object] | None = None) -> Iterator[tuple[str, str]]:
    """The (prefix, namespace) pairs `owner` declares, following owl:imports inside the shapes graph only."""
    seen = set() if seen is None else seen
    if owner in seen:
        return
    seen.add(owner)
    for decl in g.objects(owner, SH.declare):  # type: ignore[arg-type]
        prefix, namespace = single(g, decl, SH.prefix), single(g, decl, SH.namespace)
        if not isinstance(prefix, Literal) or not isinstance(namespace, Literal):
            raise Unsupported(f"prefix declaration {decl} without one literal sh:prefix and sh:namespace")
        yield str(prefix), str(namespace)
    for imported in g.objects(owner, OWL.imports):  # type: ignore[arg-type]
        yield from where_prefixes(g, imported, seen)


def check_shapes_graph(g: Graph) -> None:
    """Refuse shapes graphs with what the fast engine never runs: custom constraint components."""
    for mark in _CUSTOM_COMPONENT_MARKS:
        if (None, RDF.type, mark) in g:
            raise Unsupported(f"custom constraint components ({mark})")
    if (None, SH.parameter, None) in g or (None, SH.validator, None) in g:
        raise Unsupported("custom constraint components (sh:parameter)")
