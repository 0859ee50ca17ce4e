"""The Starlette application: routes, CORS, and the store and query workers it runs with."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from drugkg.buildfolder import BuildFolder
from drugkg.execution import Executor, JobFailed, Unavailable
from drugkg.namespaces import GRAPH, VOCAB_IRI
from drugkg.param_resolution import HINT_HEADER
from drugkg.serialization import serialize_triples
from drugkg.server.browsing import (
    context_route,
    endpoint_url,
    examples_page,
    for_browsers,
    retarget_examples,
    service_page,
    void_page,
)
from drugkg.server.check_route import check_route
from drugkg.server.config import ServerConfig
from drugkg.server.fast_path import SparqlFastPath
from drugkg.server.http import AccessLog, ConditionalGet
from drugkg.server.linkeddata import (
    graph_triples,
)
from drugkg.server.negotiation import GRAPH_FORMATS, HTML, NotAcceptable, choose
from drugkg.server.page_jobs import PageJob
from drugkg.server.pages import (
    QUERY_PAGE_CSP,
    dumps_page,
    error_page,
    query_page,
)
from drugkg.server.protocol import (
    MAX_ROWS_HEADER,
    ClientGone,
    run_for_client,
    sparql_endpoint,
    unavailable,
)
from drugkg.server.result_cache import ResultCache

__all__ = ["STATIC_DIR", "create_app"]

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
    return choose(formats, request.headers.get("accept"), request.query_params.get("format"))


def _not_found(request: Request, message: str) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(error_page(404, message), status_code=404)
    return PlainTextResponse(message + "\n", status_code=404)


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
    html = query_page(
        queries, "/sparql", base=config.public_base, prefixes=prefixes if isinstance(prefixes, dict) else None
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": QUERY_PAGE_CSP})


async def linked_data(request: Request) -> Response:
    """A resource, graph or vocabulary IRI under the public base, by content negotiation.

    The page is rendered in a query worker (drugkg.server.page_jobs), under the same budgets
    and per-client shares as queries, in the heavy lane (at most all workers but one, at idle
    CPU priority), so pages cannot take the server from SPARQL.
    """
    state = request.app.state
    config: ServerConfig = state.config
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0].lstrip("/")
    iri = config.public_base + path
    try:
        fmt = _negotiate(request, _LD_FORMATS)
    except NotAcceptable as err:
        return PlainTextResponse(f"{err}\n", status_code=406)
    job = PageJob(
        iri,
        path,
        "html" if fmt is HTML else fmt.key,
        config.public_base,
        VOCAB_IRI,
        endpoint=config.public_url + "sparql",
    )
    try:
        answer = state.result_cache.get(job) or await run_for_client(request, job, heavy=True)
    except ClientGone:
        return Response(b"", status_code=499)
    except Unavailable as err:
        return unavailable(err)
    except JobFailed as err:
        return PlainTextResponse(err.message + "\n", status_code=err.status)
    state.result_cache.put(job, answer)
    kind, body = answer.kind, answer.body
    if kind != "page:200":
        return _not_found(request, body.decode("utf-8"))
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if fmt is HTML:
        return HTMLResponse(body, headers=headers)
    return Response(body, media_type=fmt.content_type, headers=headers)


async def health_route(request: Request) -> Response:
    """The pool's state as JSON: 200 while a worker can answer, 503 while none is alive."""
    state = request.app.state
    executor: Executor = state.executor
    ready = executor.alive
    body = {
        "status": "ready" if ready else "unavailable",
        **executor.status(),
        "http": state.config.shown(),
        "result_cache": state.result_cache.status(),
        "fast_path": state.fast_path.status() if state.fast_path else {"on": False},
    }
    return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


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
        triples = [q.triple for q in ox.parse(path=str(build.void), format=ox.RdfFormat.TURTLE)]
    else:
        triples = graph_triples(state.store, VOID_GRAPH)
        if not triples:
            return _not_found(request, "this build has no dataset description (void.ttl)")
    body = serialize_triples(triples, fmt.key)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def examples_route(request: Request) -> Response:
    """The query catalogue as SPARQL examples: whatever the examples graph holds."""
    try:
        fmt = _negotiate(request, GRAPH_FORMATS)
    except NotAcceptable as err:
        return PlainTextResponse(f"{err}\n", status_code=406)
    triples = await run_in_threadpool(graph_triples, request.app.state.store, EXAMPLES_GRAPH)
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


class SparqlFront:
    """Queries from programs go straight to the SPARQL endpoint; every other request to `app`.

    A program's query is a GET or POST of /sparql with no `Origin` (so no CORS headers are due)
    and no text/html in `Accept` (so no page). Starlette's router and middleware layers, which
    it skips, cost about 35 µs a request, and only find the same endpoint.
    """

    def __init__(self, app: Any, starlette: Starlette) -> None:
        self.app = app
        self.starlette = starlette  # what the endpoint finds as `request.app`

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/sparql" and scope["method"] in ("GET", "POST"):
            if not any(k == b"origin" or (k == b"accept" and b"text/html" in v) for k, v in scope["headers"]):
                scope["app"] = self.starlette
                response = await sparql_endpoint(Request(scope, receive))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_hash(build: BuildFolder, config: ServerConfig) -> str:
    """What ETags are made of: the build manifest's hash (it hashes every file), with the drugkg
    version and the settings pages show (public URL and base), so a new release or setting is
    never answered 304 with an old page."""
    from drugkg import __version__

    manifest = build.path / "manifest.json"
    data = manifest.read_bytes() if manifest.is_file() else str(build.path.resolve()).encode()
    extra = "\0".join([__version__, config.public_url, config.public_base, str(config.max_rows)])
    return hashlib.sha256(data + extra.encode()).hexdigest()


def create_app(config: ServerConfig, build: BuildFolder) -> Any:
    """The application serving `build`; the store and the query workers open when it starts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = ox.Store.read_only(str(build.store))
        app.state.executor = Executor(build.store, config.limits, config.pool)
        app.state.result_cache = ResultCache(config.result_cache_mb * 1024 * 1024)
        await app.state.executor.start()
        try:
            yield
        finally:
            await app.state.executor.stop()

    routes = [
        Route("/", query_page_route, methods=["GET"]),
        Route("/health", health_route, methods=["GET"]),
        Route("/sparql", for_browsers(sparql_endpoint, service_page), methods=["GET", "POST"]),
        Route("/check", check_route, methods=["GET"]),
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
    outer = AccessLog(SparqlFront(ConditionalGet(app, build_hash(build, config)), app), config.access_log)
    outer.state = app.state  # type: ignore[attr-defined]
    app.state.fast_path = SparqlFastPath(app.state, outer) if config.fast_path else None
    return outer
