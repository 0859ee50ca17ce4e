"""The build folder: deterministic dumps that independent parsers read alike, VoID, atomic replacement."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from drugkg.build import build, build_is_current
from drugkg.buildfolder import check_build
from drugkg.errors import DrugkgError

ROOT = Path(__file__).resolve().parents[2]


def test_same_input_gives_byte_identical_ntriples(built: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    first = (built / "drugkg.nt").read_bytes()
    assert first == (again / "drugkg.nt").read_bytes()
    lines = first.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines)) > 2000


@pytest.mark.parametrize(
    ("name", "rdflib_format", "ox_format"),
    [
        ("drugkg.nt", "nt", ox.RdfFormat.N_TRIPLES),
        ("drugkg.ttl", "turtle", ox.RdfFormat.TURTLE),
        ("drugkg.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    ],
)
def test_dumps_parse_alike_in_rdflib_and_oxigraph(
    built: Path, name: str, rdflib_format: str, ox_format: ox.RdfFormat
) -> None:
    expected = len((built / "drugkg.nt").read_bytes().splitlines())
    g = rdflib.Graph()
    if name.endswith(".jsonld"):
        doc = json.loads((built / name).read_text())
        doc["@context"] = json.loads((built / "context.jsonld").read_text())["@context"]
        g.parse(data=json.dumps(doc), format="json-ld")
        ox_triples = set(ox.parse(json.dumps(doc).encode(), format=ox_format))
    else:
        g.parse(built / name, format=rdflib_format)
        ox_triples = set(ox.parse(path=str(built / name), format=ox_format))
    assert len(g) == expected
    assert len(ox_triples) == expected


def test_trig_holds_named_graphs_whose_union_is_the_ntriples(built: Path) -> None:
    quads = list(ox.parse(path=str(built / "drugkg.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert graphs >= {
        "https://w3id.org/drugkg/graph/ontology",
        "https://w3id.org/drugkg/graph/monograph/baclofen",
        "https://w3id.org/drugkg/graph/mappings/baclofen",
        "https://w3id.org/drugkg/graph/void",
    }
    union = {q.triple for q in quads}
    assert union == {q.triple for q in ox.parse(path=str(built / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)}


def test_void_counts_describe_the_data(built: Path) -> None:
    store = ox.Store.read_only(str(built / "store"))
    void = "https://w3id.org/drugkg/graph/void"
    data = [q for q in store.quads_for_pattern(None, None, None) if q.graph_name.value != void]
    dataset = ox.NamedNode("https://w3id.org/drugkg/dataset")

    def value(prop: str) -> int:
        return int(
            next(store.quads_for_pattern(dataset, ox.NamedNode("http://rdfs.org/ns/void#" + prop), None)).object.value
        )

    assert value("triples") == len({q.triple for q in data})
    assert value("distinctSubjects") == len({q.subject for q in data})
    classes = {q.object for q in data if q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    assert value("classes") == len(classes)
    dumps = {
        q.object.value for q in store.quads_for_pattern(dataset, ox.NamedNode("http://rdfs.org/ns/void#dataDump"), None)
    }
    names = ("drugkg.nt", "drugkg.ttl", "drugkg.trig", "drugkg.jsonld")
    assert dumps == {f"https://w3id.org/drugkg/dumps/{n}{gz}" for n in names for gz in ("", ".gz")}
    licence = next(store.quads_for_pattern(dataset, ox.NamedNode("http://purl.org/dc/terms/license"), None)).object
    assert licence.value == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_jsonld_context_types_object_properties(built: Path) -> None:
    ctx = json.loads((built / "context.jsonld").read_text())["@context"]
    assert ctx["drugkg"] == "https://w3id.org/drugkg/vocab#"
    assert ctx["startingDose"] == {"@id": "drugkg:startingDose", "@type": "@id"}
    assert ctx["numericValue"] == {"@id": "drugkg:numericValue", "@type": "xsd:decimal"}


def test_manifest_checks_every_file(built: Path, tmp_path: Path) -> None:
    manifest = check_build(built)
    dumps = {"drugkg.nt", "drugkg.ttl", "drugkg.trig", "drugkg.jsonld"}
    assert set(manifest["files"]) == dumps | {n + ".gz" for n in dumps} | {"context.jsonld", "void.ttl"}
    assert build_is_current(built)
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "drugkg.ttl").write_text("tampered")
    with pytest.raises(DrugkgError, match=r"drugkg\.ttl does not match its checksum"):
        check_build(copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(DrugkgError, match=r"manifest\.json is missing"):
        check_build(copy)


def test_failed_build_leaves_previous_build_untouched(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    bad = data / "drugs" / "baclofen.yaml"
    bad.write_text(bad.read_text().replace("starting_times_per_day: 3", "starting_times_per_day: three"))
    with pytest.raises(DrugkgError):
        build(out, data)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_ontology_loads_in_owlready2_and_rdflib(tmp_path: Path) -> None:
    g = rdflib.Graph().parse(ROOT / "ontology" / "drugkg.ttl")
    nt = tmp_path / "drugkg.nt"
    g.serialize(nt, format="nt")
    script = (
        "import owlready2, sys\n"
        f"onto = owlready2.get_ontology('file://{nt}').load()\n"
        "print(len(list(onto.classes())), len(list(onto.object_properties())), len(list(onto.data_properties())))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    classes, obj_props, data_props = map(int, out)
    assert classes >= 40 and obj_props >= 40 and data_props >= 20
    version = g.value(rdflib.URIRef("https://w3id.org/drugkg/vocab"), rdflib.OWL.versionIRI)
    assert str(version) == "https://w3id.org/drugkg/vocab/0.1.0"


def test_every_vocabulary_term_has_label_and_definition() -> None:
    g = rdflib.Graph().parse(ROOT / "ontology" / "drugkg.ttl")
    vocab = "https://w3id.org/drugkg/vocab#"
    terms = {s for s in g.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(vocab)}
    assert len(terms) > 100
    lacking = sorted(
        str(t) for t in terms if g.value(t, rdflib.RDFS.label) is None or g.value(t, rdflib.SKOS.definition) is None
    )
    assert lacking == []
    props = {s for s in terms if (s, rdflib.RDF.type, rdflib.OWL.ObjectProperty) in g}
    assert sorted(str(p) for p in props if g.value(p, rdflib.RDFS.range) is None) == []


def test_no_sentence_copied_from_the_source() -> None:
    tool = ROOT.parent / "shared" / "tools" / "check-verbatim"
    if not tool.exists():
        pytest.skip("the shared check-verbatim tool is not beside this checkout")
    result = subprocess.run([sys.executable, str(tool), str(ROOT)], capture_output=True, text=True)
    assert result.stdout == "" and result.returncode == 0
