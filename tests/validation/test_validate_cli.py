"""`drugkg validate`: the built graph conforms; exit codes; report formats; hostile and broken input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH, XSD

from drugkg.cli import main
from drugkg.errors import DrugkgError
from drugkg.validation import validate_build, validate_files, validate_store
from drugkg.validation.inputs import MAX_INPUT_BYTES
from drugkg.validation.reference import validate_with_pyshacl

BAD_REGIMEN = """@prefix drugkg: <https://w3id.org/drugkg/vocab#> .
@prefix ex: <https://w3id.org/drugkg/resource/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/drugkg/resource/regimen/r1> drugkg:startingDose <https://w3id.org/drugkg/resource/quantity/q1> .
<https://w3id.org/drugkg/resource/quantity/q1> a drugkg:Quantity ; drugkg:numericValue "lots" ; drugkg:unit "mg" .
"""


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "validate", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd or Path(__file__).resolve().parents[2],
        timeout=300,
    )


def test_built_graph_conforms_with_no_violations_and_no_warnings(built: Path) -> None:
    outcome = validate_build(built)
    assert outcome.results == []
    assert outcome.violations == [] and outcome.warnings == []
    assert outcome.conforms and outcome.passes(strict=True)
    assert outcome.reasoning is not None and outcome.reasoning.status == "consistent"
    assert outcome.triples > 2000


def test_validate_build_folder_exit_0_text(built: Path) -> None:
    proc = run_cli(str(built), "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "PASS: 0 violations, 0 warnings" in proc.stdout
    assert "consistent" in proc.stdout


def test_default_is_data_folder(built: Path, tmp_path: Path) -> None:
    assert main(["validate", "--data", str(built), "--no-reasoning"]) == 0
    assert main(["validate", "--data", str(tmp_path / "missing"), "--no-reasoning"]) == 2


def test_syntax_error_exits_2_with_line_and_column_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        '@prefix d: <https://w3id.org/drugkg/vocab#> .\n<http://x/a> a d:Drug ;\n  d:brandName "x" ;\n  d:foo [ .\n'
    )
    proc = run_cli(str(bad))
    assert proc.returncode == 2
    assert "line 4, column 11" in proc.stderr
    assert "broken.ttl" in proc.stderr and "syntax error" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    "suffix, text, where",
    [
        (".nt", '<http://x/a> <http://x/b> <http://x/c> .\n<http://x/a> <http://x/b> "unterminated .\n', "line 2"),
        (".jsonld", '{"@id": "http://x/a",\n "http://x/b": [1, }', "line 2"),
        # Oxigraph's RDF/XML parser gives no position; the message names the mismatched tags instead
        (
            ".rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="http://x/a">\n</rdf:RDF>\n',
            "expected `</rdf:Description>`",
        ),
    ],
)
def test_other_syntax_errors_exit_2(tmp_path: Path, suffix: str, text: str, where: str) -> None:
    bad = tmp_path / f"broken{suffix}"
    bad.write_text(text)
    proc = run_cli(str(bad), "--no-reasoning")
    assert proc.returncode == 2
    assert where in proc.stderr and "Traceback" not in proc.stderr


def test_violations_exit_1_and_json_fields(tmp_path: Path) -> None:
    data = tmp_path / "q.ttl"
    data.write_text(BAD_REGIMEN)
    out = tmp_path / "report.json"
    assert main(["validate", str(data), "--format", "json", "--output", str(out), "--no-reasoning"]) == 1
    doc = json.loads(out.read_text())
    assert doc["conforms"] is False and doc["violations"] == 2 and doc["warnings"] == 0
    by_component = {r["component"].rsplit("#")[-1]: r for r in doc["results"]}
    assert set(by_component) == {"DatatypeConstraintComponent", "MinExclusiveConstraintComponent"}
    r = by_component["DatatypeConstraintComponent"]
    assert r["focus"] == "https://w3id.org/drugkg/resource/quantity/q1"
    assert r["path"] == "<https://w3id.org/drugkg/vocab#numericValue>"
    assert r["value"] == '"lots"'
    assert r["severity"] == str(SH.Violation)
    assert r["source_shape"] == "https://w3id.org/drugkg/shapes#Quantity-numericValue"
    assert "xsd:decimal" in r["message"]


def test_junit_names_the_failure(tmp_path: Path) -> None:
    data = tmp_path / "q.ttl"
    data.write_text(BAD_REGIMEN)
    out = tmp_path / "report.xml"
    assert main(["validate", str(data), "--format", "junit", "--output", str(out), "--no-reasoning"]) == 1
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "2" and suite.get("tests") == "2"
    failures = root.findall(".//failure")
    assert {f.get("type") for f in failures} == {"DatatypeConstraintComponent", "MinExclusiveConstraintComponent"}
    cases = root.findall(".//testcase")
    assert all("quantity:q1" in c.get("name", "") for c in cases)  # a prefixed name that parses as Turtle
    assert any("numericValue" in c.get("name", "") for c in cases)


def test_turtle_report_parses_with_conforms_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "q.ttl"
    data.write_text(BAD_REGIMEN)
    assert main(["validate", str(data), "--format", "turtle", "--no-reasoning"]) == 1
    g = Graph()
    g.parse(data=capsys.readouterr().out, format="turtle")
    report = g.value(predicate=SH.conforms, object=Literal(False, datatype=XSD.boolean))
    assert report is not None
    results = list(g.objects(report, SH.result))
    assert len(results) == 2
    assert {g.value(r, SH.sourceConstraintComponent) for r in results} == {
        SH.DatatypeConstraintComponent,
        SH.MinExclusiveConstraintComponent,
    }


def test_text_report_groups_by_focus_with_label(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "drug.ttl"
    data.write_text(
        "@prefix drugkg: <https://w3id.org/drugkg/vocab#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/drugkg/resource/drug/x> a drugkg:Drug ; rdfs:label "drug x"@en ; '
        "drugkg:brandNamesComplete true ; drugkg:sourceSection <https://w3id.org/drugkg/resource/section/s> .\n"
    )
    assert main(["validate", str(data), "--no-reasoning"]) == 1
    out = capsys.readouterr().out
    assert 'drug:x  "drug x"' in out
    assert "drugkg:drugClass" in out and "VIOLATION" in out and "drug class" in out
    assert out.strip().splitlines()[-1].startswith("FAIL: ")


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    data = tmp_path / "w.ttl"
    data.write_text("""@prefix drugkg: <https://w3id.org/drugkg/vocab#> .
<https://w3id.org/drugkg/resource/population/p> a drugkg:Population ; <http://www.w3.org/2000/01/rdf-schema#label> "p"@en ;
    drugkg:searchKey "p" ; drugkg:ageBelow <https://w3id.org/drugkg/resource/quantity/a> .
<https://w3id.org/drugkg/resource/quantity/a> a drugkg:Quantity ; drugkg:numericValue 300.0 ; drugkg:unit "a" .
""")
    outcome = validate_files([data], reasoning=False)
    assert [(str(r.focus), str(r.severity)) for r in outcome.results] == [
        ("https://w3id.org/drugkg/resource/population/p", str(SH.Warning))
    ]
    assert main(["validate", str(data), "--no-reasoning"]) == 0
    assert main(["validate", str(data), "--no-reasoning", "--strict"]) == 1


def test_each_rdf_format_is_read(built: Path) -> None:
    for name in ("drugkg.ttl", "drugkg.nt", "drugkg.trig", "drugkg.jsonld"):
        outcome = validate_files([built / name], reasoning=False)
        assert outcome.results == [], name
        assert outcome.triples > 2000


def test_rdfxml_is_read(tmp_path: Path) -> None:
    f = tmp_path / "d.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:d="https://w3id.org/drugkg/vocab#">\n<d:Quantity rdf:about="https://w3id.org/drugkg/resource/quantity/q">'
        "<d:unit>mg</d:unit></d:Quantity>\n</rdf:RDF>\n"
    )
    outcome = validate_files([f], reasoning=False)
    assert [(str(r.focus), r.path.text() if r.path else "", str(r.component)) for r in outcome.results] == [
        (
            "https://w3id.org/drugkg/resource/quantity/q",
            "<https://w3id.org/drugkg/vocab#numericValue>",
            str(SH.MinCountConstraintComponent),
        )
    ]


def test_rdfxml_with_external_entity_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "xxe.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:d="https://w3id.org/drugkg/vocab#">'
        '<rdf:Description rdf:about="http://x/a"><d:brandName>&x;</d:brandName></rdf:Description></rdf:RDF>\n'
    )
    proc = run_cli(str(f), "--no-reasoning")
    assert proc.returncode == 2
    assert "DOCTYPE" in proc.stderr and "root:" not in proc.stdout + proc.stderr


def test_jsonld_remote_context_is_refused_not_fetched(tmp_path: Path) -> None:
    f = tmp_path / "remote.jsonld"
    f.write_text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x/a", "name": "x"}))
    proc = run_cli(str(f), "--no-reasoning")
    assert proc.returncode == 2
    assert "remote" in proc.stderr and "fetches nothing" in proc.stderr


def test_jsonld_nested_remote_context_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "nested.jsonld"
    f.write_text(
        json.dumps(
            {
                "@context": {"d": "https://w3id.org/drugkg/vocab#"},
                "@graph": [{"@context": ["https://example.org/c.jsonld"], "@id": "http://x/a"}],
            }
        )
    )
    assert main(["validate", str(f), "--no-reasoning"]) == 2


def test_file_above_size_limit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "big.nt"
    f.write_text("<http://x/a> <http://x/b> <http://x/c> .\n" * 100)
    assert main(["validate", str(f), "--max-bytes", "1000", "--no-reasoning"]) == 2
    assert "above the limit of 1000" in capsys.readouterr().err
    assert MAX_INPUT_BYTES == 1 << 30


def test_unknown_extension_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "data.csv"
    f.write_text("a,b\n")
    assert main(["validate", str(f)]) == 2
    assert main(["validate", str(tmp_path / "nope.ttl")]) == 2
    err = capsys.readouterr().err
    assert "unknown RDF file extension" in err and "no such file" in err


def test_pyshacl_engine_gives_the_same_answer(tmp_path: Path) -> None:
    data = tmp_path / "q.ttl"
    data.write_text(BAD_REGIMEN)
    fast = validate_files([data], reasoning=False)
    slow = validate_files([data], reasoning=False, engine="pyshacl")
    assert slow.engine == "pyshacl" and fast.engine == "fast"
    assert [r.key() for r in fast.results] == [r.key() for r in slow.results] and len(fast.results) == 2


def test_shapes_pyshacl_cannot_run_give_a_clear_error_not_a_traceback() -> None:
    """A SPARQL constraint with VALUES breaks the SHACL rules: the reference engine says so, by name."""
    shapes = Graph().parse(
        format="turtle",
        data="""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
""",
    )
    with pytest.raises(DrugkgError) as err:
        validate_with_pyshacl(ox.Store(), shapes)
    assert "pySHACL cannot use these shapes: A SPARQL Constraint must not contain a VALUES clause" in str(err.value)


def test_the_fast_engine_refuses_such_shapes_as_pyshacl_does(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
""")
    with pytest.raises(DrugkgError) as err:
        validate_store(ox.Store(), reasoning=False, shapes_folder=tmp_path)
    assert "A SPARQL Constraint must not contain a VALUES clause" in str(err.value)
