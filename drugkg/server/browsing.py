"""What a browser gets from the machine-facing routes: the service description, the dataset
description (VoID) and the SPARQL examples as readable HTML; the reusable JSON-LD context; and the
examples' `schema:target` pointing at the endpoint that serves them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from drugkg.dumps import CONTEXT_FILE
from drugkg.examples import SIB_SCHEMA
from drugkg.namespaces import GRAPH, SH
from drugkg.rdfconvert import OxTerm
from drugkg.server.linkeddata import Description, graph_triples, label_of
from drugkg.server.pages import TermRenderer, layout, resource_page

__all__ = [
    "context_route",
    "endpoint_url",
    "examples_page",
    "for_browsers",
    "retarget_examples",
    "service_page",
    "void_page",
    "wants_html",
]

Endpoint = Callable[[Request], Awaitable[Response]]
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_DCTERMS_TITLE = "http://purl.org/dc/terms/title"
_TARGET = ox.NamedNode(SIB_SCHEMA + "target")
_EXAMPLES_GRAPH = str(GRAPH) + "examples"
_FORMS = ("select", "ask", "construct", "describe")


def wants_html(request: Request) -> bool:
    """A person with a browser: a GET asking for text/html, with no format, query or update given."""
    if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
        return False
    params = request.query_params  # parsed only for a browser's Accept: a query string can be long
    return not any(k in params for k in ("format", "query", "update"))


def for_browsers(fallback: Endpoint, page: Endpoint) -> Endpoint:
    """`page` for a browser (wants_html), `fallback` (the RDF answer) for everything else."""

    async def route(request: Request) -> Response:
        return await (page if wants_html(request) else fallback)(request)

    return route


def endpoint_url(request: Request) -> str:
    """The URL of this server's SPARQL endpoint: the configured public URL, never the request's Host."""
    return str(request.app.state.config.public_url) + "sparql"


def retarget_examples(triples: list[ox.Triple], endpoint: str) -> list[ox.Triple]:
    """The examples with `schema:target` set to the endpoint serving them (not the public IRI)."""
    target = ox.NamedNode(endpoint)
    return [ox.Triple(t.subject, t.predicate, target) if t.predicate == _TARGET else t for t in triples]


def _renderer(request: Request, titles: dict[OxTerm, str] | None = None) -> TermRenderer:
    """Terms linked to this server's pages; labelled from `titles` first, then from the store."""
    public_base: str = request.app.state.config.public_base
    store = request.app.state.store
    own = titles or {}

    def link(iri: str) -> str:
        return "/" + iri[len(public_base) :] if iri.startswith(public_base) else iri

    return TermRenderer(link, lambda term: own.get(term) or label_of(store, term))


async def void_page(request: Request) -> Response:
    """The dataset description is the page of the dataset's IRI."""
    return RedirectResponse("/dataset", status_code=303)


async def service_page(request: Request) -> Response:
    """The service description as a page (the endpoint's own node in place of its blank node)."""
    from drugkg.server.protocol import service_description

    endpoint = endpoint_url(request)
    graphs = sorted(g.value for g in request.app.state.store.named_graphs() if isinstance(g, ox.NamedNode))
    triples = service_description(endpoint, graphs)
    services = {t.subject for t in triples if t.predicate.value == _SD + "endpoint"}
    node = ox.NamedNode(endpoint)
    description = Description(
        iri=endpoint,
        outgoing=[ox.Triple(node if t.subject in services else t.subject, t.predicate, t.object) for t in triples],
    )
    alternates = [
        ("Turtle", "/sparql?format=turtle"),
        ("RDF/XML", "/sparql?format=rdfxml"),
        ("JSON-LD", "/sparql?format=jsonld"),
    ]
    title = next(
        (
            t.object.value
            for t in description.outgoing
            if t.subject == node and t.predicate.value == _DCTERMS_TITLE and isinstance(t.object, ox.Literal)
        ),
        None,
    )
    titles: dict[OxTerm, str] = {node: title} if title else {}
    return HTMLResponse(resource_page(description, _renderer(request, titles), alternates=alternates))


def _examples(triples: list[ox.Triple]) -> list[tuple[str, dict[str, str]]]:
    fields: dict[str, dict[str, str]] = {}
    for t in triples:
        key = {
            _RDFS + "label": "title",
            _RDFS + "comment": "question",
            **{str(SH) + form: "query" for form in _FORMS},
        }.get(t.predicate.value)
        if key and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal):
            fields.setdefault(t.subject.value, {})[key] = t.object.value
    return sorted(((iri, f) for iri, f in fields.items() if "query" in f), key=lambda x: x[1].get("title", x[0]))


async def examples_page(request: Request) -> Response:
    """The SPARQL examples as a page: each question, its query and a link to its own page."""
    store = request.app.state.store
    render = _renderer(request)
    endpoint = endpoint_url(request)
    items = []
    for iri, f in _examples(graph_triples(store, _EXAMPLES_GRAPH)):
        items.append(
            f'<section><h2><a href="{escape(render.link(iri), quote=True)}">{escape(f.get("title", iri))}</a></h2>'
            f"<p>{escape(f.get('question', ''))}</p><pre>{escape(f['query'])}</pre></section>"
        )
    body = (
        f"<h1>SPARQL examples</h1><p class='note'>{len(items)} queries of the catalogue, each runnable as "
        f"written against <code>{escape(endpoint)}</code>. Also as "
        "<a href='/.well-known/sparql-examples?format=turtle'>Turtle</a> · "
        "<a href='/.well-known/sparql-examples?format=jsonld'>JSON-LD</a>.</p>" + "".join(items)
    )
    return HTMLResponse(layout("SPARQL examples", body))


async def context_route(request: Request) -> Response:
    """The reusable JSON-LD context of the build, at its stable IRI (`<base>context.jsonld`)."""
    path = request.app.state.build.path / CONTEXT_FILE
    if not path.is_file():
        return PlainTextResponse("this build has no JSON-LD context\n", status_code=404)
    return FileResponse(path, media_type="application/ld+json")
