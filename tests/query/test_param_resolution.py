"""Helpful empty answers: a cross-reference CURIE is read as the drugkg resource it matches, and a
parameter value that names nothing is reported on stderr with the closest matches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import support.serving as fx

from drugkg.catalogue import load_catalogue
from drugkg.param_resolution import HINT_HEADER
from drugkg.querying import with_values

real_build = fx.real_build
real_server = fx.real_server

ROOT = Path(__file__).resolve().parents[2]
RES = "https://w3id.org/drugkg/resource/"


def _query(built: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "query", *args, "--data", str(built), "--no-build", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_hpo_curie_from_the_help_answers_the_rows_of_the_finding(built: Path) -> None:
    by_curie = _query(built, "drugs-causing-effect", "--param", "effect=HP:0001250")
    by_name = _query(built, "drugs-causing-effect", "--param", "effect=seizure")
    assert by_curie.returncode == 0, by_curie.stderr
    assert by_curie.stdout == by_name.stdout
    assert by_curie.stdout.count("\n") == 5  # header + 4 contexts
    assert by_curie.stderr == (
        "drugkg query: effect: <http://purl.obolibrary.org/obo/HP_0001250> is read as "
        f"<{RES}finding/seizure>, its exact match in drugkg\n"
    )


def test_the_help_example_is_still_given(built: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drugkg.cli", "query", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "drugs-causing-effect --param effect=HP:0001250" in done.stdout


@pytest.mark.parametrize(
    ("query", "value", "message"),
    [
        (
            "warnings-for-population",
            "population=eldery",
            (
                f"population: no population <{RES}population/eldery> in the graph, so nothing can match; "
                "closest: population=elderly"
            ),
        ),
        (
            "drugs-causing-effect",
            "effect=seizures",
            f"effect: no finding <{RES}finding/seizures> in the graph, so nothing can match; closest: effect=seizure",
        ),
        (
            "maximum-doses",
            "drug=tizanidine",
            f"drug: no drug <{RES}drug/tizanidine> in the graph, so nothing can match; some there are: drug=baclofen",
        ),
    ],
)
def test_value_that_names_nothing_is_reported_with_the_closest_matches(
    built: Path, query: str, value: str, message: str
) -> None:
    done = _query(built, query, "--param", value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1  # the header only: the answer is empty, and stderr says why
    assert done.stderr == f"drugkg query: {message}\n"


def test_value_found_by_label_synonym_is_suggested(built: Path) -> None:
    # "daytime sleepiness" is a synonym of somnolence: the suggestion comes from the name, not the slug
    done = _query(built, "drugs-causing-effect", "--param", "effect=daytime-sleepines")
    assert "closest: effect=somnolence" in done.stderr


def test_a_value_that_exists_says_nothing(built: Path) -> None:
    done = _query(built, "warnings-for-population", "--param", "population=elderly")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count("\n") >= 2


def _http(server: str, population: str) -> httpx.Response:
    query = next(q for q in load_catalogue() if q.name == "warnings-for-population")
    text = with_values(
        query.text,
        {"drug": ox.NamedNode(RES + "drug/baclofen"), "population": ox.NamedNode(RES + "population/" + population)},
    )
    return httpx.post(f"{server}/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})


def test_http_empty_answer_names_the_missing_resource_in_a_header(real_server: str) -> None:
    r = _http(real_server, "eldery")
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert r.headers[HINT_HEADER] == (
        f"no resource <{RES}population/eldery> in the graph; closest: <{RES}population/elderly>"
    )
    good = _http(real_server, "elderly")
    assert good.status_code == 200 and good.json()["results"]["bindings"] and HINT_HEADER not in good.headers
