"""SHACL property paths between RDF (as shapes and reports write them) and drugkg's `Path`."""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from drugkg.validation.report import UNARY_PATHS, Path

__all__ = ["IllFormedPath", "path_from_rdf", "path_list", "path_to_rdf"]

_UNARY_PREDICATES = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}
_PREDICATE_OF = {kind: predicate for predicate, kind in _UNARY_PREDICATES.items()}
_MAX_DEPTH = 64


class IllFormedPath(ValueError):
    """A node that is not a well-formed SHACL property path (SHACL 1.0, 2.3.1)."""


def path_list(g: Graph, node: object) -> list[object]:
    """The members of a well-formed RDF list (IllFormedPath otherwise)."""
    return _list(g, node)  # type: ignore[arg-type]


def _list(g: Graph, node: BNode | URIRef) -> list[object]:
    items: list[object] = []
    seen = set()
    while node != RDF.nil:
        if node in seen or g.value(node, RDF.first) is None:
            raise IllFormedPath(f"{node} is not a well-formed RDF list")
        seen.add(node)
        items.append(g.value(node, RDF.first))
        node = g.value(node, RDF.rest)  # type: ignore[assignment]
        if node is None:
            raise IllFormedPath("an RDF list without rdf:rest")
    return items


def path_from_rdf(g: Graph, node: object, depth: int = 0) -> Path:
    """The path that `node` states in `g` (an IRI, a list for a sequence, or a blank node with one of
    sh:alternativePath, sh:inversePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath)."""
    if depth > _MAX_DEPTH:
        raise IllFormedPath("a property path nested too deeply")
    if isinstance(node, URIRef):
        return Path.of(str(node))
    if not isinstance(node, BNode):
        raise IllFormedPath(f"{node!r} is not an IRI or a blank node")
    if g.value(node, RDF.first) is not None:
        steps = _list(g, node)
        if len(steps) < 2:
            raise IllFormedPath("a sequence path needs at least two members")
        return Path("sequence", steps=tuple(path_from_rdf(g, s, depth + 1) for s in steps))
    found = [(p, o) for p, o in g.predicate_objects(node) if p in _UNARY_PREDICATES or p == SH.alternativePath]
    if len(found) != 1:
        raise IllFormedPath(f"blank node {node} does not state exactly one kind of path")
    predicate, value = found[0]
    if predicate == SH.alternativePath:
        steps = _list(g, value)  # type: ignore[arg-type]
        if len(steps) < 2:
            raise IllFormedPath("an alternative path needs at least two members")
        return Path("alternative", steps=tuple(path_from_rdf(g, s, depth + 1) for s in steps))
    return Path(_UNARY_PREDICATES[predicate], steps=(path_from_rdf(g, value, depth + 1),))  # type: ignore[index]


def path_to_rdf(g: Graph, path: Path) -> URIRef | BNode:
    """Add `path` to `g` as SHACL writes it; returns its node."""
    if path.kind == "predicate":
        return URIRef(path.predicate)
    if path.kind in UNARY_PATHS:
        node = BNode()
        g.add((node, _PREDICATE_OF[path.kind], path_to_rdf(g, path.steps[0])))
        return node
    head = BNode()
    Collection(g, head, [path_to_rdf(g, step) for step in path.steps])
    if path.kind == "sequence":
        return head
    node = BNode()
    g.add((node, SH.alternativePath, head))
    return node
