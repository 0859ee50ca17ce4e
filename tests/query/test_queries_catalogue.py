"""The catalogue itself: enough questions, complete headers, queries that parse with both engines and
declare every prefix they use, parameters that can be bound, and golden answers for every query."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from support.queries import EXPECTED_DIR

from drugkg.catalogue import CatalogueQuery, load_catalogue, parse_query_file
from drugkg.examples import declared_prefixes

CATALOGUE = load_catalogue()
BY_NAME = {q.name: q for q in CATALOGUE}

_COMMENT = re.compile(r"#[^\n]*")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_STRING = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.DOTALL)
_PNAME = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$|[;,.)\]}])")


def used_prefixes(text: str) -> set[str]:
    """Prefixes of the prefixed names in a query (strings, IRIs and comments skipped)."""
    body = _STRING.sub('""', _IRI.sub("<>", _COMMENT.sub("", text)))
    body = re.sub(r"(?im)^\s*PREFIX\s+[\w.-]*:", "", body)
    return {m.group(1) or "" for m in _PNAME.finditer(body)}


def test_there_are_at_least_25_questions() -> None:
    assert len(CATALOGUE) >= 25


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_header_is_complete(name: str) -> None:
    q = BY_NAME[name]
    assert q.title and q.question.endswith("?"), "a title and a question ending in '?'"
    assert len(q.keywords) >= 2, "at least two keywords"
    assert q.text.startswith("# title:"), "the header comes first"
    for param in q.parameters:
        assert re.search(rf"\?{param.name}\b", q.text), f"parameter {param.name} is not a variable of the query"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_parses_with_rdflib_and_oxigraph(name: str) -> None:
    q = BY_NAME[name]
    prepareQuery(q.text)  # rdflib
    ox.Store().query(q.text)  # Oxigraph: parses, then runs on an empty store


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_uses_only_declared_prefixes(name: str) -> None:
    """rdflib would silently accept skos:, rdfs:, ... from its own defaults, so check the text itself."""
    q = BY_NAME[name]
    declared = {prefix for prefix, _ in declared_prefixes(q.text)}
    undeclared = used_prefixes(q.text) - declared
    assert not undeclared, f"prefixes used but not declared: {sorted(undeclared)}"
    unused = declared - used_prefixes(q.text)
    assert not unused, f"prefixes declared but never used: {sorted(unused)}"


def test_the_prefix_check_catches_an_undeclared_prefix(tmp_path: Path) -> None:
    text = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?x WHERE { ?x skos:broader ?y ; rdfs:label "a:b" }'
    assert used_prefixes(text) == {"rdfs", "skos"}
    with pytest.raises(SyntaxError):
        ox.Store().query(text)


def test_one_namespace_per_prefix_across_the_catalogue() -> None:
    seen: dict[str, str] = {}
    for q in CATALOGUE:
        for prefix, namespace in declared_prefixes(q.text):
            assert seen.setdefault(prefix, namespace) == namespace, f"{q.name}: {prefix}: differs"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_parameters_are_projected(name: str) -> None:
    """Oxigraph can substitute only projected variables: each parameter must be in the SELECT clause."""
    q = BY_NAME[name]
    if q.form != "SELECT":
        return
    projected = {str(v) for v in prepareQuery(q.text).algebra["PV"]}
    missing = {p.name for p in q.parameters} - projected
    assert not missing, f"parameters not in the SELECT clause: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_no_trailing_values_clause(name: str) -> None:
    """Servers and pages may append a VALUES clause; a query may have only one at the end."""
    body = _COMMENT.sub("", BY_NAME[name].text)
    assert not re.search(r"}\s*VALUES\b[^}]*}\s*$", body, re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_query_has_a_golden_answer(name: str) -> None:
    assert (EXPECTED_DIR / f"{name}.srj").is_file()


def test_the_catalogue_covers_every_fact_category() -> None:
    """Each kind of clinical fact the graph holds is asked about by at least one query."""
    text = "\n".join(q.text for q in CATALOGUE)
    for term in [
        "drugkg:hasFormulation",
        "drugkg:strengthRange",
        "drugkg:normalised",
        "drugkg:titration",
        "drugkg:maxDailyDose",
        "drugkg:doseAdjustment",
        "drugkg:approvedBy",
        "drugkg:OffLabelUse",
        "drugkg:hasSubunit",
        "drugkg:encodes",
        "drugkg:causalGene",
        "drugkg:AbruptWithdrawal",
        "drugkg:Rare",
        "drugkg:Fatal",
        "drugkg:Overdose",
        "drugkg:NeonatalExposure",
        "drugkg:onset",
        "drugkg:Implantation",
        "drugkg:BoxedWarning",
        "drugkg:milkTransfer",
        "drugkg:ageBelow",
        "drugkg:Pregnancy",
        "drugkg:LactationStage",
        "drugkg:Childhood",
        "drugkg:UseWithCaution",
        "drugkg:AvoidActivity",
        "drugkg:sourceSection",
        "prov:wasDerivedFrom",
        "skos:exactMatch",
        "skos:closeMatch",
        "drugkg:brandName",
        "drugkg:developer",
        "rdfs:subClassOf*",
        "skos:broader*",
    ]:
        assert term in text, f"no query asks about {term}"


def test_a_header_with_a_bad_param_kind_is_refused(tmp_path: Path) -> None:
    from drugkg.errors import DrugkgError

    path = tmp_path / "bad.rq"
    path.write_text("# title: t\n# question: q?\n# param: x date 2020\nSELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(DrugkgError, match="bad parameter line"):
        parse_query_file(path)


def test_form_is_read_from_the_query_text() -> None:
    forms = {q.name: q.form for q in CATALOGUE}
    assert forms["approved-for-condition"] == "ASK"
    assert forms["target-genes"] == "SELECT"
    assert isinstance(CATALOGUE[0], CatalogueQuery)


def test_docs_queries_md_is_up_to_date() -> None:
    """docs/queries.md is generated; if this fails run: .venv/bin/python -m drugkg.devtools.querydocs > docs/queries.md"""
    from support.queries import build_dir

    from drugkg.buildfolder import STORE_DIR
    from drugkg.devtools.querydocs import catalogue_markdown, doc_answers

    docs = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
    expected = catalogue_markdown(answers=doc_answers(build_dir() / STORE_DIR))
    assert docs.read_text(encoding="utf-8") == expected, (
        "docs/queries.md is out of date: run .venv/bin/python -m drugkg.devtools.querydocs > docs/queries.md"
    )
