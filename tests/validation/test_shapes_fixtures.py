"""Every shape file has a valid and an invalid fixture (tests/validation/shapes/<file>.valid.ttl / .invalid.ttl).

A fixture is validated against its shape file alone (plus the shapes' prefix declarations), with
drugkg's ontology mixed in, by the fast engine and by plain pySHACL. The invalid fixture carries its
expected report in the same file (DASH style); the test compares focus node, result path and
sh:sourceConstraintComponent (and severity where the expected result gives one).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from drugkg.resources import shapes_dir
from drugkg.validation import validate_store
from drugkg.validation.inputs import ontology_quads
from drugkg.validation.paths import path_from_rdf as _path
from drugkg.validation.reference import validate_with_pyshacl
from drugkg.validation.shapes import load_shapes_graph

FIXTURES = Path(__file__).parent / "shapes"
SHAPE_FILES = sorted(p.stem for p in shapes_dir().glob("*.ttl") if p.stem != "prefixes")


def split_fixture(path: Path) -> tuple[Graph, set[tuple[str, str, str, str]] | None]:
    """The data of a fixture, and its expected results (None when it declares no report)."""
    g = Graph()
    g.parse(path, format="turtle")
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    expected: set[tuple[str, str, str, str]] | None = None
    report_triples = set()
    for report in reports:
        expected = set()
        stack = [report]
        while stack:
            node = stack.pop()
            for triple in g.triples((node, None, None)):
                report_triples.add(triple)
                if triple[1] in (SH.result, SH.resultPath) or triple[1] in (RDF.first, RDF.rest, SH.inversePath):
                    stack.append(triple[2])
        for result in g.objects(report, SH.result):
            path = g.value(result, SH.resultPath)
            expected.add(
                (
                    str(g.value(result, SH.focusNode)),
                    _path(g, path).text() if path is not None else "",
                    str(g.value(result, SH.sourceConstraintComponent)),
                    str(g.value(result, SH.resultSeverity) or SH.Violation),
                )
            )
    for triple in report_triples:
        g.remove(triple)
    return g, expected


def shapes_folder(tmp_path: Path, stem: str) -> Path:
    folder = tmp_path / f"shapes-{stem}"
    folder.mkdir()
    for name in ("prefixes.ttl", f"{stem}.ttl"):
        shutil.copy(shapes_dir() / name, folder / name)
    return folder


def store_of(data: Graph) -> ox.Store:
    store = ox.Store()
    store.load(data.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_extend(list(ontology_quads()))
    return store


def test_every_shape_file_has_both_fixtures() -> None:
    assert "product" in SHAPE_FILES and len(SHAPE_FILES) >= 8
    for stem in SHAPE_FILES:
        assert (FIXTURES / f"{stem}.valid.ttl").is_file(), stem
        assert (FIXTURES / f"{stem}.invalid.ttl").is_file(), stem


@pytest.mark.parametrize("stem", SHAPE_FILES)
def test_valid_fixture_conforms(stem: str, tmp_path: Path) -> None:
    data, expected = split_fixture(FIXTURES / f"{stem}.valid.ttl")
    assert expected is None and len(data) >= 5
    folder = shapes_folder(tmp_path, stem)
    store = store_of(data)
    outcome = validate_store(store, reasoning=False, shapes_folder=folder)
    assert [r.key() for r in outcome.results] == []
    assert validate_with_pyshacl(store, load_shapes_graph(folder)) == []


@pytest.mark.parametrize("stem", SHAPE_FILES)
def test_invalid_fixture_gives_expected_report(stem: str, tmp_path: Path) -> None:
    data, expected = split_fixture(FIXTURES / f"{stem}.invalid.ttl")
    assert expected, "the invalid fixture must declare its expected sh:ValidationReport"
    folder = shapes_folder(tmp_path, stem)
    store = store_of(data)
    outcome = validate_store(store, reasoning=False, shapes_folder=folder)
    got = {(str(r.focus), r.path.text() if r.path else "", str(r.component), str(r.severity)) for r in outcome.results}
    assert got == expected
    reference = validate_with_pyshacl(store, load_shapes_graph(folder))
    assert [r.key() for r in reference] == [r.key() for r in outcome.results]
