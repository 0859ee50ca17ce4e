"""What a query worker does with a job: evaluate it on its store and serialise the answer.

This code runs inside the worker processes of `drugkg.execution` (which starts, watches, limits
and replaces them). Results are serialised here with pyoxigraph's own serializers, so the
server only forwards bytes. Format "auto" (the CLI's) means SPARQL JSON results for SELECT/ASK
and N-Triples for graphs, both read back losslessly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from drugkg.execution.row_cap import OXIGRAPH_FORMAT_NAMES, cap_solutions
from drugkg.sparql.dataset import Dataset, store_options
from drugkg.sparql.policy import service_in_algebra

if TYPE_CHECKING:
    from drugkg.rdfconvert import OxTerm

__all__ = [
    "Answer",
    "JobFailed",
    "QueryAnswer",
    "QueryJob",
    "QueryRefusedInWorker",
    "answer_job",
    "execute",
    "preload",
]

log = logging.getLogger("drugkg.serve")


class JobFailed(Exception):
    """The worker refused or could not evaluate the job (a 4xx, with the engine's message)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class Answer(NamedTuple):
    """A worker's answer: the body already serialised; `hint` says why a SELECT found nothing."""

    kind: str  # "solutions", "boolean", "graph", or "page:STATUS"
    truncated: bool
    rows: int | None  # None: not counted (drugkg.execution.row_cap)
    body: bytes
    hint: str | None = None


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one query."""

    text: str
    format_key: str
    max_rows: int
    dataset: Dataset = field(
        default_factory=Dataset
    )  # drugkg's default: the union of all graphs, and every named graph
    base_iri: str | None = None
    check_service: bool = True
    hint_when_empty: bool = False  # for people over HTTP: name the VALUES row's unknown resources

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # a job crosses to a worker with each query: its fields as a tuple pickle in a tenth of
        # the time of the dataclass's default (copyreg's __reduce_ex__ and a state dict)
        fields = (self.text, self.format_key, self.max_rows, self.dataset, self.base_iri, self.check_service)
        return (QueryJob, (*fields, self.hint_when_empty))

    def answer(self, store: Any, context: dict[str, Any]) -> Answer:
        """The answer, in the worker process (which holds the store the hint looks in)."""
        answer = execute(store, self)
        hint = None
        if self.hint_when_empty and answer.rows == 0 and answer.kind == "solutions":
            hint = _empty_answer_hint(store, self.text)
        return Answer(answer.kind, answer.truncated, answer.rows, answer.body, hint)


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer; `truncated` says the row cap cut it short, `rows` how many were kept."""

    body: bytes
    truncated: bool
    rows: int | None  # None: not counted (drugkg.execution.row_cap)
    kind: str  # "solutions", "boolean" or "graph"


class QueryRefusedInWorker(JobFailed):
    """The worker's own safety check (rdflib's parse tree) found something not allowed."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message, status)


# ---------------------------------------------------------------- worker process side

_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


def _graph_answer(triples: Any, max_rows: int, format_key: str) -> QueryAnswer:
    import itertools

    from drugkg.serialization import serialize_triples

    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    return QueryAnswer(serialize_triples(kept, format_key), truncated, len(kept), "graph")


def execute(store: Any, job: QueryJob) -> QueryAnswer:
    """Evaluate one query against `store` (runs inside a worker process)."""
    import dataclasses

    import pyoxigraph

    if job.check_service and service_in_algebra(job.text):
        raise QueryRefusedInWorker(
            "SERVICE is not allowed: this endpoint never fetches other URLs (federated queries are refused)"
        )
    options = store_options(job.dataset)
    try:
        result = store.query(job.text, base_iri=job.base_iri, **options)
        graph = not isinstance(result, (pyoxigraph.QueryBoolean, pyoxigraph.QuerySolutions))
        if job.format_key == "auto":
            job = dataclasses.replace(job, format_key="ntriples" if graph else "json")
        if graph != (job.format_key in _GRAPH_FORMATS):
            raise JobFailed(
                f"the format asked for ({job.format_key}) does not fit this kind of query",
                406,
            )
        if isinstance(result, pyoxigraph.QueryBoolean):
            fmt = getattr(pyoxigraph.QueryResultsFormat, OXIGRAPH_FORMAT_NAMES[job.format_key])
            return QueryAnswer(result.serialize(format=fmt) or b"", False, 1, "boolean")
        if isinstance(result, pyoxigraph.QuerySolutions):
            capped = cap_solutions(result, job.max_rows, job.format_key)
            return QueryAnswer(capped.body, capped.truncated, capped.rows, "solutions")
        return _graph_answer(result, job.max_rows, job.format_key)
    except (JobFailed, MemoryError):
        raise
    except SyntaxError as err:
        raise JobFailed(f"syntax error: {err}", 400) from None
    except Exception as err:
        raise JobFailed(f"the query could not be evaluated: {type(err).__name__}: {err}", 400) from None


def _empty_answer_hint(store: Any, text: str) -> str | None:
    """Why an answer may be empty: drugkg resources in the query's VALUES row that do not exist.

    The hint's own queries are fixed and need no policy check; they run over the union of all
    graphs, the ASK with its value as a substitution (Oxigraph substitutes only projected
    variables, so the SELECTs take theirs as a VALUES block)."""
    import pyoxigraph

    from drugkg.param_resolution import values_hint
    from drugkg.querying import with_values

    def run(query: str, bindings: Mapping[str, OxTerm]) -> Any:
        if query.lstrip().startswith("ASK"):
            values = {pyoxigraph.Variable(name): value for name, value in bindings.items()}
            return store.query(query, use_default_graph_as_union=True, substitutions=values)
        return store.query(with_values(query, bindings), use_default_graph_as_union=True)

    try:
        hint = values_hint(run, text)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        return None
    return None if hint is None else hint.encode("latin-1", "replace").decode("latin-1")[:2000]


def answer_job(store: Any, job: Any, context: dict[str, Any]) -> Answer:
    """A worker's answer to any job that has an `answer(store, context)` method.

    Jobs bring their own code (a QueryJob here, a PageJob in drugkg.server.page_jobs), so the
    execution layer never imports the layers that send it work."""
    answer = getattr(job, "answer", None)
    if answer is None:
        raise JobFailed(f"unknown job {type(job).__name__}", 400)
    return answer(store, context)


def preload() -> None:
    """Import what every query needs now, so that a fresh worker's first answer is not slow.

    Not rdflib's parser (only queries naming SERVICE need it, and it costs ~0.3 s of a fresh
    worker's start) nor the page code (imported by the first page job).
    """
    import pyoxigraph  # noqa: F401
