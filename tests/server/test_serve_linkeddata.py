"""Linked data from `drugkg serve` over the real build: resource pages, vocabulary, VoID, examples, dumps."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
import pytest
import rdflib
import support.serving as fx
from support.serving import RES, VOCAB

# The shared fixtures of serve_fixtures.py, used by name below.
real_build = fx.real_build
real_server = fx.real_server

BACLOFEN = RES + "drug/baclofen"
SD_EXAMPLES = "https://w3id.org/drugkg/graph/examples"


def test_resource_html(real_server: str) -> None:
    r = httpx.get(f"{real_server}/resource/drug/baclofen", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<h1>baclofen</h1>" in html
    assert 'href="/vocab#Drug"' in html  # its type, linked to the local vocabulary page
    assert "Gablofen" in html and "Lyvispah" in html  # literal values
    assert 'href="/resource/target/gaba-b-receptor"' in html  # links rewritten to this server
    assert 'href="/resource/drug-class/muscle-relaxant"' in html
    assert 'href="http://purl.obolibrary.org/obo/CHEBI_2972"' in html  # outside links kept
    assert "Pointing here" in html
    assert 'href="/resource/adverse-effect/baclofen-common-nausea"' in html  # a statement pointing to it
    assert "https://w3id.org/drugkg/resource/drug/baclofen" in html


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_resource_rdf(real_server: str, accept: str, content_type: str, fmt: str) -> None:
    r = httpx.get(f"{real_server}/resource/drug/baclofen", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == content_type
    assert "Accept" in r.headers["vary"]
    graph = rdflib.Graph().parse(data=r.text, format=fmt)
    drug = rdflib.URIRef(BACLOFEN)
    assert graph.value(drug, rdflib.RDFS.label) == rdflib.Literal("baclofen", lang="en")
    assert (drug, rdflib.RDF.type, rdflib.URIRef(VOCAB + "Drug")) in graph
    brands = {str(o) for o in graph.objects(drug, rdflib.URIRef(VOCAB + "brandName"))}
    assert {"Gablofen", "Lyvispah"} <= brands
    nausea = rdflib.URIRef(RES + "adverse-effect/baclofen-common-nausea")
    assert (
        nausea,
        rdflib.URIRef(VOCAB + "forDrug"),
        drug,
    ) in graph  # statements pointing to it


def test_resource_format_parameter_and_default(real_server: str) -> None:
    ttl = httpx.get(f"{real_server}/resource/drug/baclofen", params={"format": "turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    anything = httpx.get(f"{real_server}/resource/drug/baclofen", headers={"Accept": "*/*"})
    assert anything.headers["content-type"].startswith("text/html")


def test_unknown_resource_is_404(real_server: str) -> None:
    for path in ("/resource/drug/no-such-drug", "/resource/", "/graph/nothing"):
        r = httpx.get(f"{real_server}{path}", headers={"Accept": "text/turtle"})
        assert r.status_code == 404, path
    page = httpx.get(f"{real_server}/resource/drug/no-such-drug", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "not in this graph" in page.text
    assert httpx.get(f"{real_server}/no/such/route").status_code == 404


def test_vocabulary_document(real_server: str) -> None:
    html = httpx.get(f"{real_server}/vocab", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert 'id="Drug"' in html.text  # /vocab#Drug lands on the term
    assert "An active ingredient used as a medicine" in html.text
    ttl = httpx.get(f"{real_server}/vocab", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=ttl.text, format="turtle")
    drug = rdflib.URIRef(VOCAB + "Drug")
    assert (
        drug,
        rdflib.RDFS.subClassOf,
        rdflib.URIRef("http://schema.org/Drug"),
    ) in graph
    assert (
        rdflib.URIRef("https://w3id.org/drugkg/vocab"),
        rdflib.RDF.type,
        rdflib.OWL.Ontology,
    ) in graph


def test_void(real_server: str, real_build) -> None:
    r = httpx.get(f"{real_server}/.well-known/void")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert r.content == (real_build / "void.ttl").read_bytes()
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    assert set(graph.subjects(rdflib.RDF.type, rdflib.VOID.Dataset))
    nt = httpx.get(f"{real_server}/.well-known/void", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=nt.text, format="nt")) == len(graph)


def test_sparql_examples_serves_the_examples_graph(real_server: str) -> None:
    r = httpx.get(f"{real_server}/.well-known/sparql-examples", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    served = rdflib.Graph().parse(data=r.text, format="turtle")
    count = httpx.get(
        f"{real_server}/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SD_EXAMPLES}> {{ ?s ?p ?o }} }}"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert len(served) == int(count)


def test_dumps(real_server: str, real_build) -> None:
    listing = httpx.get(f"{real_server}/dumps/")
    assert listing.status_code == 200
    manifest = json.loads((real_build / "manifest.json").read_text())
    linked = set(re.findall(r'href="/dumps/([^"]+)"', listing.text))
    assert linked == set(manifest["files"]) | {"manifest.json"}
    nt = httpx.get(f"{real_server}/dumps/drugkg.nt")
    assert nt.status_code == 200
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert hashlib.sha256(nt.content).hexdigest() == manifest["files"]["drugkg.nt"]
    ttl = httpx.get(f"{real_server}/dumps/drugkg.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=ttl.text, format="turtle")) == manifest["triples"]
    for bad in ("store", "..%2Fmanifest.json", "%2E%2E/etc/passwd", "nothing.nt"):
        assert httpx.get(f"{real_server}/dumps/{bad}").status_code == 404, bad
