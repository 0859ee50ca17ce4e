"""`drugkg query` on a build's store, run in a worker process under time, memory and row limits.

The same worker and protocol as `drugkg serve` (drugkg.execution): the query cannot hang the
terminal, fill the machine's memory, or reach the network (the worker is cut off it). The
answer comes back serialised (SPARQL JSON results, or N-Triples for graphs) and is read into the
same pyoxigraph result objects as an in-process query, so the writers are the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.execution import JobFailed, Limits, Unavailable, run_once
from drugkg.querying import Result
from drugkg.rdfconvert import OxTerm
from drugkg.sparql import analyse, request_dataset, with_values

__all__ = ["DEFAULT_CLI_LIMITS", "run_limited"]

DEFAULT_CLI_LIMITS = Limits(timeout=60.0, memory_mb=2048, max_rows=10_000)  # rows as the endpoint's default


def _failure(err: JobFailed) -> DrugkgError:
    message = err.message.strip().splitlines()[0]
    if message.startswith("syntax error: "):
        return DrugkgError(
            f"SPARQL syntax error: {message[len('syntax error: ') :]}", expected="a valid SPARQL 1.1 query"
        )
    if "projection" in message:
        return DrugkgError(
            f"cannot bind the parameters: {message}", expected="every parameter variable in the SELECT clause"
        )
    return DrugkgError(f"the query failed: {message}")


def run_limited(
    store_dir: Path,
    text: str,
    bindings: Mapping[str, OxTerm] | None = None,
    limits: Limits = DEFAULT_CLI_LIMITS,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
) -> tuple[Result, int | None, bool]:
    """Evaluate like `querying.run_on_store`, in a worker under `limits`: (result, rows kept, whether cut;
    the rows are counted when cut).

    DrugkgError (or QueryRefused from the policy) on failure."""
    from drugkg.execution.jobs import QueryJob

    query = analyse(text)
    dataset = request_dataset(query.dataset, default_graphs, named_graphs, base=base_iri)
    job = QueryJob(
        text=with_values(text, bindings or {}),
        format_key="auto",
        max_rows=limits.max_rows,
        dataset=dataset,
        base_iri=base_iri,
    )
    try:
        kind, truncated, rows, body, _ = run_once(store_dir, job, limits)
    except JobFailed as err:
        raise _failure(err) from None
    except Unavailable as err:
        raise DrugkgError(
            err.message,
            expected="a more selective query, other limits "
            "(--timeout, --memory-mb), or --no-limits for a query you trust",
        ) from None
    if kind == "graph":
        return ox.parse(body, format=ox.RdfFormat.N_TRIPLES), rows, truncated  # type: ignore[return-value]
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), rows, truncated
