"""The dumps load anywhere with no network: exactly the N-Triples' triples in pyoxigraph and rdflib,
no Turtle local-name escapes, JSON-LD with its context embedded, gzipped copies with checksums."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from drugkg.dumps import compact_jsonld, dump_prefixes, prefix_for_namespace

DUMPS = ("drugkg.nt", "drugkg.ttl", "drugkg.trig", "drugkg.jsonld")
_OX_FORMATS = {
    "drugkg.nt": ox.RdfFormat.N_TRIPLES,
    "drugkg.ttl": ox.RdfFormat.TURTLE,
    "drugkg.trig": ox.RdfFormat.TRIG,
    "drugkg.jsonld": ox.RdfFormat.JSON_LD,
}
_RDFLIB_FORMATS = {"drugkg.nt": "nt", "drugkg.ttl": "turtle", "drugkg.trig": "trig", "drugkg.jsonld": "json-ld"}
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')


def _ntriples(built: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(built / "drugkg.nt", format="nt")
    return g


def _ox_union(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(data, format=fmt)}


@pytest.mark.parametrize("name", DUMPS)
@pytest.mark.parametrize("compressed", [False, True])
def test_dump_loads_into_pyoxigraph_with_the_ntriples_triples(built: Path, name: str, compressed: bool) -> None:
    data = (built / name).read_bytes()
    if compressed:
        data = gzip.decompress((built / (name + ".gz")).read_bytes())
        assert data == (built / name).read_bytes()
    expected = _ox_union((built / "drugkg.nt").read_bytes(), ox.RdfFormat.N_TRIPLES)
    got = _ox_union(data, _OX_FORMATS[name])
    assert len(got) == len(expected) > 3000

    # blank nodes (OWL axioms of the ontology) get new labels in each parse: compare the rest exactly
    def named(ts: set[ox.Triple]) -> set[ox.Triple]:
        return {t for t in ts if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}

    assert named(got) == named(expected)


@pytest.mark.parametrize("name", DUMPS)
def test_dump_loads_into_rdflib_isomorphic_to_the_ntriples(built: Path, name: str) -> None:
    if name == "drugkg.trig":
        ds = rdflib.Dataset()
        ds.parse(built / name, format="trig")
        g = rdflib.Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
    else:
        g = rdflib.Graph()
        g.parse(built / name, format=_RDFLIB_FORMATS[name])
    expected = _ntriples(built)
    assert len(g) == len(expected)
    assert to_isomorphic(g) == to_isomorphic(expected)


@pytest.mark.parametrize("name", ("drugkg.ttl", "drugkg.trig", "void.ttl"))
def test_turtle_has_no_local_name_escapes(built: Path, name: str) -> None:
    text = (built / name).read_text(encoding="utf-8")
    outside_strings = _STRING.sub('""', text)
    assert "\\" not in outside_strings
    assert "drug:baclofen" in outside_strings
    assert "@prefix drug: <https://w3id.org/drugkg/resource/drug/> ." in text


def test_jsonld_embeds_its_context_and_is_compact(built: Path) -> None:
    doc = json.loads((built / "drugkg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)
    assert doc["@context"]["drug"] == "https://w3id.org/drugkg/resource/drug/"
    baclofen = next(n for n in doc["@graph"] if n["@id"] == "drug:baclofen")
    assert baclofen["@type"] == "drugkg:Drug"
    assert baclofen["rdfs:label"] == {"@language": "en", "@value": "baclofen"}
    # nothing remote: the bytes load as they are, with no document loader
    assert len(_ox_union((built / "drugkg.jsonld").read_bytes(), ox.RdfFormat.JSON_LD)) == len(
        (built / "drugkg.nt").read_bytes().splitlines()
    )


def test_every_dump_and_gzip_is_in_the_manifest_and_void_with_its_sha256(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    void = rdflib.Graph().parse(built / "void.ttl", format="turtle")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    for name in (*DUMPS, *(n + ".gz" for n in DUMPS)):
        digest = hashlib.sha256((built / name).read_bytes()).hexdigest()
        assert manifest["files"][name] == digest
        dist = next(void.subjects(dcat.downloadURL, rdflib.URIRef("https://w3id.org/drugkg/dumps/" + name)))
        checksum = void.value(dist, spdx.checksum)
        assert str(void.value(checksum, spdx.checksumValue)) == digest
        assert void.value(checksum, spdx.algorithm) == spdx.checksumAlgorithm_sha256
        assert int(void.value(dist, dcat.byteSize)) == (built / name).stat().st_size
    gz = next(void.subjects(dcat.downloadURL, rdflib.URIRef("https://w3id.org/drugkg/dumps/drugkg.nt.gz")))
    assert str(void.value(gz, dcat.compressFormat)) == "application/gzip"


def test_gzip_copies_are_byte_identical_across_builds(built: Path, tmp_path: Path) -> None:
    from drugkg.build import build

    again = build(tmp_path / "again")
    for name in DUMPS:
        assert (again / (name + ".gz")).read_bytes() == (built / (name + ".gz")).read_bytes(), name


def test_prefix_names_for_drugkg_namespaces() -> None:
    assert prefix_for_namespace("https://w3id.org/drugkg/resource/drug/") == "drug"
    assert prefix_for_namespace("https://w3id.org/drugkg/graph/monograph/") == "graph-monograph"
    assert prefix_for_namespace("https://w3id.org/drugkg/resource/void/", {"void"}) == "drugkg-void"
    assert prefix_for_namespace("http://example.org/x/") is None
    nt = b"<https://w3id.org/drugkg/resource/age-limit/a> <http://x/p> <https://w3id.org/drugkg/dataset> .\n"
    prefixes = dump_prefixes(nt)
    assert prefixes["age-limit"] == "https://w3id.org/drugkg/resource/age-limit/"
    assert prefixes["base"] == "https://w3id.org/drugkg/"


def test_compact_jsonld_round_trips_literals_and_blank_nodes() -> None:
    n = ox.NamedNode
    triples = [
        ox.Triple(n("https://w3id.org/drugkg/resource/drug/x"), n("http://x/p"), ox.Literal('a"b')),
        ox.Triple(
            n("https://w3id.org/drugkg/resource/drug/x"),
            n("http://x/p"),
            ox.Literal("1.5", datatype=n("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        ox.Triple(n("https://w3id.org/drugkg/resource/drug/x"), n("http://x/p"), ox.Literal("z", language="fr")),
        ox.Triple(
            n("https://w3id.org/drugkg/resource/drug/x"),
            n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.BlankNode("b1"),
        ),
        ox.Triple(ox.BlankNode("b1"), n("http://x/q"), n("https://w3id.org/drugkg/resource/drug/y")),
    ]
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    doc = compact_jsonld(expanded, dump_prefixes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""))
    back = ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD)
    assert ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in back).__len__() == 5
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert to_isomorphic(g) == to_isomorphic(
        rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    )
