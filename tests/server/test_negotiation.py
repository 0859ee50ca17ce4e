"""drugkg.server.negotiation.choose: the format for an Accept header, cached or not, and its refusals."""

from __future__ import annotations

import pytest

from drugkg.server.negotiation import GRAPH_FORMATS, RESULT_FORMATS, NotAcceptable, choose

_NOISE = ", ".join(f"x-noise/type{k};q=0.01" for k in range(60))  # past the cached length


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv, application/sparql-results+json;q=0.5", "csv"),
        ("application/xml", "xml"),
        ("text/tab-separated-values;q=0.9, application/json;q=0.8", "tsv"),
        ("not a media type", "json"),
    ],
)
def test_results_by_accept_cached_and_not(accept: str | None, key: str) -> None:
    assert choose(RESULT_FORMATS, accept).key == key
    assert choose(RESULT_FORMATS, accept).key == key  # from the cache
    if accept:
        assert len(accept + ", " + _NOISE) > 512
        assert choose(RESULT_FORMATS, accept + ", " + _NOISE).key == key


def test_graphs_by_accept() -> None:
    assert choose(GRAPH_FORMATS, "application/n-triples").key == "ntriples"
    assert choose(GRAPH_FORMATS, "*/*").key == "turtle"
    assert choose(GRAPH_FORMATS, "text/n3").key == "turtle"


def test_format_parameter_wins_over_accept() -> None:
    assert choose(RESULT_FORMATS, "text/csv", ["srx"]).key == "xml"


@pytest.mark.parametrize("accept", ["image/png", "image/png, " + _NOISE])
def test_nothing_acceptable_is_refused_with_the_offer(accept: str) -> None:
    with pytest.raises(NotAcceptable, match="offered here; offered: text/tab-separated-values, text/csv"):
        choose(RESULT_FORMATS, accept)
    with pytest.raises(NotAcceptable):
        choose(RESULT_FORMATS, accept)  # refusals are not cached as answers
