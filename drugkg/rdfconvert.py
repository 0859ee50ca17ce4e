"""Turn rdflib terms into pyoxigraph terms, so loaders stay in rdflib and storage runs on Oxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

__all__ = ["OxTerm", "OxTerms", "decimal_lexical", "to_ox", "to_quads"]

# Any RDF term pyoxigraph gives or takes (its stubs name no such union)
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@lru_cache(maxsize=1 << 16)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: URIRef | Literal | BNode) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
        return _named(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=_named(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_quads(triples: Iterable[tuple[URIRef, URIRef, URIRef | Literal]], graph: str) -> Iterator[ox.Quad]:
    g = _named(graph)
    for s, p, o in triples:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)  # type: ignore[arg-type]


class OxTerms:
    """Make pyoxigraph terms with the calls a loader makes rdflib terms (`URIRef(iri)`, `Literal(...)`).

    A term made here equals `to_ox` of the rdflib term the same call would make: plain and
    language-tagged strings are made directly; every other literal (booleans, integers, typed
    lexical forms, which rdflib may normalise) goes through rdflib once and is cached.
    """

    def __init__(self) -> None:
        self._named: dict[str, ox.NamedNode] = {}
        self._typed: dict[tuple[Any, ...], ox.Literal] = {}

    def named(self, iri: str) -> ox.NamedNode:
        node = self._named.get(iri)
        if node is None:
            node = self._named[iri] = ox.NamedNode(iri)
            if len(self._named) > 1 << 18:  # bound the cache; minted IRIs rarely repeat across files
                self._named = {iri: node}
        return node

    def literal(self, value: Any, lang: str | None = None, datatype: Any = None) -> ox.Literal:
        if type(value) is str and datatype is None:
            return ox.Literal(value, language=lang) if lang else ox.Literal(value)
        key = (type(value), value, lang, None if datatype is None else str(datatype))
        lit = self._typed.get(key)
        if lit is None:
            dt = (
                None
                if datatype is None
                else URIRef(str(datatype.value if isinstance(datatype, ox.NamedNode) else datatype))
            )
            made = to_ox(Literal(value, lang=lang, datatype=dt))
            assert isinstance(made, ox.Literal)
            lit = self._typed[key] = made
        return lit

    def convert(self, term: URIRef) -> ox.NamedNode:
        return self.named(str(term))

    def namespace(self, ns: Any) -> Any:
        """An object whose attributes and items are the namespace's IRIs as NamedNodes (`VOCAB.Drug`)."""
        return _OxNamespace(str(ns), self)


class _OxNamespace:
    def __init__(self, base: str, terms: OxTerms) -> None:
        self._base = base
        self._terms = terms

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = self._terms.named(self._base + name)
        setattr(self, name, node)  # later look-ups skip __getattr__
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        return self._terms.named(self._base + name)


def decimal_lexical(value: Decimal) -> str:
    """Canonical xsd:decimal lexical form: no exponent, no trailing zeros ("5", "0.25")."""
    return format(value.normalize(), "f")
