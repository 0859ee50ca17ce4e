"""The SPARQL 1.1 Protocol on /sparql: read the request, screen it, run it in a worker, answer."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from drugkg.errors import DrugkgError
from drugkg.param_resolution import HINT_HEADER, values_hint
from drugkg.server.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    NotAcceptable,
    choose,
)
from drugkg.server.safety import QueryRefused, screen_query
from drugkg.server.workers import QueryFailed, QueryJob, QueryTimeout

__all__ = [
    "sparql_endpoint",
    "service_description",
    "ProtocolError",
    "MAX_ROWS_HEADER",
    "SD",
]

log = logging.getLogger("drugkg.serve")

MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


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
    return PlainTextResponse(message + "\n", status_code=status)


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
        raise ProtocolError(
            f"the '{name}' parameter is given {len(values)} times; give it once"
        )
    return values[0] if values else None


async def _parse(request: Request, max_query_bytes: int) -> SparqlRequest:
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    params = url_params
    query: str | None
    if request.method in ("GET", "HEAD"):
        query = _single(params, "query")
    elif request.method == "POST":
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        # Room for the other form fields (graph IRIs, format) beside a query of the maximum size.
        body = await _read_body(request, max_query_bytes * 3 + 8192, max_query_bytes)
        if media == _FORM:
            try:
                params = parse_qs(
                    body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
                )
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
    else:  # pragma: no cover - the route only admits GET, HEAD and POST
        raise ProtocolError(f"method {request.method} not allowed", 405)
    return SparqlRequest(
        query=query,
        update="update" in params,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        format_param=tuple(params.get("format", [])),
    )


def _check_iris(iris: tuple[str, ...], name: str) -> None:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProtocolError(f"{name} {iri!r} is not an absolute IRI") from None


def service_description(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (read-only: no SPARQL 1.1 Update)."""
    sd = lambda local: ox.NamedNode(SD + local)  # noqa: E731 - a local namespace helper
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
                "Read-only: SPARQL 1.1 Update is not supported (403), and SERVICE (federation) is refused. "
                "The default graph is the union of all named graphs."
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
        triples.append(
            ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS_NS + name))
        )
    for graph in graphs:
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


async def _describe_service(
    request: Request, format_param: tuple[str, ...]
) -> Response:
    from drugkg.server.serialization import serialize_triples

    accept = request.headers.get("accept")
    try:
        fmt = choose((*GRAPH_FORMATS, HTML), accept, format_param)
    except NotAcceptable as err:
        return _error(406, str(err))
    if fmt is HTML and not format_param and "text/html" in (accept or ""):
        return RedirectResponse(
            "/", status_code=303
        )  # a person with a browser: the query page
    if fmt is HTML:
        fmt = GRAPH_FORMATS[-1]
    endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
    graphs = sorted(
        g.value
        for g in request.app.state.store.named_graphs()
        if isinstance(g, ox.NamedNode)
    )
    from drugkg.server.browsing import service_description_links

    triples = service_description(endpoint, graphs)
    body = serialize_triples(triples + service_description_links(triples, endpoint), fmt.key)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def sparql_endpoint(request: Request) -> Response:
    """GET or POST /sparql (SPARQL 1.1 Protocol, query operation only)."""
    state = request.app.state
    config = state.config
    try:
        parsed = await _parse(request, config.max_query_bytes)
    except ProtocolError as err:
        return _error(err.status, err.message)
    if parsed.update:
        return _error(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if parsed.query is None:
        return await _describe_service(request, parsed.format_param)
    try:
        screened = screen_query(parsed.query, max_length=config.max_query_bytes)
        _check_iris(parsed.default_graphs, "default-graph-uri")
        _check_iris(parsed.named_graphs, "named-graph-uri")
    except QueryRefused as err:
        log.info("refused (%s): %s", err.status, err.message)
        return _error(err.status, err.message)
    except ProtocolError as err:
        return _error(err.status, err.message)
    formats = GRAPH_FORMATS if screened.is_graph else RESULT_FORMATS
    try:
        fmt = choose(formats, request.headers.get("accept"), parsed.format_param)
    except NotAcceptable as err:
        return _error(406, f"cannot answer a {screened.form} query so: {err}")
    job = QueryJob(
        text=parsed.query,
        format_key=fmt.key,
        max_rows=config.max_rows,
        default_graphs=parsed.default_graphs,
        named_graphs=parsed.named_graphs,
    )
    started = time.perf_counter()
    try:
        answer = await state.runner.run(job)
    except QueryTimeout:
        log.warning("query stopped after the %g s time limit", config.timeout)
        return _error(
            503,
            f"query stopped: it ran past this endpoint's time limit of {config.timeout:g} s. "
            "Make it more selective (or add LIMIT) and try again.",
        )
    except QueryFailed as err:
        return _error(err.status, err.message)
    elapsed = time.perf_counter() - started
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if answer.truncated:
        headers[MAX_ROWS_HEADER] = str(config.max_rows)
        log.info("answer cut at %d rows (the row limit)", config.max_rows)
    log.debug(
        "%s query answered in %.3f s, %d rows", screened.form, elapsed, answer.rows
    )
    if answer.rows == 0 and not screened.is_graph:
        hint = await run_in_threadpool(_empty_answer_hint, state.store, parsed.query)
        if hint:
            headers[HINT_HEADER] = hint
    return Response(answer.body, media_type=fmt.content_type, headers=headers)


def _empty_answer_hint(store: ox.Store, query: str) -> str | None:
    """Why an answer may be empty: drugkg resources in the query's VALUES row that do not exist."""
    from drugkg.querying import run_on_store

    try:
        hint = values_hint(lambda text, bindings: run_on_store(store, text, bindings), query)
    except DrugkgError:
        return None
    return None if hint is None else hint.encode("latin-1", "replace").decode("latin-1")[:2000]
