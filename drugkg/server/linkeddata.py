"""Describe one resource of the store: its statements, the statements pointing to it, labels."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from drugkg.namespaces import DCTERMS, GRAPH, RDF, RDFS, SCHEMA, SKOS, VOCAB_IRI

__all__ = [
    "MAX_INCOMING",
    "ONTOLOGY_GRAPH",
    "Description",
    "describe",
    "describe_vocabulary",
    "graph_triples",
    "label_of",
    "types_of",
]

MAX_INCOMING = 500  # statements pointing to a resource shown on its page / in its description
MAX_BNODE_DEPTH = 8
_LABELS = [ox.NamedNode(str(p)) for p in (RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title)]
_TYPE = ox.NamedNode(str(RDF.type))
ONTOLOGY_GRAPH = ox.NamedNode(str(GRAPH) + "ontology")


@dataclass
class Description:
    """What the store says about `iri`: its own statements (blank nodes followed) and those pointing to it."""

    iri: str
    outgoing: list[ox.Triple] = field(default_factory=list)
    incoming: list[ox.Triple] = field(default_factory=list)
    incoming_truncated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def triples(self) -> list[ox.Triple]:
        return self.outgoing + self.incoming

    def values(self, subject: Any) -> list[tuple[ox.NamedNode, Any]]:
        """(predicate, object) pairs of `subject` among the outgoing statements, in order."""
        return [(t.predicate, t.object) for t in self.outgoing if t.subject == subject]


def _unique(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The triples of quads from any graph, each once, in a stable order."""
    seen: dict[ox.Triple, None] = {}
    for quad in quads:
        seen.setdefault(quad.triple, None)
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _outgoing(store: ox.Store, start: Any) -> list[ox.Triple]:
    """The statements about `start`, following blank-node objects (a concise bounded description)."""
    result: list[ox.Triple] = []
    frontier = [start]
    visited: set[Any] = set()
    for _ in range(MAX_BNODE_DEPTH):
        next_frontier: list[Any] = []
        for node in frontier:
            if node in visited:
                continue
            visited.add(node)
            for triple in _unique(store.quads_for_pattern(node, None, None, None)):
                result.append(triple)
                if isinstance(triple.object, ox.BlankNode):
                    next_frontier.append(triple.object)
        if not next_frontier:
            break
        frontier = next_frontier
    return result


def describe(store: ox.Store, iri: str) -> Description:
    """The description of `iri` (empty when the store does not mention it)."""
    node = ox.NamedNode(iri)
    incoming_quads = itertools.islice(store.quads_for_pattern(None, None, node, None), MAX_INCOMING + 1)
    incoming = _unique(incoming_quads)
    truncated = len(incoming) > MAX_INCOMING
    return Description(
        iri=iri,
        outgoing=_outgoing(store, node),
        incoming=incoming[:MAX_INCOMING],
        incoming_truncated=truncated,
    )


def describe_vocabulary(store: ox.Store) -> tuple[Description, list[str]]:
    """The vocabulary document: the ontology and every `vocab#` term it defines, and the terms' IRIs."""
    prefix = VOCAB_IRI + "#"
    subjects: dict[str, None] = {VOCAB_IRI: None}
    for quad in store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix):
            subjects.setdefault(subject.value, None)
    terms = sorted(s for s in subjects if s != VOCAB_IRI)
    description = Description(iri=VOCAB_IRI)
    for iri in [VOCAB_IRI, *terms]:
        description.outgoing.extend(_outgoing(store, ox.NamedNode(iri)))
    return description, terms


def label_of(store: ox.Store, term: Any) -> str | None:
    """A human label for a node: rdfs:label, skos:prefLabel, schema:name or dcterms:title (English first)."""
    if not isinstance(term, ox.NamedNode):
        return None
    for predicate in _LABELS:
        candidates = [q.object for q in itertools.islice(store.quads_for_pattern(term, predicate, None, None), 20)]
        literals = [c for c in candidates if isinstance(c, ox.Literal)]
        if literals:
            for literal in literals:
                if literal.language in (None, "en") or (literal.language or "").startswith("en-"):
                    return literal.value
            return literals[0].value
    return None


def types_of(description: Description) -> list[Any]:
    node = ox.NamedNode(description.iri)
    return [t.object for t in description.outgoing if t.subject == node and t.predicate == _TYPE]


def graph_triples(store: ox.Store, graph_iri: str) -> list[ox.Triple]:
    """Every triple of one named graph."""
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))]
