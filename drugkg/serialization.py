"""Write triples with pyoxigraph's serializers, declaring only the prefixes the triples use."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from drugkg.namespaces import TURTLE_PREFIXES

__all__ = ["RDF_FORMATS", "serialize_triples", "used_prefixes"]

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
# `res:` would turn every resource IRI into an escaped local name (res:drug\/baclofen): left out.
_PREFIXES = {k: v for k, v in TURTLE_PREFIXES.items() if k != "res"}


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The project prefixes whose namespace starts some IRI of the triples."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris.update(t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal))
    return {
        prefix: namespace
        for prefix, namespace in _PREFIXES.items()
        if any(iri.startswith(namespace) and len(iri) > len(namespace) for iri in iris)
    }


def serialize_triples(triples: Iterable[ox.Triple], format_key: str) -> bytes:
    """Triples in a format by key (turtle, ntriples, jsonld, rdfxml)."""
    kept = list(triples)
    prefixes = used_prefixes(kept) if format_key in ("turtle", "rdfxml") else None
    return ox.serialize(kept, format=RDF_FORMATS[format_key], prefixes=prefixes) or b""
