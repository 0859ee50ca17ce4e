"""The dataset description: VoID statistics and DCAT / HCLS metadata, computed from the built store."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from drugkg import __version__
from drugkg.namespaces import BASE, PAV, VOCAB_IRI
from drugkg.rdfconvert import to_ox

__all__ = ["DATASET", "DUMPS", "DUMP_MEDIA_TYPES", "distribution_iri", "distribution_triples", "void_triples"]

DATASET = URIRef(BASE + "dataset")
VERSION = URIRef(f"{BASE}dataset/{__version__}")
PROJECT = URIRef(BASE + "resource/organization/drugkg-project")
DCTYPES = Namespace("http://purl.org/dc/dcmitype/")
DUMP_MEDIA_TYPES = {
    "drugkg.nt": "application/n-triples",
    "drugkg.ttl": "text/turtle",
    "drugkg.trig": "application/trig",
    "drugkg.jsonld": "application/ld+json",
}
DUMPS = BASE + "dumps/"
_SPDX = "http://spdx.org/rdf/terms#"
_LICENSE = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")

_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?s)) }"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
_GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_SOURCES = "SELECT DISTINCT ?d WHERE { ?d a <https://w3id.org/drugkg/vocab#SourceDocument> } ORDER BY ?d"


def _slug(iri: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", iri.lower()).strip("-")[-80:]


def _int(value: ox.Literal) -> Literal:
    return Literal(int(value.value), datatype=XSD.integer)


_DUMP_SIZE = Literal("-1", datatype=XSD.integer)  # a placeholder, replaced (by identity) below


def void_triples(store: ox.Store, issued: dt.date) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Describe everything in `store` (queried as the union of its graphs). The dataset's counts are
    of the data; each dump's void:triples counts the dump, which holds this description too."""
    triples = list(_void_triples(store, issued))
    data = next(int(o) for s, p, o in triples if s == DATASET and p == VOID.triples)
    own = {t for t in triples if not _in_store(store, t)}
    size = Literal(data + len(own), datatype=XSD.integer)
    return [(s, p, size if o is _DUMP_SIZE else o) for s, p, o in triples]


def _in_store(store: ox.Store, triple: tuple[URIRef, URIRef, URIRef | Literal]) -> bool:
    s, p, o = (to_ox(t) for t in triple)
    return next(iter(store.quads_for_pattern(s, p, o, None)), None) is not None  # type: ignore[arg-type]


def _void_triples(store: ox.Store, issued: dt.date) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:

    def q(text: str) -> list[ox.QuerySolution]:
        return list(store.query(text, use_default_graph_as_union=True))  # type: ignore[arg-type]

    d = DATASET
    yield d, RDF.type, VOID.Dataset
    yield d, RDF.type, DCAT.Dataset
    yield d, RDFS.label, Literal("drugkg", lang="en")
    yield d, DCTERMS.title, Literal("drugkg: a structured drug knowledge graph", lang="en")
    yield (
        d,
        DCTERMS.description,
        Literal(
            "Curated drug monographs as linked data: formulations, dosing, targets, indications, adverse "
            "effects, warnings and the populations they concern, each fact linked to the section of its source.",
            lang="en",
        ),
    )
    yield d, DCTERMS.license, _LICENSE
    yield d, RDF.type, DCTYPES.Dataset  # HCLS summary level; the version and distributions below
    yield from _project()
    yield d, DCTERMS.creator, PROJECT
    yield d, DCTERMS.publisher, PROJECT
    yield d, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)
    yield d, PAV.hasCurrentVersion, VERSION
    yield from _version(issued)
    yield d, PAV.version, Literal(__version__)
    yield d, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(__version__)
    yield d, VOID.uriSpace, Literal(BASE + "resource/")
    yield d, VOID.vocabulary, URIRef(VOCAB_IRI)
    yield d, VOID.sparqlEndpoint, URIRef(BASE + "sparql")
    yield d, FOAF.homepage, URIRef(BASE)
    yield d, VOID.exampleResource, URIRef(BASE + "resource/drug/baclofen")
    for row in q(_SOURCES):
        yield d, DCTERMS.source, URIRef(row["d"].value)

    counts = q(_COUNTS)[0]
    yield d, VOID.triples, _int(counts["triples"])
    yield d, VOID.distinctSubjects, _int(counts["subjects"])
    yield d, VOID.properties, _int(counts["properties"])
    yield d, VOID.distinctObjects, _int(counts["objects"])
    yield d, VOID.entities, _int(q(_ENTITIES)[0]["n"])
    classes = q(_CLASSES)
    yield d, VOID.classes, Literal(len(classes), datatype=XSD.integer)
    for row in classes:
        cls = row["c"].value
        part = URIRef(f"{BASE}dataset/class/{_slug(cls)}")
        yield d, VOID.classPartition, part
        yield part, VOID["class"], URIRef(cls)
        yield part, VOID.entities, _int(row["n"])
    for row in q(_PROPERTIES):
        prop = row["p"].value
        part = URIRef(f"{BASE}dataset/property/{_slug(prop)}")
        yield d, VOID.propertyPartition, part
        yield part, VOID.property, URIRef(prop)
        yield part, VOID.triples, _int(row["n"])
    for row in q(_GRAPH_SIZE):
        graph = row["g"].value
        part = URIRef(f"{BASE}dataset/graph/{_slug(graph.removeprefix(BASE + 'graph/'))}")
        yield d, VOID.subset, part
        yield part, RDF.type, VOID.Dataset
        yield part, RDFS.label, Literal(f"named graph {graph}", lang="en")
        yield part, URIRef("http://www.w3.org/ns/sparql-service-description#name"), URIRef(graph)
        yield part, VOID.triples, _int(row["n"])
    for name, media_type in DUMP_MEDIA_TYPES.items():
        for file_name, compressed in ((name, False), (name + ".gz", True)):
            dump = URIRef(DUMPS + file_name)
            dist = distribution_iri(file_name)
            yield d, VOID.dataDump, dump
            yield d, DCAT.distribution, dist
            yield VERSION, DCAT.distribution, dist
            # HCLS distribution level: each dump is a void:Dataset of the same triples
            yield dist, RDF.type, DCAT.Distribution
            yield dist, RDF.type, VOID.Dataset
            yield dist, RDFS.label, Literal(f"drugkg {__version__} as {file_name}", lang="en")
            yield dist, DCTERMS.title, Literal(f"drugkg {__version__} as {file_name}", lang="en")
            yield dist, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)
            yield dist, DCTERMS.creator, PROJECT
            yield dist, DCTERMS.publisher, PROJECT
            yield dist, VOID.triples, _DUMP_SIZE
            yield dist, DCTERMS.format, Literal(media_type)
            yield dist, DCAT.downloadURL, dump
            yield dist, DCAT.mediaType, Literal(media_type)
            if compressed:
                yield dist, DCAT.compressFormat, Literal("application/gzip")
            yield dist, DCTERMS.license, _LICENSE


def _project() -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The creator and publisher, as a resource with its own page."""
    yield PROJECT, RDF.type, FOAF.Organization
    yield PROJECT, RDFS.label, Literal("drugkg project", lang="en")
    yield PROJECT, FOAF.name, Literal("drugkg project")
    yield PROJECT, FOAF.homepage, URIRef(BASE)


def _version(issued: dt.date) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The HCLS version level: this release of the dataset."""
    v = VERSION
    yield v, RDF.type, DCTYPES.Dataset
    yield v, RDFS.label, Literal(f"drugkg {__version__}", lang="en")
    yield v, DCTERMS.title, Literal(f"drugkg: a structured drug knowledge graph, version {__version__}", lang="en")
    yield v, DCTERMS.description, Literal(f"Release {__version__} of the drugkg knowledge graph.", lang="en")
    yield v, DCTERMS.isVersionOf, DATASET
    yield v, PAV.version, Literal(__version__)
    yield v, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)
    yield v, DCTERMS.creator, PROJECT
    yield v, DCTERMS.publisher, PROJECT
    yield v, DCTERMS.license, _LICENSE


def distribution_iri(file_name: str) -> URIRef:
    return URIRef(f"{BASE}dataset/distribution/{_slug(file_name)}")


def distribution_triples(folder: Path, sha256: Mapping[str, str]) -> list[ox.Triple]:
    """Size and sha256 of each dump file (for void.ttl: the dumps cannot hold their own checksums)."""
    out: list[ox.Triple] = []
    for name in DUMP_MEDIA_TYPES:
        for file_name in (name, name + ".gz"):
            if file_name not in sha256:
                continue
            dist = ox.NamedNode(str(distribution_iri(file_name)))
            checksum = ox.NamedNode(f"{dist.value}/sha256")
            size = (folder / file_name).stat().st_size
            out += [
                ox.Triple(
                    dist,
                    ox.NamedNode(str(DCAT.byteSize)),
                    ox.Literal(str(size), datatype=ox.NamedNode(str(XSD.integer))),
                ),
                ox.Triple(dist, ox.NamedNode(_SPDX + "checksum"), checksum),
                ox.Triple(checksum, ox.NamedNode(str(RDF.type)), ox.NamedNode(_SPDX + "Checksum")),
                ox.Triple(
                    checksum, ox.NamedNode(_SPDX + "algorithm"), ox.NamedNode(_SPDX + "checksumAlgorithm_sha256")
                ),
                ox.Triple(
                    checksum,
                    ox.NamedNode(_SPDX + "checksumValue"),
                    ox.Literal(sha256[file_name], datatype=ox.NamedNode(str(XSD.hexBinary))),
                ),
            ]
    return out
