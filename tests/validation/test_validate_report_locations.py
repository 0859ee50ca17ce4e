"""JSON and JUnit reports carry the file and line stating each focus node (Turtle and N-Triples), so CI
annotations land on the line; the Turtle report stays a plain sh:ValidationReport."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from rdflib import Graph
from rdflib.namespace import SH

from drugkg.validation import validate_files
from drugkg.validation.formats import render

SHAPES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://example.org/S> a sh:NodeShape ; "
    "sh:targetClass <http://example.org/T> ; sh:property [ sh:path <http://example.org/name> ; sh:minCount 1 ] .\n"
)
TURTLE = """@prefix ex: <http://example.org/> .

ex:good a ex:T ;
    ex:name "fine" .

ex:bad
    a ex:T .
"""
NTRIPLES = (
    '<http://example.org/ok> <http://example.org/name> "x" .\n'
    "<http://example.org/ok> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/T> .\n"
    "<http://example.org/other> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/T> .\n"
)


def _outcome(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "a.ttl").write_text(TURTLE, encoding="utf-8")
    (tmp_path / "b.nt").write_text(NTRIPLES, encoding="utf-8")
    return validate_files([tmp_path / "a.ttl", tmp_path / "b.nt"], shapes=[tmp_path / "shapes.ttl"], reasoning=False)


def test_json_results_name_file_and_line(tmp_path: Path) -> None:
    doc = json.loads(render(_outcome(tmp_path), "json"))
    assert [(r["focus"], r["file"], r["line"]) for r in doc["results"]] == [
        ("http://example.org/bad", str(tmp_path / "a.ttl"), 6),
        ("http://example.org/other", str(tmp_path / "b.nt"), 3),
    ]


def test_junit_testcases_carry_file_and_line(tmp_path: Path) -> None:
    root = ET.fromstring(render(_outcome(tmp_path), "junit"))
    cases = [(c.get("file"), c.get("line")) for c in root.iter("testcase") if c.find("failure") is not None]
    assert cases == [(str(tmp_path / "a.ttl"), "6"), (str(tmp_path / "b.nt"), "3")]


def test_turtle_report_stays_a_standard_validation_report(tmp_path: Path) -> None:
    g = Graph().parse(data=render(_outcome(tmp_path), "turtle"), format="turtle")
    assert len(list(g.subjects(None, SH.ValidationResult))) == 2
    assert not any("line" in str(p) for p in g.predicates())
