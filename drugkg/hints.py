"""Hints for empty answers: a remote endpoint that keeps drugkg's graphs out of its default graph."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pyoxigraph as ox

from drugkg.querying import Result, run_on_endpoint
from drugkg.rdfconvert import OxTerm

__all__ = ["UNION_HINT", "run_on_endpoint_with_hint"]

log = logging.getLogger("drugkg.query")

UNION_HINT = (
    "drugkg query: the answer is empty, but {url} holds drugkg's data in named graphs and its default "
    "graph has none of it: the store does not query the union of its graphs. Start Oxigraph with "
    "'oxigraph serve --union-default-graph', set Fuseki's unionDefaultGraph, or publish with "
    "'drugkg publish --union-into-default'."
)
_IN_NAMED_GRAPHS = "ASK { GRAPH ?g { ?drug a <https://w3id.org/drugkg/vocab#Drug> } }"
_IN_DEFAULT_GRAPH = "ASK { ?drug a <https://w3id.org/drugkg/vocab#Drug> }"


def _is_empty(result: Result) -> tuple[bool, Result]:
    """Whether a SELECT or CONSTRUCT answer is empty, and the answer again (solutions are read once)."""
    if isinstance(result, ox.QueryBoolean):
        return False, result
    if isinstance(result, ox.QuerySolutions):
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        again = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(again, ox.QuerySolutions)
        empty = next(iter(again), None) is None
        return empty, ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    triples = list(result)
    return not triples, iter(triples)  # type: ignore[return-value]


def run_on_endpoint_with_hint(url: str, text: str, bindings: Mapping[str, OxTerm] | None = None) -> Result:
    """`run_on_endpoint`, plus a warning on stderr when an empty answer is explained by the store
    keeping drugkg's named graphs out of its default graph."""
    empty, result = _is_empty(run_on_endpoint(url, text, bindings))
    if empty and _union_missing(url):
        log.warning(UNION_HINT.format(url=url))
    return result


def _union_missing(url: str) -> bool:
    from drugkg.errors import DrugkgError

    try:
        return bool(run_on_endpoint(url, _IN_NAMED_GRAPHS)) and not bool(run_on_endpoint(url, _IN_DEFAULT_GRAPH))
    except DrugkgError:  # an endpoint that cannot answer the probe: no hint rather than an error
        return False
