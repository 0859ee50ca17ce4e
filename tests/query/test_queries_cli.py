"""`drugkg query` as a user runs it: output values in every format, --list, -e, --file, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.queries import build_dir, drugkg

from drugkg.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
UNIPROT = "http://purl.uniprot.org/uniprot/"


def test_list_shows_every_query_with_its_parameters() -> None:
    out = drugkg("--list")
    assert out.returncode == 0, out.stderr
    for q in load_catalogue():
        assert q.name in out.stdout and q.title in out.stdout
    assert "population=https://w3id.org/drugkg/resource/population/people-with-epilepsy" in out.stdout


def test_table_output() -> None:
    out = drugkg("target-genes", "--format", "table")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["drug", "targetLabel", "proteinLabel", "uniprot", "geneSymbol", "ncbiGene", "hgnc"]
    assert any("GABBR1" in line and UNIPROT + "Q9UBS5" in line and "ncbigene/2550" in line for line in lines)
    assert any("GABBR2" in line and UNIPROT + "O75899" in line and "ncbigene/9568" in line for line in lines)
    assert lines[-1] == "(2 rows)"


def test_tsv_is_the_default_when_piped() -> None:
    out = drugkg("maximum-doses")
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert rows[0] == [
        "?drug",
        "?routeLabel",
        "?maxSingleDose",
        "?maxSingleDoseUnit",
        "?timesPerDay",
        "?maxDailyDose",
        "?maxDailyDoseUnit",
    ]
    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    assert rows[1] == [
        "<https://w3id.org/drugkg/resource/drug/baclofen>",
        '"oral"@en',
        f'"20"^^{decimal}',
        '"mg"',
        "4",
        f'"80"^^{decimal}',
        '"mg"',
    ]


def test_json_output() -> None:
    out = drugkg("target-genes", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["head"]["vars"][0] == "drug"
    genes = {b["geneSymbol"]["value"]: b["uniprot"]["value"] for b in doc["results"]["bindings"]}
    assert genes == {"GABBR1": UNIPROT + "Q9UBS5", "GABBR2": UNIPROT + "O75899"}


def test_csv_output() -> None:
    out = drugkg("liquid-concentrations", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["amount"], row["amountUnit"], row["volume"], row["volumeUnit"]) == ("25", "mg", "5", "mL")
    assert (row["perUnitVolume"], row["perUnitVolumeUnit"]) == ("5", "mg/mL")


def test_xml_output() -> None:
    out = drugkg("approved-for-condition", "--format", "xml")
    assert out.returncode == 0, out.stderr
    root = ET.fromstring(out.stdout)
    assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


def test_ask_in_a_table_and_a_parameter() -> None:
    assert drugkg("approved-for-condition", "-f", "table").stdout == "no\n"
    out = drugkg("approved-for-condition", "-f", "table", "--param", "condition=multiple-sclerosis")
    assert out.stdout == "yes\n", out.stderr


def test_population_shorthand() -> None:
    out = drugkg("warnings-for-population", "--param", "population=elderly", "--format", "json")
    assert out.returncode == 0, out.stderr
    bindings = json.loads(out.stdout)["results"]["bindings"]
    assert [(b["kindLabel"]["value"], b["adviceLabel"]["value"]) for b in bindings] == [
        ("dose adjustment", "a lower oral dose within the usual range may be needed")
    ]


def test_execute_an_adhoc_query_with_a_parameter() -> None:
    out = drugkg(
        "-e",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?drug ?label WHERE { ?drug rdfs:label ?label }",
        "--param",
        "drug=res:drug/baclofen",
        "--format",
        "csv",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["drug,label", "https://w3id.org/drugkg/resource/drug/baclofen,baclofen"]


def test_file_with_and_without_a_header(tmp_path: Path) -> None:
    plain = tmp_path / "plain.rq"
    plain.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/drugkg/vocab#Drug> }\n")
    out = drugkg("--file", str(plain), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["n", "1"]
    headed = tmp_path / "headed.rq"
    headed.write_text(
        "# title: labels\n# question: What is it called?\n# param: thing IRI\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?thing ?label WHERE { ?thing rdfs:label ?label }\n"
    )
    out = drugkg("--file", str(headed), "-p", "thing=res:finding/seizure", "-f", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1] == "https://w3id.org/drugkg/resource/finding/seizure,seizure"
    missing = drugkg("--file", str(headed))
    assert missing.returncode == 2 and "needs the parameter 'thing'" in missing.stderr


def test_show_prints_the_query_and_its_bound_terms() -> None:
    out = drugkg("routes-unstudied-at-age", "--show", "-p", "age=3")
    assert out.returncode == 0
    assert "FILTER(?age < ?ageLimit)" in out.stdout
    assert '# ?age = "3"^^<http://www.w3.org/2001/XMLSchema#decimal>' in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["warnigs-for-population"], "did you mean: warnings-for-population"),
        (["boxed"], "did you mean"),
        (["-e", "SELECT ?x WHERE { ?x ?y }"], "SPARQL syntax error: error at 1:"),
        (["drugs-causing-effect", "-p", "effect=seizure> } DROP ALL {"], "is not an IRI"),
        (["drugs-causing-effect", "-p", "effect=https://w3id.org/x> } DROP ALL {"], "is not a valid IRI"),
        (["routes-unstudied-at-age", "-p", "age=ten"], "is not a decimal number"),
        (["target-genes", "-p", "gene=GABBR1"], "has no parameter 'gene'"),
        (["target-genes", "-p", "novalue"], "bad parameter"),
        ([], "say which query to run"),
        (
            ["-e", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "y=z"],
            "cannot bind the parameter ?y: the query has no such variable",
        ),
        (["approved-for-condition", "-f", "ntriples"], "format 'ntriples' is for graphs"),
    ],
)
def test_errors_are_one_clear_line_and_exit_2(args: list[str], message: str) -> None:
    out = drugkg(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith("drugkg query: ")


def test_construct_results_are_written_as_rdf() -> None:
    out = drugkg(
        "-e",
        "CONSTRUCT { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
        "?g a <https://w3id.org/drugkg/vocab#Gene> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        "-f",
        "ntriples",
    )
    assert out.returncode == 0, out.stderr
    assert (
        '<https://w3id.org/drugkg/resource/gene/gabbr1> <http://www.w3.org/2000/01/rdf-schema#label> "GABBR1"@en .'
        in out.stdout.splitlines()
    )


def test_builds_first_when_there_is_no_build(tmp_path: Path) -> None:
    fresh = tmp_path / "build"
    out = drugkg("maximum-daily-dose-consistent", "-f", "table", data=fresh)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "yes\n"
    assert (fresh / "manifest.json").is_file()
    out = drugkg("boxed-warnings", "--no-build", data=tmp_path / "nothing")
    assert out.returncode == 2 and "no build here" in out.stderr


def test_refuses_to_build_over_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    out = drugkg("boxed-warnings", data=tmp_path)
    assert out.returncode == 2 and "refusing" in out.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_main_can_be_called_in_process(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    from drugkg.cli import main

    code = main(["query", "newborn-effects", "--data", str(build_dir()), "--format", "tsv"])
    assert code == 0
    text = capfdbinary.readouterr().out.decode()
    assert '"increased muscle tone"@en' in text and '"tremor"@en' in text and '"seizure"@en' in text


def test_a_build_of_other_sources_is_queried_not_replaced(tmp_path: Path) -> None:
    import shutil

    from drugkg.build import build

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = (data / "drugs" / "baclofen.yaml").read_text(encoding="utf-8")
    (data / "drugs" / "baclofen-twin.yaml").write_text(
        text.replace("\ndrug:\n  id: baclofen\n", "\ndrug:\n  id: baclofen-twin\n"), encoding="utf-8"
    )
    out = build(tmp_path / "custom", data)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/drugkg/vocab#Drug> }"
    result = drugkg("-e", count, "-f", "csv", data=out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "2"]
    assert "built from other sources" in result.stderr
