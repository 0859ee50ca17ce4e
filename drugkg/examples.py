"""The query catalogue as SIB-style SPARQL examples (`sh:SPARQLExecutable`), published in the graph."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from drugkg.catalogue import CatalogueQuery, load_catalogue
from drugkg.namespaces import BASE, SCHEMA, SH

__all__ = ["examples_triples", "EXAMPLES_BASE"]

EXAMPLES_BASE = BASE + "examples/"
_FORM_CLASS = {"SELECT": "SPARQLSelectExecutable", "ASK": "SPARQLAskExecutable",
               "CONSTRUCT": "SPARQLConstructExecutable", "DESCRIBE": "SPARQLDescribeExecutable"}
_FORM_PROP = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def examples_triples(queries: list[CatalogueQuery] | None = None) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    queries = load_catalogue() if queries is None else queries
    for q in queries:
        node = URIRef(EXAMPLES_BASE + q.name)
        yield node, RDF.type, SH.SPARQLExecutable
        yield node, RDF.type, SH[_FORM_CLASS[q.form]]
        yield node, RDFS.label, Literal(q.title, lang="en")
        yield node, RDFS.comment, Literal(q.question, lang="en")
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("#")).strip()
        yield node, SH[_FORM_PROP[q.form]], Literal(body)
        for keyword in q.keywords:
            yield node, SCHEMA.keywords, Literal(keyword)
        yield node, SCHEMA.target, URIRef(BASE + "sparql")
        for prefix, namespace in _PREFIX.findall(body):
            decl = URIRef(f"{EXAMPLES_BASE}prefix/{prefix or 'default'}")
            yield node, SH.prefixes, decl
            yield decl, SH.prefix, Literal(prefix)
            yield decl, SH.namespace, Literal(namespace, datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))
