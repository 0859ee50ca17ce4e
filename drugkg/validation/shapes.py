"""Read drugkg's SHACL shapes and compile them into the plain model the fast engine runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FsPath

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from drugkg.errors import DrugkgError
from drugkg.resources import shapes_dir
from drugkg.validation.report import Path

__all__ = [
    "CORE_COMPONENTS",
    "NodeShape",
    "PropertyShape",
    "SparqlConstraint",
    "Unsupported",
    "compile_shapes",
    "load_shapes_graph",
]

# constraint parameter -> its constraint component (the subset of SHACL Core the fast engine runs)
CORE_COMPONENTS: dict[URIRef, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
}
_ANNOTATIONS = {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.name, SH.description, SH.order,
                SH.group}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}


class Unsupported(Exception):
    """The shapes use a SHACL feature the fast engine does not run; use the pySHACL engine instead."""


@dataclass(frozen=True)
class SparqlConstraint:
    node: URIRef | BNode
    query: str  # with PREFIX declarations applied
    messages: tuple[str, ...]


@dataclass
class PropertyShape:
    node: URIRef | BNode
    path: Path
    severity: URIRef
    messages: tuple[str, ...]
    constraints: list[tuple[URIRef, object]] = field(default_factory=list)  # (component, parameter)


@dataclass
class NodeShape:
    node: URIRef | BNode
    targets: list[tuple[URIRef, URIRef]]  # (target predicate, value)
    severity: URIRef
    messages: tuple[str, ...]
    constraints: list[tuple[URIRef, object]] = field(default_factory=list)
    properties: list[PropertyShape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)


@lru_cache(maxsize=4)
def _load(folder: str) -> Graph:
    g = Graph()
    files = sorted(FsPath(folder).glob("*.ttl"))
    if not files:
        raise DrugkgError("no shapes found", file=folder, expected="shapes/*.ttl")
    for path in files:
        g.parse(path, format="turtle")
    return g


def load_shapes_graph(folder: FsPath | None = None) -> Graph:
    """Every shape file of `folder` (default: the shipped shapes) in one rdflib graph; do not modify it."""
    return _load(str(folder or shapes_dir()))


def _path(g: Graph, node: object) -> Path:
    if isinstance(node, URIRef):
        return Path.of(str(node))
    inverse = g.value(node, SH.inversePath)  # type: ignore[arg-type]
    if inverse is not None:
        return Path("inverse", steps=(_path(g, inverse),))
    if g.value(node, RDF.first) is not None:  # type: ignore[arg-type]
        return Path("sequence", steps=tuple(_path(g, item) for item in Collection(g, node)))  # type: ignore[arg-type]
    raise Unsupported(f"property path {node!r} (only predicates, inverse paths and sequences are supported)")


def _messages(g: Graph, node: object) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in g.objects(node, SH.message)))  # type: ignore[arg-type]


def _constraints(g: Graph, node: object, allowed: set[URIRef]) -> list[tuple[URIRef, object]]:
    out: list[tuple[URIRef, object]] = []
    for p, o in sorted(g.predicate_objects(node)):  # type: ignore[arg-type]
        if p in CORE_COMPONENTS:
            value: object = o
            if p == SH["in"]:
                value = tuple(Collection(g, o))  # type: ignore[arg-type]
            out.append((CORE_COMPONENTS[p], value))
        elif p not in allowed and p not in _ANNOTATIONS and str(p).startswith(str(SH)):
            raise Unsupported(f"{p} on {node}")
    return out


def _prefixes(g: Graph, constraint: object) -> str:
    lines = []
    for decl_owner in g.objects(constraint, SH.prefixes):  # type: ignore[arg-type]
        for decl in g.objects(decl_owner, SH.declare):
            lines.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


_SELECT = re.compile(r"(?<![:\w])SELECT\b", re.IGNORECASE)


def compile_shapes(g: Graph) -> list[NodeShape]:
    """The node shapes of `g` with their property shapes and SPARQL constraints, in a stable order."""
    shapes: list[NodeShape] = []
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | {s for p in _TARGETS for s in g.subjects(p, None)}
    for node in sorted(node_shapes, key=str):
        if (node, SH.deactivated, Literal(True)) in g:
            continue
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
            raise Unsupported(f"implicit class target on {node}")
        targets = sorted((p, o) for p in _TARGETS for o in g.objects(node, p))
        shape = NodeShape(
            node=node, targets=targets,  # type: ignore[arg-type]
            severity=g.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
            messages=_messages(g, node),
            constraints=_constraints(g, node, {SH.property, SH.sparql, *_TARGETS, SH.deactivated}),
        )
        for prop in sorted(g.objects(node, SH.property), key=str):
            if (prop, SH.deactivated, Literal(True)) in g:
                continue
            path_node = g.value(prop, SH.path)
            if path_node is None:
                raise Unsupported(f"property shape {prop} without sh:path")
            shape.properties.append(PropertyShape(
                node=prop, path=_path(g, path_node),  # type: ignore[arg-type]
                severity=g.value(prop, SH.severity) or SH.Violation,  # type: ignore[arg-type]
                messages=_messages(g, prop),
                constraints=_constraints(g, prop, {SH.path, SH.deactivated}),
            ))
            if not shape.properties[-1].constraints:
                shape.properties.pop()
        for constraint in sorted(g.objects(node, SH.sparql), key=str):
            if (constraint, SH.deactivated, Literal(True)) in g:
                continue
            select = g.value(constraint, SH.select)
            if select is None:
                raise Unsupported(f"SPARQL constraint {constraint} without sh:select")
            text = str(select)
            if "$PATH" in text or len(_SELECT.findall(text)) != 1 or not re.search(r"[?$]this\b", text):
                raise Unsupported(f"SPARQL constraint {constraint}: needs one SELECT binding $this, no $PATH")
            if re.search(r"\b(VALUES|MINUS|SERVICE)\b", text, re.IGNORECASE):
                # SHACL 1.0 (5.3.1) forbids these in a SPARQL constraint: pySHACL gives its verdict
                raise Unsupported(f"SPARQL constraint {constraint}: VALUES, MINUS or SERVICE")
            shape.sparql.append(SparqlConstraint(constraint, _prefixes(g, constraint) + "\n" + text,  # type: ignore[arg-type]
                                                 _messages(g, constraint)))
        shapes.append(shape)
    return shapes
