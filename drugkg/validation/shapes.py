"""Read drugkg's SHACL shapes and compile them into the plain model the fast engine runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FsPath

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from drugkg.errors import DrugkgError
from drugkg.resources import shapes_dir
from drugkg.validation.paths import IllFormedPath, path_from_rdf, path_list
from drugkg.validation.report import Path
from drugkg.validation.subset import (
    Unsupported,
    check_select,
    check_shapes_graph,
    insertion_point,
    is_canonical,
    single,
    where_prefixes,
)

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
_ANNOTATIONS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
_SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
_COUNTS = {SH.minCount, SH.maxCount, SH.minLength}
_RANGES = {SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
_NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}


@dataclass(frozen=True)
class SparqlConstraint:
    node: URIRef | BNode
    query: str  # with PREFIX declarations applied
    messages: tuple[str, ...]
    where: int = 0  # where the outer WHERE group opens in `query` (after its "{")


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
    try:
        path = path_from_rdf(g, node)
    except IllFormedPath as err:
        raise Unsupported(f"ill-formed path: {err}") from None
    if not _plain_path(path):
        raise Unsupported(f"property path {path} (the fast engine runs predicates, inverse paths and sequences)")
    return path


def _plain_path(path: Path) -> bool:
    if path.kind == "predicate":
        return True
    if path.kind == "inverse":
        return path.steps[0].kind == "predicate"
    return path.kind == "sequence" and all(_plain_path(step) for step in path.steps)


def _messages(g: Graph, node: object) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in g.objects(node, SH.message)))  # type: ignore[arg-type]


def _parameter(g: Graph, p: URIRef, o: object) -> object:
    """A core constraint's parameter, checked to be well-formed and within the fast engine's subset."""
    if p in _COUNTS:
        if not (isinstance(o, Literal) and o.datatype == XSD.integer and isinstance(o.value, int) and o.value >= 0):
            raise Unsupported(f"{p} {o!r} is not a non-negative xsd:integer")
    elif p in (SH.datatype, SH["class"]):
        if not isinstance(o, URIRef):
            raise Unsupported(f"{p} {o!r} is not an IRI")
    elif p == SH.nodeKind:
        if o not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {o!r}")
    elif p == SH["in"]:
        try:
            members = tuple(x for x in path_list(g, o))
        except IllFormedPath as err:
            raise Unsupported(f"sh:in: {err}") from None
        if not all(isinstance(m, (URIRef, Literal)) and is_canonical(m) for m in members):
            raise Unsupported("sh:in with a blank node or a literal in a non-canonical form")
        return members
    elif p in _RANGES and (not isinstance(o, Literal) or not is_canonical(o)):
        raise Unsupported(f"{p} {o!r} is not a literal in canonical form")
    return o


def _constraints(g: Graph, node: object, allowed: set[URIRef]) -> list[tuple[URIRef, object]]:
    out: list[tuple[URIRef, object]] = []
    for p in sorted({URIRef(str(p)) for p in g.predicates(node)}):  # type: ignore[arg-type]
        if p in CORE_COMPONENTS:
            out.append((CORE_COMPONENTS[p], _parameter(g, p, single(g, node, p))))
        elif p not in allowed and p not in _ANNOTATIONS and str(p).startswith(str(SH)):
            raise Unsupported(f"{p} on {node}")
    return out


def _common(g: Graph, node: object) -> tuple[URIRef, tuple[str, ...]]:
    """A shape's severity and messages; Unsupported when the shape is ill-formed in a way pySHACL judges."""
    severity = single(g, node, SH.severity) or SH.Violation
    if severity not in _SEVERITIES:
        raise Unsupported(f"severity {severity!r} on {node}")
    return severity, _messages(g, node)  # type: ignore[return-value]


def _deactivated(g: Graph, node: object) -> bool:
    value = single(g, node, SH.deactivated)
    if value is None:
        return False
    if not (isinstance(value, Literal) and value.datatype == XSD.boolean and value.value in (True, False)):
        raise Unsupported(f"sh:deactivated {value!r} on {node}")
    return bool(value.value)


def _sparql(g: Graph, node: object, constraint: object) -> SparqlConstraint:
    select = single(g, constraint, SH.select)
    if not isinstance(select, Literal):
        raise Unsupported(f"SPARQL constraint {constraint} without one sh:select")
    if set(g.predicates(constraint)) - {  # type: ignore[arg-type]
        SH.select,
        SH.prefixes,
        SH.message,
        SH.deactivated,
        RDF.type,
        RDFS.label,
        RDFS.comment,
    }:
        raise Unsupported(f"SPARQL constraint {constraint} with other properties")
    messages = _messages(g, constraint) + _messages(g, node)
    if any("{" in m for m in messages):
        raise Unsupported(f"message template in {constraint}")
    text = str(select)
    check_select(text)
    declared: dict[str, str] = {}
    for owner in g.objects(constraint, SH.prefixes):  # type: ignore[arg-type]
        for prefix, namespace in where_prefixes(g, owner):
            if declared.setdefault(prefix, namespace) != namespace:
                raise Unsupported(f"prefix {prefix}: declared twice for {constraint}")
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))
    query = head + text
    try:
        ox.Store().query(query)  # parses it (pySHACL also reads prefixes the shapes file binds: let it judge)
    except SyntaxError as err:
        raise Unsupported(f"SPARQL constraint {constraint} that Oxigraph cannot parse: {err}") from None
    return SparqlConstraint(constraint, query, _messages(g, constraint), where=insertion_point(query))  # type: ignore[arg-type]


def _property(g: Graph, prop: object) -> PropertyShape | None:
    if _deactivated(g, prop):
        return None
    path_node = single(g, prop, SH.path)
    if path_node is None:
        raise Unsupported(f"property shape {prop} without sh:path")
    if isinstance(prop, Literal):
        raise Unsupported(f"property shape {prop!r} is a literal")
    severity, messages = _common(g, prop)
    return PropertyShape(
        node=prop,  # type: ignore[arg-type]
        path=_path(g, path_node),
        severity=severity,
        messages=messages,
        constraints=_constraints(g, prop, {SH.path, SH.deactivated}),
    )


def _node_shape(g: Graph, node: object) -> NodeShape | None:
    if _deactivated(g, node):
        return None
    types = set(g.objects(node, RDF.type))  # type: ignore[arg-type]
    if types - {SH.NodeShape, RDFS.Class} or (RDFS.Class in types and not isinstance(node, URIRef)):
        raise Unsupported(f"{node} has another type than sh:NodeShape and rdfs:Class")
    targets = sorted((p, o) for p in _TARGETS for o in g.objects(node, p))  # type: ignore[arg-type]
    if RDFS.Class in types:  # an implicit class target (SHACL 2.1.3.3)
        targets = sorted({*targets, (SH.targetClass, URIRef(str(node)))})
    for p, o in targets:
        if not isinstance(o, URIRef) and not (p == SH.targetNode and isinstance(o, Literal) and is_canonical(o)):
            raise Unsupported(f"{p} {o!r} on {node}")
    severity, messages = _common(g, node)
    if g.value(node, SH.minCount) is not None or g.value(node, SH.maxCount) is not None:  # type: ignore[call-overload]
        raise Unsupported(f"sh:minCount or sh:maxCount on node shape {node} (SHACL allows them on property shapes)")
    shape = NodeShape(
        node=node,  # type: ignore[arg-type]
        targets=targets,  # type: ignore[arg-type]
        severity=severity,
        messages=messages,
        constraints=_constraints(g, node, {SH.property, SH.sparql, *_TARGETS, SH.deactivated}),
    )
    for prop in sorted(g.objects(node, SH.property), key=str):  # type: ignore[arg-type]
        compiled = _property(g, prop)
        if compiled is not None and compiled.constraints:
            shape.properties.append(compiled)
    for constraint in sorted(g.objects(node, SH.sparql), key=str):  # type: ignore[arg-type]
        if not _deactivated(g, constraint):
            shape.sparql.append(_sparql(g, node, constraint))
    return shape


def compile_shapes(g: Graph) -> list[NodeShape]:
    """The node shapes of `g` that have focus nodes, with their property shapes and SPARQL constraints,
    in a stable order; `Unsupported` when any shape is outside the fast engine's subset."""
    check_shapes_graph(g)
    shapes: list[NodeShape] = []
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | {s for p in _TARGETS for s in g.subjects(p, None)}
    classes = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
    for cls in classes:
        for s in g.subjects(RDF.type, cls):
            if s not in node_shapes and any(str(p).startswith(str(SH)) for p in g.predicates(s)):
                raise Unsupported(f"{s} is a class and a shape but not a sh:NodeShape (implicit class target)")
    for node in sorted(node_shapes, key=str):
        shape = _node_shape(g, node)
        if shape is not None and shape.targets:  # a shape without targets has no focus nodes of its own
            shapes.append(shape)
    return shapes
