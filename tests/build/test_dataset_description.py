"""The dataset description as the HCLS Community Profile expects: summary, version and distribution
levels, creator and publisher as resources."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID

from drugkg import __version__

BASE = "https://w3id.org/drugkg/"
DCTYPES = rdflib.Namespace("http://purl.org/dc/dcmitype/")
PAV = rdflib.Namespace("http://purl.org/pav/")


def _void(built: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(built / "void.ttl", format="turtle")


def test_summary_version_and_distribution_levels(built: Path) -> None:
    g = _void(built)
    summary, version = rdflib.URIRef(BASE + "dataset"), rdflib.URIRef(f"{BASE}dataset/{__version__}")
    assert (summary, RDF.type, DCTYPES.Dataset) in g
    assert g.value(summary, PAV.hasCurrentVersion) == version
    assert (version, RDF.type, DCTYPES.Dataset) in g
    assert g.value(version, DCTERMS.isVersionOf) == summary
    assert str(g.value(version, PAV.version)) == __version__
    distributions = set(g.objects(version, DCAT.distribution))
    assert len(distributions) == 8  # four dumps, each also gzipped
    triples = len((built / "drugkg.nt").read_bytes().splitlines())
    for dist in distributions:
        assert {DCAT.Distribution, VOID.Dataset} <= set(g.objects(dist, RDF.type))
        assert int(g.value(dist, VOID.triples)) == triples
        assert g.value(dist, DCTERMS.format) is not None and g.value(dist, DCAT.downloadURL) is not None


def test_creator_and_publisher_are_resources_with_a_page(built: Path) -> None:
    g = _void(built)
    project = rdflib.URIRef(BASE + "resource/organization/drugkg-project")
    summary = rdflib.URIRef(BASE + "dataset")
    assert g.value(summary, DCTERMS.creator) == project == g.value(summary, DCTERMS.publisher)
    assert (project, RDF.type, FOAF.Organization) in g
    assert str(g.value(project, RDFS.label)) == "drugkg project"
