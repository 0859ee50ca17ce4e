"""Every catalogue query (and every extra case of tests/query/expected/cases.json) gives its golden answer,
on Oxigraph and on rdflib's engine, with parameters bound by substitution/initBindings and by VALUES."""

from __future__ import annotations

import pytest
from support.queries import (
    all_cases,
    assert_same_answer,
    expected_table,
    rdflib_graph,
    store,
)

from drugkg.querying import (
    bind_parameters,
    find_query,
    run_on_graph,
    run_on_store,
    to_table,
    with_values,
)

CASES = all_cases()


@pytest.mark.parametrize("case", sorted(CASES))
def test_oxigraph_gives_the_golden_answer(case: str) -> None:
    name, params = CASES[case]
    query = find_query(name)
    result = run_on_store(store(), query.text, bind_parameters(query, params))
    assert_same_answer(expected_table(case), to_table(result), f"{case} on Oxigraph")


@pytest.mark.parametrize("case", sorted(CASES))
def test_rdflib_gives_the_same_answer_as_oxigraph(case: str) -> None:
    name, params = CASES[case]
    query = find_query(name)
    result = run_on_graph(rdflib_graph(), query.text, bind_parameters(query, params))
    assert_same_answer(expected_table(case), to_table(result), f"{case} on rdflib")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_block_binding_gives_the_same_answer(case: str, engine: str) -> None:
    """The VALUES form (used for remote endpoints and published examples) agrees with substitution."""
    name, params = CASES[case]
    query = find_query(name)
    text = with_values(query.text, bind_parameters(query, params))
    if engine == "oxigraph":
        result = run_on_store(store(), text)
    else:
        result = run_on_graph(rdflib_graph(), text)
    assert_same_answer(expected_table(case), to_table(result), f"{case} with VALUES on {engine}")


def test_every_golden_file_belongs_to_a_case() -> None:
    from support.queries import EXPECTED_DIR

    stray = sorted(p.stem for p in EXPECTED_DIR.glob("*.srj") if p.stem not in CASES)
    assert not stray, f"golden files with no query or case: {stray}"
