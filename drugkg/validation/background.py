"""What drugkg adds to a user's files before checking them against drugkg's shapes.

- drugkg's ontology (classes, properties, value-set members);
- drugkg's shared terms (routes, dosage forms, drug classes, findings ... as the shipped curated data
  defines them, the build's `graph/terms`), so outside data can point at them without restating them;
- the search keys (`drugkg:searchKey`, the lower-case form of each name) of the resources the search-key
  shape targets: a build-time index, derived here as `drugkg build` derives it, so it is not required
  of outside data (a key the data does state must still match a name). See docs/validation.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from drugkg.errors import DrugkgError
from drugkg.namespaces import VOCAB
from drugkg.resources import data_dir
from drugkg.validation.inputs import ontology_quads

__all__ = ["background_quads", "derived_search_keys", "shared_terms"]

SEARCH_KEY_SHAPE = URIRef("https://w3id.org/drugkg/shapes#SearchKeyShape")


@lru_cache(maxsize=1)
def shared_terms() -> tuple[ox.Quad, ...]:
    """The shared terms of the shipped curated data (empty when drugkg is installed without its data)."""
    from drugkg.build import read_sources
    from drugkg.buildfolder import GRAPH_TERMS

    folder = data_dir()
    if not (folder / "drugs").is_dir():
        return ()
    try:
        sources = read_sources(folder)
    except DrugkgError:
        return ()
    terms = ox.NamedNode(GRAPH_TERMS)
    out = set()
    for item in sources.items:
        for q in ox.parse(item.nquads, format=ox.RdfFormat.N_QUADS):
            if q.graph_name == terms:
                out.add(ox.Quad(q.subject, q.predicate, q.object))
    return tuple(sorted(out, key=str))


def background_quads() -> Iterator[ox.Quad]:
    """drugkg's ontology and shared terms, so users need not restate them."""
    yield from ontology_quads()
    yield from shared_terms()


def derived_search_keys(store: ox.Store, shapes: Graph) -> list[ox.Quad]:
    """`drugkg:searchKey` for every name of every resource the search-key shape targets, as the build makes them."""
    classes = sorted(str(c) for c in shapes.objects(SEARCH_KEY_SHAPE, SH.targetClass))
    if not classes:
        return []
    values = " ".join(f"<{c}>" for c in classes)
    query = (
        f"SELECT DISTINCT ?s ?key WHERE {{ VALUES ?c {{ {values} }} ?s <{RDF.type}>/<{RDFS.subClassOf}>* ?c . "
        f"?s <{RDFS.label}>|<{SKOS.altLabel}>|<{VOCAB.brandName}> ?name . BIND(LCASE(STR(?name)) AS ?key) }}"
    )
    key = ox.NamedNode(str(VOCAB.searchKey))
    return [ox.Quad(row["s"], key, ox.Literal(row["key"].value)) for row in store.query(query)]  # type: ignore[union-attr]
