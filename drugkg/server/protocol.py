"""The SPARQL 1.1 Protocol on /sparql: read the request, screen it, run it in a worker, answer."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from drugkg.execution import JobFailed, Unavailable
from drugkg.execution.jobs import Answer, QueryJob
from drugkg.namespaces import RDF_TYPE
from drugkg.param_resolution import HINT_HEADER
from drugkg.server.clients import client_of
from drugkg.server.config import ServerConfig
from drugkg.server.formdata import parse_fields
from drugkg.server.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    Format,
    NotAcceptable,
    choose,
)
from drugkg.server.safety import QueryRefused, screen_query
from drugkg.sparql import request_dataset

__all__ = [
    "MAX_ROWS_HEADER",
    "SD",
    "TRUNCATED",
    "WATCH_AFTER",
    "PlannedQuery",
    "ProtocolError",
    "Reply",
    "answer_reply",
    "error_reply",
    "failure_reply",
    "parse_get",
    "plan_query",
    "service_description",
    "sparql_endpoint",
]

log = logging.getLogger("drugkg.serve")

MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
# Named in the `link` of a JSON or XML result's head when the row cap cut it (docs/queries.md).
TRUNCATED = "https://w3id.org/drugkg/vocab#TruncatedResult"
# A graph that is never in the store: an empty default graph for Oxigraph's `default_graph` option.
SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode(RDF_TYPE)
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_PLAIN = "text/plain; charset=utf-8"


class ProtocolError(Exception):
    """A request the protocol cannot take; answered with `status` and the message as plain text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SparqlRequest:
    query: str | None
    update: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format_param: tuple[str, ...]


def _error(status: int, message: str) -> Response:
    return as_response(error_reply(status, message))


async def _read_body(request: Request, limit: int, query_limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is longer than `limit` bytes."""
    too_long = f"this endpoint accepts queries of at most {query_limit} bytes"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"request body is {declared} bytes; {too_long}", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProtocolError(f"request body is over {limit} bytes; {too_long}", 413)
    return bytes(body)


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(f"the '{name}' parameter is given {len(values)} times; give it once")
    return values[0] if values else None


def _check_charset(content_type: str) -> None:
    """The SPARQL Protocol's bodies are UTF-8: a declared charset other than that is refused."""
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise ProtocolError(f"the request body must be UTF-8, not {charset}")


def _sparql_request(query: str | None, params: dict[str, list[str]]) -> SparqlRequest:
    return SparqlRequest(
        query=query,
        update="update" in params,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        format_param=tuple(params.get("format", [])),
    )


def parse_get(query_string: bytes) -> SparqlRequest:
    """A GET's request from its query string (ProtocolError when a parameter is given twice)."""
    params = parse_fields(query_string.decode("latin-1"))
    return _sparql_request(_single(params, "query"), params)


async def _parse(request: Request, max_query_bytes: int) -> SparqlRequest:
    if request.method in ("GET", "HEAD"):
        return parse_get(request.scope.get("query_string", b""))
    if request.method != "POST":  # pragma: no cover - the route only admits GET, HEAD and POST
        raise ProtocolError(f"method {request.method} not allowed", 405)
    params = url_params = parse_fields(request.scope.get("query_string", b"").decode("latin-1"))
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    _check_charset(content_type)
    # Room for the other form fields (graph IRIs, format) beside a query of the maximum size.
    body = await _read_body(request, max_query_bytes * 3 + 8192, max_query_bytes)
    query: str | None
    if media == _FORM:
        try:
            params = parse_fields(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise ProtocolError("the form body is not UTF-8") from None
        for key, values in url_params.items():
            params.setdefault(key, values)
        query = _single(params, "query")
    elif media == _QUERY:
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("the query is not UTF-8") from None
    elif media == _UPDATE:
        return SparqlRequest(None, True, (), (), ())
    else:
        raise ProtocolError(
            f"unsupported Content-Type {media or '(none)'!r}; send {_QUERY} or {_FORM}",
            415,
        )
    return _sparql_request(query, params)


def _mark_truncated(body: bytes, format_key: str) -> bytes:
    """Name TRUNCATED in the `link` of the result's head (JSON and XML results; other formats have none)."""
    if format_key == "json" and b'"head":{' in body:
        end = body.index(b"}", body.index(b'"head":{'))
        separator = b"," if body[end - 1 : end] != b"{" else b""
        return body[:end] + separator + b'"link":["' + TRUNCATED.encode() + b'"]' + body[end:]
    if format_key == "xml" and b"</head>" in body:
        return body.replace(b"</head>", b'<link href="' + TRUNCATED.encode() + b'"/></head>', 1)
    return body


def service_description(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (read-only: no SPARQL 1.1 Update)."""

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    service = ox.BlankNode()
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(
            service,
            ox.NamedNode("http://purl.org/dc/terms/title"),
            ox.Literal("drugkg SPARQL endpoint (read-only)"),
        ),
        ox.Triple(
            service,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                "Read-only: SPARQL 1.1 Update is not supported (403), and SERVICE (federation) and LOAD "
                "are refused. The default graph is the union of all named graphs, and GRAPH ranges over "
                "every named graph, unless the request names its dataset: default-graph-uri and "
                "named-graph-uri override the query's FROM and FROM NAMED, and a dataset naming only "
                "default graphs has no named graphs (only named graphs: an empty default graph). "
                "Relative IRIs resolve against this endpoint's IRI. A result cut at the row limit "
                "carries the X-SPARQL-MaxRows header and, in JSON and XML, the link " + TRUNCATED + "."
            ),
        ),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, _RDF_TYPE, sd("Graph")),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS_NS + name)))
    for graph in graphs:
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    # the dataset description (VoID) of the default dataset, where a browser or a crawler finds it
    void = ox.NamedNode(endpoint.removesuffix("/sparql") + "/.well-known/void")
    triples.append(ox.Triple(dataset, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), void))
    return triples


async def _describe_service(request: Request, format_param: tuple[str, ...]) -> Response:
    from drugkg.serialization import serialize_triples

    accept = request.headers.get("accept")
    try:
        fmt = choose((*GRAPH_FORMATS, HTML), accept, format_param)
    except NotAcceptable as err:
        return _error(406, str(err))
    if fmt is HTML and not format_param and "text/html" in (accept or ""):
        return RedirectResponse("/", status_code=303)  # a person with a browser: the query page
    if fmt is HTML:
        fmt = GRAPH_FORMATS[-1]
    endpoint = request.app.state.config.public_url + "sparql"  # never the request's Host
    graphs = sorted(g.value for g in request.app.state.store.named_graphs() if isinstance(g, ox.NamedNode))
    body = serialize_triples(service_description(endpoint, graphs), fmt.key)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


class Reply(NamedTuple):
    """An answer's status, body, media type and headers, before it is written as HTTP."""

    status: int
    body: bytes
    content_type: str | None = _PLAIN
    headers: tuple[tuple[str, str], ...] = ()


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, (message + "\n").encode("utf-8"))


def unavailable_reply(err: Unavailable) -> Reply:
    """503 or 429 with Retry-After, for a query not answered for capacity or budget."""
    headers = (("Retry-After", str(err.retry_after)),) if err.retry_after else ()
    return Reply(err.status, (err.message + "\n").encode("utf-8"), headers=headers)


def failure_reply(err: BaseException) -> Reply:
    """The reply for a query the executor did not answer: its own status, or 503."""
    if isinstance(err, Unavailable):
        return unavailable_reply(err)
    if isinstance(err, JobFailed):
        return error_reply(err.status, err.message)
    log.error("query not answered: %r", err)
    return error_reply(503, "the query could not be run just now; try again")


def as_response(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.content_type, headers=dict(reply.headers))


class PlannedQuery(NamedTuple):
    """A screened query: the job for a worker, and the format its answer is written in."""

    job: QueryJob
    fmt: Format


def plan_query(parsed: SparqlRequest, accept: str | None, config: ServerConfig) -> PlannedQuery | Reply:
    """The job for a request that names a query (or update), or the reply refusing it."""
    if parsed.update:
        return error_reply(403, "SPARQL Update is not allowed: this endpoint is read-only")
    assert parsed.query is not None
    endpoint = config.public_url + "sparql"  # relative IRIs resolve against it, never against the request's Host
    try:
        screened = screen_query(parsed.query, max_length=config.max_query_bytes)
        dataset = request_dataset(screened.parsed.dataset, parsed.default_graphs, parsed.named_graphs, base=endpoint)
    except QueryRefused as err:
        log.info("refused (%s): %s", err.status, err.message)
        return error_reply(err.status, err.message)
    formats = GRAPH_FORMATS if screened.is_graph else RESULT_FORMATS
    try:
        fmt = choose(formats, accept, parsed.format_param)
    except NotAcceptable as err:
        return error_reply(406, f"cannot answer a {screened.form} query so: {err}")
    job = QueryJob(
        text=parsed.query,
        format_key=fmt.key,
        max_rows=config.max_rows,
        dataset=dataset,
        base_iri=endpoint,
        check_service=False,  # screen_query ran the same policy (drugkg.sparql.policy.analyse) on this text
        hint_when_empty=True,
    )
    return PlannedQuery(job, fmt)


def answer_reply(plan: PlannedQuery, answer: Answer, max_rows: int) -> Reply:
    headers = [("Vary", "Accept"), ("Cache-Control", "no-store")]
    body = answer.body
    if answer.truncated:
        headers.append((MAX_ROWS_HEADER, str(max_rows)))
        body = _mark_truncated(body, plan.fmt.key)
        log.info("answer cut at %d rows (the row limit)", max_rows)
    if answer.hint:
        headers.append((HINT_HEADER, answer.hint))
    return Reply(200, body, plan.fmt.content_type, tuple(headers))


async def sparql_endpoint(request: Request) -> Response:
    """GET or POST /sparql (SPARQL 1.1 Protocol, query operation only)."""
    state = request.app.state
    config = state.config
    try:
        parsed = await _parse(request, config.max_query_bytes)
    except ProtocolError as err:
        return _error(err.status, err.message)
    if parsed.query is None and not parsed.update:
        return await _describe_service(request, parsed.format_param)
    plan = plan_query(parsed, request.headers.get("accept"), config)
    if isinstance(plan, Reply):
        return as_response(plan)
    cache = state.result_cache
    try:
        answer = cache.get(plan.job) or await run_for_client(request, plan.job)
    except ClientGone:
        return Response(b"", status_code=499)
    except Exception as err:
        return as_response(failure_reply(err))
    cache.put(plan.job, answer)
    return as_response(answer_reply(plan, answer, config.max_rows))


WATCH_AFTER = 0.05  # seconds


class ClientGone(Exception):
    """The client closed the connection before its answer was ready."""


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def run_for_client(request: Request, job: object, *, heavy: bool = False) -> Answer:
    """Run `job` in the workers for this request's client; stop it if the client goes away.

    The watch for the client going away starts only once the answer has taken WATCH_AFTER: most
    answers come sooner, and a watch costs a task of its own."""
    executor = request.app.state.executor
    answer: asyncio.Future[Answer] = executor.submit(job, client_of(request), heavy=heavy)
    watching: list[asyncio.Task[None]] = []

    def watch() -> None:
        task = asyncio.ensure_future(_disconnected(request))
        task.add_done_callback(lambda _: answer.cancel())  # the executor drops the job or kills its worker
        watching.append(task)

    timer = asyncio.get_running_loop().call_later(WATCH_AFTER, watch)
    try:
        return await answer
    except asyncio.CancelledError:
        if watching and watching[0].done() and not watching[0].cancelled():
            raise ClientGone() from None
        raise
    finally:
        timer.cancel()
        for task in watching:
            task.cancel()


def unavailable(err: Unavailable) -> Response:
    """503 or 429 with Retry-After, for a query not answered for capacity or budget."""
    return as_response(unavailable_reply(err))
