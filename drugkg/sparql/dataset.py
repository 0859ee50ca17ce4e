"""The RDF dataset a query runs over (SPARQL 1.1 Query 13, Protocol 2.1.4), as Oxigraph's query options.

- The protocol's `default-graph-uri` / `named-graph-uri` override the query's FROM / FROM NAMED.
- Either way, a dataset that names only default graphs has no named graphs (`GRAPH ?g` sees
  none), and one that names only named graphs has an empty default graph.
- With neither, the default graph is the union of all the graphs of the store and every named
  graph is available to `GRAPH`: drugkg's documented default dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox

from drugkg.sparql.policy import DatasetClause, QueryRefused

__all__ = ["Dataset", "request_dataset", "store_options"]


@dataclass(frozen=True)
class Dataset:
    """Graphs by IRI; None means drugkg's default (the union of all graphs / every named graph)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    def __reduce__(self) -> tuple[type[Dataset], tuple[tuple[str, ...] | None, tuple[str, ...] | None]]:
        return (Dataset, (self.default_graphs, self.named_graphs))  # part of every job sent to a worker


def _checked(iris: Sequence[str], what: str) -> tuple[str, ...]:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise QueryRefused(f"{what} {iri!r} is not an absolute IRI", 400) from None
    return tuple(iris)


def request_dataset(
    clause: DatasetClause,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    *,
    base: str | None = None,
) -> Dataset:
    """The dataset of one request: the protocol's graphs if any are given, else the query's, else the default.

    FROM IRIs still relative after the query's BASE are resolved against `base` (the request's IRI).
    """
    if default_graph_uris or named_graph_uris:
        return Dataset(_checked(default_graph_uris, "default-graph-uri"), _checked(named_graph_uris, "named-graph-uri"))
    if clause:
        resolve = (lambda iri: urljoin(base, iri)) if base else (lambda iri: iri)
        return Dataset(
            _checked([resolve(i) for i in clause.default], "FROM"),
            _checked([resolve(i) for i in clause.named], "FROM NAMED"),
        )
    return Dataset()


def store_options(dataset: Dataset) -> dict[str, Any]:
    """Keyword arguments for `pyoxigraph.Store.query` that give exactly `dataset`."""
    options: dict[str, Any] = {}
    if dataset.default_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
    if dataset.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
    return options
