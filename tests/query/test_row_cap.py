"""The row cap (drugkg.execution.row_cap): JSON written directly gives the bytes the TSV way gives,
cut or not, on answers made to catch the JSON way out (string values holding its separator,
non-ASCII text). tests/query/test_w3c_sparql.py compares the two on every W3C evaluation answer."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from drugkg.execution.row_cap import cap_solutions, through_tsv

CAPS = (1, 2, 3, 10_000)


def both_ways(answer: bytes, cap: int) -> tuple[object, object]:
    """The JSON way and the TSV way, each on its own parse of the same answer (the same order)."""
    fast = cap_solutions(ox.parse_query_results(answer, ox.QueryResultsFormat.JSON), cap, "json")
    slow = through_tsv(ox.parse_query_results(answer, ox.QueryResultsFormat.JSON), cap, "json")
    return fast, slow


def check_both_ways(answer: bytes, cap: int) -> None:
    fast, slow = both_ways(answer, cap)
    assert fast.body == slow.body and fast.truncated == slow.truncated, (cap, fast, slow)
    total = len(json.loads(answer)["results"]["bindings"])
    assert fast.truncated == (total > cap)
    assert len(json.loads(fast.body)["results"]["bindings"]) == min(total, cap)
    assert fast.rows in (None, min(total, cap)) and (total > 0 or fast.rows == 0)


@pytest.mark.parametrize(
    "values",
    [
        ['"a},{b"'] * 7,  # the separator inside string values: the bound is passed early
        ['"},{"', '"x"', '"},{},{"', '"y"', '"z"'],
        ['"é—ü},{"@fr', '"日本"', '"e\\u0301"', '"😀"', '"tab\\there"', '"q\\"uote"'],
        ["<http://example.org/a>", '"x"@en-GB', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'] * 3,
        [],
    ],
)
def test_json_way_equals_the_tsv_way_on_awkward_values(values: list[str]) -> None:
    rows = " ".join(f"({v})" for v in values)
    query = (
        f"SELECT ?v ?n WHERE {{ VALUES (?v) {{ {rows} }} BIND(STRLEN(STR(?v)) AS ?n) }}"
        if values
        else ("SELECT ?v WHERE { FILTER(false) }")
    )
    answer = ox.Store().query(query).serialize(format=ox.QueryResultsFormat.JSON)
    for cap in (*range(1, len(values) + 2), 10_000):
        check_both_ways(answer, cap)


def test_a_large_answer_is_cut_after_the_cap_and_evaluation_stops() -> None:
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.Literal(f"v{i}" + "},{" * 3))
        for i in range(30_000)
    )
    capped = cap_solutions(store.query("SELECT * WHERE { ?s ?p ?o }"), 10_000, "json")
    assert capped.truncated and capped.rows == 10_000
    kept = json.loads(capped.body)["results"]["bindings"]
    assert len(kept) == 10_000 and all(row["o"]["value"].endswith("},{") for row in kept)
