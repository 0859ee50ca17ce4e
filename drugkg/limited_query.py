"""`drugkg query` on a build's store, run in a worker process under time, memory and row limits.

The same worker and protocol as `drugkg serve` (drugkg.execution): the query cannot hang the
terminal, fill the machine's memory, or reach the network (the worker is cut off it). The
answer comes back serialised (SPARQL JSON results, or N-Triples for graphs) and is read into the
same pyoxigraph result objects as an in-process query, so the writers are the same.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.execution import JobFailed, Limits, Unavailable, run_once
from drugkg.querying import Result, with_values

__all__ = ["DEFAULT_CLI_LIMITS", "run_limited"]

log = logging.getLogger("drugkg.query")
DEFAULT_CLI_LIMITS = Limits(timeout=60.0, memory_mb=2048, max_rows=100_000)


def _failure(err: JobFailed) -> DrugkgError:
    message = err.message.strip().splitlines()[0]
    if message.startswith("syntax error: "):
        return DrugkgError(f"SPARQL syntax error: {message[len('syntax error: '):]}",
                           expected="a valid SPARQL 1.1 query")
    if "projection" in message:
        return DrugkgError(f"cannot bind the parameters: {message}",
                           expected="every parameter variable in the SELECT clause")
    return DrugkgError(f"the query failed: {message}")


def run_limited(store_dir: Path, text: str, bindings: Mapping[str, ox.Term] | None = None,
                limits: Limits = DEFAULT_CLI_LIMITS) -> Result:
    """Evaluate like `querying.run_on_store`, in a worker under `limits`; DrugkgError on failure."""
    from drugkg.server.workers import QueryJob

    unknown = [name for name in (bindings or {}) if not re.search(rf"[?$]{re.escape(name)}\b", text)]
    if unknown:
        raise DrugkgError(f"cannot bind the parameters: the query has no variable ?{unknown[0]}",
                          expected="a parameter NAME that is a variable of the query")
    job = QueryJob(text=with_values(text, bindings or {}), format_key="auto", max_rows=limits.max_rows)
    try:
        kind, truncated, rows, body = run_once(store_dir, job, limits)
    except JobFailed as err:
        raise _failure(err) from None
    except Unavailable as err:
        raise DrugkgError(err.message, expected="a more selective query, other limits "
                          "(--timeout, --memory-mb), or --no-limits for a query you trust") from None
    if truncated:
        log.warning("drugkg query: the answer was cut at %d rows (--max-rows; --no-limits for all)", rows)
    if kind == "graph":
        return ox.parse(body, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
