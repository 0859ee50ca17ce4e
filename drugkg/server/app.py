"""The Starlette application: routes, CORS, and the store and query workers it runs with."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from drugkg.namespaces import GRAPH, VOCAB_IRI
from drugkg.param_resolution import HINT_HEADER
from drugkg.server.browsing import (
    context_route,
    endpoint_url,
    examples_page,
    for_browsers,
    retarget_examples,
    service_page,
    void_page,
)
from drugkg.server.builddir import BuildFolder
from drugkg.server.config import ServerConfig
from drugkg.server.linkeddata import (
    describe,
    describe_vocabulary,
    graph_triples,
    label_of,
    types_of,
)
from drugkg.server.monograph import DRUG_CLASS, monograph_html
from drugkg.server.negotiation import GRAPH_FORMATS, HTML, NotAcceptable, choose
from drugkg.server.pages import (
    QUERY_PAGE_CSP,
    TermRenderer,
    dumps_page,
    error_page,
    query_page,
    resource_page,
)
from drugkg.server.protocol import MAX_ROWS_HEADER, sparql_endpoint
from drugkg.server.serialization import serialize_triples
from drugkg.server.workers import QueryRunner

__all__ = ["create_app", "STATIC_DIR"]

log = logging.getLogger("drugkg.serve")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
EXAMPLES_GRAPH = str(GRAPH) + "examples"
VOID_GRAPH = str(GRAPH) + "void"
_DUMP_TYPES = {
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".ttl": "text/turtle; charset=utf-8",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".gz": "application/gzip",
}
# Linked-data answers: RDF formats by Accept, and HTML for browsers and for `*/*`.
_LD_FORMATS = (*GRAPH_FORMATS, HTML)


def _negotiate(request: Request, formats: tuple[Any, ...]) -> Any:
    return choose(
        formats, request.headers.get("accept"), request.query_params.get("format")
    )


def _not_found(request: Request, message: str) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(error_page(404, message), status_code=404)
    return PlainTextResponse(message + "\n", status_code=404)


def _local_link(public_base: str) -> Any:
    """IRIs under the public base become paths on this server; other IRIs stay as they are."""

    def link(iri: str) -> str:
        if iri.startswith(public_base):
            return "/" + iri[len(public_base) :]
        return iri

    return link


async def query_page_route(request: Request) -> Response:
    from drugkg.catalogue import load_catalogue
    from drugkg.errors import DrugkgError

    try:
        queries = load_catalogue()
    except DrugkgError as err:  # a broken query file must not take the page down
        log.warning("query catalogue not loaded: %s", err)
        queries = []
    config: ServerConfig = request.app.state.config
    prefixes = request.app.state.build.manifest.get("prefixes")
    html = query_page(queries, "/sparql", base=config.public_base,
                      prefixes=prefixes if isinstance(prefixes, dict) else None)
    return HTMLResponse(html, headers={"Content-Security-Policy": QUERY_PAGE_CSP})


async def linked_data(request: Request) -> Response:
    """A resource, graph or vocabulary IRI under the public base, by content negotiation."""
    state = request.app.state
    config: ServerConfig = state.config
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0].lstrip("/")
    iri = config.public_base + path
    try:
        fmt = _negotiate(request, _LD_FORMATS)
    except NotAcceptable as err:
        return PlainTextResponse(f"{err}\n", status_code=406)
    store = state.store
    terms: list[str] = []
    if iri == VOCAB_IRI:
        description, terms = await run_in_threadpool(describe_vocabulary, store)
        if len(description.outgoing) == 0:
            return _not_found(request, f"the vocabulary {iri} is not in this graph")
    else:
        try:
            description = await run_in_threadpool(describe, store, iri)
        except ValueError:
            return _not_found(request, f"{iri} is not a valid IRI")
        if not description.found:
            return _not_found(request, f"{iri} is not in this graph")
        if path.startswith("examples/"):  # an example runs against this server's endpoint
            description.outgoing = retarget_examples(description.outgoing, endpoint_url(request))
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if fmt is HTML:
        render = TermRenderer(
            _local_link(config.public_base), lambda t: label_of(store, t)
        )
        alternates = [
            ("Turtle", f"/{path}?format=turtle"),
            ("JSON-LD", f"/{path}?format=jsonld"),
            ("N-Triples", f"/{path}?format=ntriples"),
        ]
        monograph = ""
        if ox.NamedNode(DRUG_CLASS) in types_of(description):
            monograph = await run_in_threadpool(monograph_html, store, iri, render.link)
        html = await run_in_threadpool(
            resource_page, description, render, alternates=alternates, terms=terms, before=monograph
        )
        return HTMLResponse(html, headers=headers)
    body = await run_in_threadpool(serialize_triples, description.triples(), fmt.key)
    return Response(body, media_type=fmt.content_type, headers=headers)


async def void_route(request: Request) -> Response:
    """The dataset description: the build's void.ttl (or the void graph of the store)."""
    state = request.app.state
    try:
        fmt = _negotiate(request, GRAPH_FORMATS)
    except NotAcceptable as err:
        return PlainTextResponse(f"{err}\n", status_code=406)
    build: BuildFolder = state.build
    if build.void.is_file():
        if fmt.key == "turtle":
            return Response(
                build.void.read_bytes(),
                media_type=fmt.content_type,
                headers={"Vary": "Accept"},
            )
        triples = [
            q.triple for q in ox.parse(path=str(build.void), format=ox.RdfFormat.TURTLE)
        ]
    else:
        triples = graph_triples(state.store, VOID_GRAPH)
        if not triples:
            return _not_found(
                request, "this build has no dataset description (void.ttl)"
            )
    body = serialize_triples(triples, fmt.key)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def examples_route(request: Request) -> Response:
    """The query catalogue as SPARQL examples: whatever the examples graph holds."""
    try:
        fmt = _negotiate(request, GRAPH_FORMATS)
    except NotAcceptable as err:
        return PlainTextResponse(f"{err}\n", status_code=406)
    triples = await run_in_threadpool(
        graph_triples, request.app.state.store, EXAMPLES_GRAPH
    )
    triples = retarget_examples(triples, endpoint_url(request))
    body = serialize_triples(triples, fmt.key)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def dumps_listing(request: Request) -> Response:
    return HTMLResponse(dumps_page(request.app.state.build.dumps()))


async def dump_file(request: Request) -> Response:
    name = request.path_params["name"]
    files = {f.name: f for f in request.app.state.build.dumps()}
    if name not in files:  # only the listed files: no path ever reaches the file system
        return _not_found(request, f"no dump file named {name!r}; see /dumps/")
    path = files[name]
    return FileResponse(
        path,
        media_type=_DUMP_TYPES.get(path.suffix, "application/octet-stream"),
        filename=name,
    )


def create_app(
    config: ServerConfig, build: BuildFolder, *, runner: QueryRunner | None = None
) -> Starlette:
    """The application serving `build`; the store and the query workers open when it starts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = ox.Store.read_only(str(build.store))
        app.state.runner = runner or QueryRunner(
            build.store, timeout=config.timeout, workers=config.workers
        )
        app.state.runner.start()
        await anyio.to_thread.run_sync(app.state.runner.warm_up)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(app.state.runner.stop)

    routes = [
        Route("/", query_page_route, methods=["GET"]),
        Route("/sparql", for_browsers(sparql_endpoint, service_page), methods=["GET", "POST"]),
        Route("/.well-known/void", for_browsers(void_route, void_page), methods=["GET"]),
        Route("/.well-known/sparql-examples", for_browsers(examples_route, examples_page), methods=["GET"]),
        Route("/context.jsonld", context_route, methods=["GET"]),
        Route("/dataset", linked_data, methods=["GET"]),
        Route("/dataset/{rest:path}", linked_data, methods=["GET"]),
        Route("/examples/{rest:path}", linked_data, methods=["GET"]),
        Route("/dumps/", dumps_listing, methods=["GET"]),
        Route("/dumps/{name}", dump_file, methods=["GET"]),
        Route("/vocab", linked_data, methods=["GET"]),
        Route("/resource/{rest:path}", linked_data, methods=["GET"]),
        Route("/graph/{rest:path}", linked_data, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=[
                MAX_ROWS_HEADER,
                HINT_HEADER,
                "Content-Type",
                "Content-Disposition",
                "Link",
            ],
            max_age=86400,
        )
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.config = config
    app.state.build = build
    return app
