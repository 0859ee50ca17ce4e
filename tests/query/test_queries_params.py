"""Parameters are bound as typed terms: injection attempts stay plain values or are refused clearly."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.queries import rdflib_graph, store

from drugkg.catalogue import Parameter
from drugkg.errors import DrugkgError
from drugkg.querying import (
    adhoc_parameters,
    bind_parameters,
    find_query,
    parse_param_assignments,
    resolve_term,
    run_on_graph,
    run_on_store,
    to_table,
    with_values,
)

RES = "https://w3id.org/drugkg/resource/"
INJECTIONS = [
    '"} ; DROP ALL ; {',
    'convulsion" } UNION { ?effect ?p ?o } #',
    "}",
    "' OR 1=1 --",
    "seizure> } DROP ALL {",
    '\\"',
    "line\nbreak",
]


def _rows(name: str, params: dict[str, str], engine: str = "oxigraph") -> list[tuple[object, ...]]:
    query = find_query(name)
    bindings = bind_parameters(query, params)
    result = (
        run_on_store(store(), query.text, bindings)
        if engine == "oxigraph"
        else run_on_graph(rdflib_graph(), query.text, bindings)
    )
    return list(to_table(result).rows)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("value", INJECTIONS)
def test_a_string_parameter_is_only_ever_a_plain_value(value: str, engine: str) -> None:
    """The hostile text is a literal to compare with labels: it matches nothing, the store is unchanged."""
    before = len(store())
    assert _rows("drugs-causing-effect-by-name", {"name": value}, engine) == []
    assert len(store()) == before
    # the same query still answers normally afterwards
    assert _rows("drugs-causing-effect-by-name", {"name": "convulsion"}, engine)


@pytest.mark.parametrize("value", INJECTIONS)
def test_the_values_block_escapes_a_string_parameter(value: str) -> None:
    query = find_query("drugs-causing-effect-by-name")
    text = with_values(query.text, bind_parameters(query, {"name": value}))
    assert list(to_table(run_on_store(store(), text)).rows) == []
    assert list(to_table(run_on_graph(rdflib_graph(), text)).rows) == []


@pytest.mark.parametrize(
    "value",
    [
        RES + "finding/seizure> } ; DROP ALL ; { <x",
        RES + "finding/seizure>",
        RES + 'finding/"seizure"',
        RES + "finding/sei zure",
        RES + "finding/{seizure}",
        "} ; DROP ALL",
        "seizure}",
        "not an iri",
        "",
    ],
)
def test_a_bad_iri_parameter_is_refused_with_a_clear_error(value: str) -> None:
    query = find_query("drugs-causing-effect")
    with pytest.raises(DrugkgError) as err:
        bind_parameters(query, {"effect": value})
    message = str(err.value)
    assert "effect" in message and ("not a valid IRI" in message or "is not an IRI" in message)


def test_shorthands_for_iri_parameters() -> None:
    query = find_query("warnings-for-population")
    expect = ox.NamedNode(RES + "population/elderly")
    for given in ["elderly", "res:population/elderly", RES + "population/elderly", f"<{RES}population/elderly>"]:
        assert bind_parameters(query, {"population": given})["population"] == expect
    contexts = find_query("effects-shared-by-contexts")
    assert bind_parameters(contexts, {"context1": "Overdose"})["context1"] == ox.NamedNode(
        "https://w3id.org/drugkg/vocab#Overdose"
    )
    assert bind_parameters(contexts, {"context2": "drugkg:Overdose"})["context2"] == ox.NamedNode(
        "https://w3id.org/drugkg/vocab#Overdose"
    )
    assert resolve_term(Parameter("x", "IRI"), "HP:0001250") == ox.NamedNode(
        "http://purl.obolibrary.org/obo/HP_0001250"
    )


def test_numbers_are_typed_and_checked() -> None:
    query = find_query("routes-unstudied-at-age")
    age = bind_parameters(query, {"age": "3.50"})["age"]
    assert isinstance(age, ox.Literal) and age.value == "3.5" and age.datatype.value.endswith("#decimal")
    for bad in ["ten", "1e3", "NaN", "3; DROP ALL", ""]:
        with pytest.raises(DrugkgError, match="not a decimal"):
            bind_parameters(query, {"age": bad})
    assert resolve_term(Parameter("n", "integer"), " 12 ") == ox.Literal(
        "12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    with pytest.raises(DrugkgError, match="not an integer"):
        resolve_term(Parameter("n", "integer"), "12.5")


def test_age_parameter_changes_the_answer() -> None:
    assert {r[2].value for r in _rows("routes-unstudied-at-age", {"age": "3"})} == {"oral", "intrathecal"}
    assert {r[2].value for r in _rows("routes-unstudied-at-age", {"age": "10"})} == {"oral"}
    assert _rows("routes-unstudied-at-age", {"age": "12"}) == []


def test_unknown_and_missing_parameters() -> None:
    query = find_query("warnings-for-population")
    with pytest.raises(DrugkgError, match=r"has no parameter 'populaton'.*population"):
        bind_parameters(query, {"populaton": "elderly"})
    from drugkg.catalogue import CatalogueQuery

    required = CatalogueQuery("q", "t", "q?", (), (Parameter("x", "IRI"),), "SELECT ?x WHERE { ?x ?p ?o }", query.path)
    with pytest.raises(DrugkgError, match="needs the parameter 'x'"):
        bind_parameters(required, {})


def test_param_assignments_from_the_command_line() -> None:
    assert parse_param_assignments(["a=b", "?c=d=e"]) == {"a": "b", "c": "d=e"}
    for bad in (["novalue"], ["1x=y"], ["a=b", "a=c"], ["a b=c"]):
        with pytest.raises(DrugkgError):
            parse_param_assignments(bad)


def test_adhoc_parameters_guess_iris_and_strings() -> None:
    terms = adhoc_parameters(
        {"d": "res:drug/baclofen", "n": "baclofen", "u": "https://example.org/x", "q": '"} DROP ALL {'}
    )
    assert terms["d"] == ox.NamedNode(RES + "drug/baclofen")
    assert terms["n"] == ox.Literal("baclofen")
    assert terms["u"] == ox.NamedNode("https://example.org/x")
    assert terms["q"] == ox.Literal('"} DROP ALL {')


def test_with_values_opens_the_where_group() -> None:
    term = ox.Literal('x"} # {')
    text = 'PREFIX a: <http://e/x#>\nSELECT ?n (1 AS ?k) # { not here\nWHERE { ?s a:p "}{" . ?s ?p ?n }'
    out = with_values(text, {"n": term})
    assert 'WHERE {\n  VALUES (?n) { ("x\\"} # {") }' in out
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert with_values(construct, {"s": ox.NamedNode("http://e/")}).startswith(
        "CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES (?s)"
    )
    ask = "ASK { ?s ?p ?o }"
    assert with_values(ask, {"s": ox.NamedNode("http://e/")}).startswith("ASK {\n  VALUES (?s)")
    with pytest.raises(DrugkgError, match="no WHERE group"):
        with_values("DESCRIBE ?s", {"s": ox.NamedNode("http://e/")})


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
# "convulsion" was a synonym of seizure until issue 16 gave convulsions their own finding: hypotonia
# (label "low muscle tone", synonym "hypotonia") is the label/synonym pair these tests use now.
@pytest.mark.parametrize("value", ["Hypotonia", "HYPOTONIA", "  hypotonia ", "hYpOtOnIa"])
def test_a_name_parameter_matches_in_any_letter_case(value: str, engine: str) -> None:
    expected = _rows("drugs-causing-effect-by-name", {"name": "hypotonia"}, engine)
    assert expected and all(row[1] == ox.NamedNode(RES + "finding/hypotonia") for row in expected)
    assert _rows("drugs-causing-effect-by-name", {"name": value}, engine) == expected


def test_a_name_parameter_finds_an_effect_by_its_label_as_by_its_synonym() -> None:
    by_label = {row[2:] for row in _rows("drugs-causing-effect-by-name", {"name": "Low muscle tone"})}
    by_synonym = {row[2:] for row in _rows("drugs-causing-effect-by-name", {"name": "Hypotonia"})}
    assert by_label == by_synonym and len(by_label) >= 2


def test_a_name_parameter_is_bound_as_its_lower_case_search_key() -> None:
    assert resolve_term(Parameter("name", "name"), " Muscle Weakness ") == ox.Literal("muscle weakness")


def test_group_by_key_parameter_is_bound_exactly() -> None:
    """rdflib writes `SELECT ?x ... GROUP BY ?x` as a SAMPLE of ?x: that is no AS target."""
    from drugkg.sparql import binding_problem

    text = "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x"
    assert binding_problem(text, "x") is None
    assert binding_problem(text, "o") == "it is aggregated, not a GROUP BY variable"
    assert binding_problem("SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x LIMIT 1", "x") == (
        "the query has LIMIT or OFFSET, which would cut the bound answer differently"
    )


def _answer(result: object) -> object:
    import collections

    table = to_table(result)  # type: ignore[arg-type]
    if table.form == "ASK":
        return table.boolean
    return table.variables, collections.Counter(table.rows)


CATALOGUE_PARAMETERS = [
    (q.name, p.name)
    for q in __import__("drugkg.catalogue").catalogue.load_catalogue()
    for p in q.parameters
    if p.default is not None
]


@pytest.mark.parametrize(("name", "parameter"), CATALOGUE_PARAMETERS)
def test_catalogue_binding_equals_oxigraph_substitution(name: str, parameter: str) -> None:
    """Differential over the catalogue: drugkg's VALUES binding gives what Oxigraph's own
    `substitutions` (SEP-0007) gives, and, where the parameter is returned, exactly the unbound
    answer filtered to the value."""
    query = find_query(name)
    term = bind_parameters(query, {})[parameter]
    ours = run_on_store(store(), query.text, {parameter: term})
    theirs = store().query(query.text, substitutions={ox.Variable(parameter): term}, use_default_graph_as_union=True)
    assert _answer(ours) == _answer(theirs)
    unbound = to_table(run_on_store(store(), query.text))
    column = unbound.variables.index(parameter) if parameter in unbound.variables else None
    # (a parameter used only in expressions, such as ?age in routes-unstudied-at-age, is unbound in every row)
    if column is not None and any(row[column] is not None for row in unbound.rows):
        filtered = [row for row in unbound.rows if row[column] == term]
        assert sorted(map(str, to_table(run_on_store(store(), query.text, {parameter: term})).rows)) == sorted(
            map(str, filtered)
        )
        assert filtered, f"{name}: the default {parameter} gives no rows, so the comparison proves nothing"
