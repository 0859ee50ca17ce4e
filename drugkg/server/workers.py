"""Run SPARQL queries in worker processes that can be killed when a query runs out of time.

pyoxigraph's `Store.query` cannot be cancelled, so each query runs in a process of a pebble
`ProcessPool`: on time-out pebble kills that process (stopping the query for real) and starts a
fresh one, while the other workers go on answering. Each worker opens the store read-only.
Results are serialized in the worker with pyoxigraph's own serializers.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "QueryJob",
    "QueryAnswer",
    "QueryRunner",
    "QueryTimeout",
    "QueryFailed",
    "QueryRefusedInWorker",
    "execute",
    "worker_status",
]

log = logging.getLogger("drugkg.serve")


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one query."""

    text: str
    format_key: str
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer; `truncated` says the row cap cut it short, `rows` how many were kept."""

    body: bytes
    truncated: bool
    rows: int
    kind: str  # "solutions", "boolean" or "graph"


class QueryFailed(Exception):
    """The engine refused the query: a syntax error (`status` 400) or an evaluation error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(
            message, status
        )  # both in args: the exception crosses a process boundary
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class QueryRefusedInWorker(QueryFailed):
    """The worker's own safety check (rdflib's parse tree) found something not allowed."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message, status)


class QueryTimeout(Exception):
    """The query ran past the time limit and its worker was killed."""


# ---------------------------------------------------------------- worker process side

_STORE: Any = None
_SANDBOXED = False
_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
_RESULT_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}


def _open_store(path: str) -> None:
    """Pool initializer: open the store read-only once per worker process."""
    global _STORE
    import signal

    import pyoxigraph

    # pebble stops a timed-out worker with SIGTERM and, 3 s later, SIGKILL. Its own SIGTERM
    # handler is Python code, which cannot run while the engine is busy in Rust, so a stuck
    # query would hold the pool (and every other query) for those 3 s: die at once instead.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _SANDBOXED
    from drugkg.server.sandbox import block_network

    _SANDBOXED = block_network()

    _STORE = pyoxigraph.Store.read_only(path)


class _StopAfterLines(io.RawIOBase):
    """A sink that keeps what it is given and stops the writer once `limit` lines have come."""

    class Enough(Exception):
        pass

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        if self.buffer.count(b"\n") >= self.limit:
            raise self.Enough()
        return len(data)


def _cap_solutions(solutions: Any, max_rows: int, format_key: str) -> QueryAnswer:
    """Serialize at most `max_rows` solutions, stopping evaluation soon after the cap.

    The solutions stream into TSV (one line per solution, lossless for RDF terms); once the
    header and max_rows + 1 lines are in, the stream is stopped, the TSV is cut to the cap,
    read back with pyoxigraph's parser and written out in the requested format.
    """
    import pyoxigraph

    sink = _StopAfterLines(
        max_rows + 2
    )  # header + max_rows + one more to know there is more
    try:
        solutions.serialize(sink, pyoxigraph.QueryResultsFormat.TSV)
    except _StopAfterLines.Enough:
        pass
    lines = bytes(sink.buffer).split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows = lines[1:]
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    tsv = b"\n".join([lines[0], *rows]) + b"\n" if lines else b""
    fmt = getattr(pyoxigraph.QueryResultsFormat, _RESULT_FORMATS[format_key])
    if format_key == "tsv":
        return QueryAnswer(tsv, truncated, len(rows), "solutions")
    parsed = pyoxigraph.parse_query_results(tsv, pyoxigraph.QueryResultsFormat.TSV)
    return QueryAnswer(parsed.serialize(format=fmt), truncated, len(rows), "solutions")


def _graph_answer(triples: Any, max_rows: int, format_key: str) -> QueryAnswer:
    import itertools

    from drugkg.server.serialization import serialize_triples

    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    return QueryAnswer(
        serialize_triples(kept, format_key), truncated, len(kept), "graph"
    )


def worker_status() -> dict[str, Any]:
    """What a worker reports about itself: its pid and whether it is cut off the network."""
    import os

    return {"pid": os.getpid(), "network_blocked": _SANDBOXED}


def execute(job: QueryJob) -> QueryAnswer:
    """Evaluate one query against the worker's store (runs inside a worker process)."""
    import pyoxigraph

    from drugkg.server.safety import service_in_algebra

    if service_in_algebra(job.text):
        raise QueryRefusedInWorker(
            "SERVICE is not allowed: this endpoint never fetches other URLs (federated queries are refused)"
        )
    options: dict[str, Any] = {}
    if job.default_graphs:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    try:
        result = _STORE.query(job.text, base_iri=job.base_iri, **options)
        graph = not isinstance(
            result, (pyoxigraph.QueryBoolean, pyoxigraph.QuerySolutions)
        )
        if graph != (job.format_key in _GRAPH_FORMATS):
            raise QueryFailed(
                f"the format asked for ({job.format_key}) does not fit this kind of query",
                406,
            )
        if isinstance(result, pyoxigraph.QueryBoolean):
            fmt = getattr(
                pyoxigraph.QueryResultsFormat, _RESULT_FORMATS[job.format_key]
            )
            return QueryAnswer(result.serialize(format=fmt), False, 1, "boolean")
        if isinstance(result, pyoxigraph.QuerySolutions):
            return _cap_solutions(result, job.max_rows, job.format_key)
        return _graph_answer(result, job.max_rows, job.format_key)
    except QueryFailed:
        raise
    except SyntaxError as err:
        raise QueryFailed(f"syntax error: {err}", 400) from None
    except Exception as err:  # noqa: BLE001 - reported to the client, never as a traceback
        raise QueryFailed(
            f"the query could not be evaluated: {type(err).__name__}: {err}", 500
        ) from None


def _warm(delay: float = 0.05) -> dict[str, Any]:
    """A warm-up task: opens nothing new, reports the worker's status (the sleep spreads the tasks)."""
    import time

    time.sleep(delay)
    return worker_status()


# ---------------------------------------------------------------- server process side


@dataclass
class QueryRunner:
    """A pool of worker processes answering queries against one store, with a per-query time limit."""

    store_path: Path
    timeout: float
    workers: int = 2
    _pool: Any = field(default=None, init=False, repr=False)

    def start(self) -> None:
        from pebble import ProcessPool

        # "spawn": a worker must not inherit the server's threads or its open store handle.
        self._pool = ProcessPool(
            max_workers=self.workers,
            initializer=_open_store,
            initargs=(str(self.store_path),),
            context=multiprocessing.get_context("spawn"),
        )

    def warm_up(self) -> list[dict[str, Any]]:
        """Start every worker now (each opens the store), so the first queries are not slow.

        Returns each worker's status; logs a warning when a worker could not be cut off the network.
        """
        futures = [
            self._pool.schedule(_warm, timeout=60) for _ in range(self.workers * 2)
        ]
        statuses = [future.result() for future in futures]
        if not all(s["network_blocked"] for s in statuses):
            log.warning(
                "query workers could not be cut off the network (seccomp unavailable here); "
                "SERVICE is still refused before evaluation"
            )
        return statuses

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=5)
            self._pool = None

    async def run(self, job: QueryJob) -> QueryAnswer:
        """Answer `job`; raise QueryTimeout, QueryFailed or QueryRefusedInWorker."""
        from pebble import ProcessExpired

        if self._pool is None:
            raise RuntimeError("the query runner is not started")
        future = self._pool.schedule(execute, args=(job,), timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise QueryTimeout() from None
        except ProcessExpired as err:
            raise QueryFailed(
                f"the query worker died ({err}); it has been restarted", 500
            ) from None
        except asyncio.CancelledError:
            future.cancel()  # the client went away: pebble stops the worker running it
            raise
