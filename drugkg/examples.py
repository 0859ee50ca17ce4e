"""The query catalogue as SPARQL examples in the sib-swiss/sparql-examples style, published in the graph.

Each catalogue query becomes `<https://w3id.org/drugkg/examples/NAME>`:

    ex:NAME a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;   # or ...Ask/Construct/Describe
        rdfs:label "title"@en ;
        rdfs:comment "the question"@en ;
        sh:select "PREFIX ... SELECT ..." ;                     # or sh:ask / sh:construct / sh:describe
        sh:prefixes ex:prefixes ;
        schema:keywords "k1", "k2" ;
        schema:target <https://w3id.org/drugkg/sparql> .

    ex:prefixes a owl:Ontology ;
        sh:declare [ sh:prefix "drugkg" ; sh:namespace "https://w3id.org/drugkg/vocab#"^^xsd:anyURI ] , ...

As in sib-swiss/sparql-examples, `schema:` here is `https://schema.org/`, one shared prefixes node
declares every prefix the examples use (one `sh:declare` per prefix), and the query text is complete
(with its PREFIX lines) and runnable as published: a parameter with a default value is bound by a
VALUES block of typed terms opening the WHERE group (the catalogue header, not the graph,
describes the parameters: SIB's vocabulary has no term for them). All nodes are IRIs (no blank
nodes), so the examples graph is the same in every build.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from drugkg.catalogue import CatalogueQuery, load_catalogue
from drugkg.errors import DrugkgError
from drugkg.namespaces import BASE, SH
from drugkg.sparql import with_values
from drugkg.sparql.terms import resolve_term

__all__ = [
    "EXAMPLES_BASE",
    "EXAMPLES_PREFIXES",
    "EXAMPLES_TARGET",
    "SIB_SCHEMA",
    "declared_prefixes",
    "example_text",
    "examples_triples",
]

EXAMPLES_BASE = BASE + "examples/"
EXAMPLES_PREFIXES = URIRef(EXAMPLES_BASE + "prefixes")
EXAMPLES_TARGET = URIRef(BASE + "sparql")
SIB_SCHEMA = "https://schema.org/"  # sib-swiss/sparql-examples use the https form for keywords/target

_FORM_CLASS = {
    "SELECT": "SPARQLSelectExecutable",
    "ASK": "SPARQLAskExecutable",
    "CONSTRUCT": "SPARQLConstructExecutable",
    "DESCRIBE": "SPARQLDescribeExecutable",
}
_FORM_PROP = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def declared_prefixes(text: str) -> list[tuple[str, str]]:
    """(prefix, namespace) of every PREFIX declaration of a query, in order (read by drugkg's policy)."""
    from drugkg.sparql import analyse

    return list(analyse(text).prefixes.items())


def example_text(query: CatalogueQuery) -> str:
    """The query as published: without the header comments, with defaults bound by a VALUES block."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#")).strip()
    defaults = {p.name: resolve_term(p, p.default) for p in query.parameters if p.default is not None}
    return with_values(body, defaults) + "\n"


def examples_triples(queries: list[CatalogueQuery] | None = None) -> Iterator[Triple]:
    queries = load_catalogue() if queries is None else queries
    keywords_p, target_p = URIRef(SIB_SCHEMA + "keywords"), URIRef(SIB_SCHEMA + "target")
    namespaces: dict[str, tuple[str, str]] = {}
    for q in queries:
        node = URIRef(EXAMPLES_BASE + q.name)
        yield node, RDF.type, SH.SPARQLExecutable
        yield node, RDF.type, SH[_FORM_CLASS[q.form]]
        yield node, RDFS.label, Literal(q.title, lang="en")
        yield node, RDFS.comment, Literal(q.question, lang="en")
        yield node, SH[_FORM_PROP[q.form]], Literal(example_text(q))
        yield node, SH.prefixes, EXAMPLES_PREFIXES
        for keyword in q.keywords:
            yield node, keywords_p, Literal(keyword)
        yield node, target_p, EXAMPLES_TARGET
        for prefix, namespace in declared_prefixes(q.text):
            seen = namespaces.setdefault(prefix, (namespace, q.name))
            if seen[0] != namespace:
                raise DrugkgError(
                    f"prefix {prefix}: means <{namespace}> here but <{seen[0]}> in {seen[1]}.rq",
                    file=str(q.path),
                    expected="one namespace per prefix across the whole catalogue",
                )
    if not queries:
        return
    yield EXAMPLES_PREFIXES, RDF.type, OWL.Ontology
    yield EXAMPLES_PREFIXES, RDFS.comment, Literal("Prefixes declared by the drugkg SPARQL examples.", lang="en")
    yield EXAMPLES_PREFIXES, OWL.imports, URIRef(str(SH))
    for prefix, (namespace, _) in sorted(namespaces.items()):
        decl = URIRef(f"{EXAMPLES_BASE}prefixes#{prefix or 'default'}")
        yield EXAMPLES_PREFIXES, SH.declare, decl
        yield decl, SH.prefix, Literal(prefix)
        yield decl, SH.namespace, Literal(namespace, datatype=XSD.anyURI)
