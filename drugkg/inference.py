"""The ontology's class hierarchy, and the rdf:type triples it entails.

The build does not store these types (docs/decisions: queries use `rdfs:subClassOf*` over the
shipped ontology); the reasoning checks use the hierarchy to name the individuals that break a
disjointness axiom, and `inferred_type_triples` lists what a reasoner would add.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from drugkg.namespaces import RDF_TYPE

__all__ = ["class_hierarchy", "inferred_type_triples"]

_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def _store_of(data: ox.Store | Iterable[ox.Quad | ox.Triple]) -> ox.Store:
    if isinstance(data, ox.Store):
        return data
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
    return store


def class_hierarchy(store: ox.Store) -> dict[str, set[str]]:
    """Each named class -> itself and all its named superclasses (reflexive, transitive rdfs:subClassOf)."""
    direct: dict[str, set[str]] = defaultdict(set)
    for q in store.quads_for_pattern(None, ox.NamedNode(_SUBCLASS), None, None):  # every graph
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            direct[q.subject.value].add(q.object.value)
    closure: dict[str, set[str]] = {}

    def up(cls: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if cls in closure:
            return closure[cls]
        out = {cls}
        for parent in direct.get(cls, ()):
            if parent not in seen:
                out |= up(parent, seen | {cls})
        closure[cls] = out
        return out

    for cls in list(direct):
        up(cls)
    return closure


def inferred_type_triples(
    data: ox.Store | Iterable[ox.Quad | ox.Triple], ontology: ox.Store | Iterable[ox.Quad | ox.Triple] | None = None
) -> Iterator[ox.Triple]:
    """rdf:type triples entailed by asserted types and rdfs:subClassOf that are not asserted already.

    `data` holds the instances; `ontology` the class hierarchy (default: the hierarchy found in `data`).
    Only named classes are added (no owl:Thing, no blank-node class expressions), in a stable order.
    """
    store = _store_of(data)
    hierarchy = class_hierarchy(_store_of(ontology) if ontology is not None else store)
    asserted: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, ox.NamedNode | ox.BlankNode] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(q.object, ox.NamedNode):
            asserted[str(q.subject)].add(q.object.value)
            kinds[str(q.subject)] = q.subject  # type: ignore[assignment]
    rdf_type = ox.NamedNode(RDF_TYPE)
    for key in sorted(asserted):
        types = asserted[key]
        inferred = set().union(*(hierarchy.get(t, {t}) for t in types)) - types
        for cls in sorted(inferred):
            yield ox.Triple(kinds[key], rdf_type, ox.NamedNode(cls))
