"""Linked-data pages rendered in the query workers, under the same budgets as queries.

A page for a resource, a graph or the vocabulary walks the store and renders HTML or RDF; done in
the server process, a few clients reading pages took the CPU from SPARQL. The server sends a
`PageJob`; the worker answers (status, body): 200 with the page, or 404 with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PageJob", "render_page"]


@dataclass(frozen=True)
class PageJob:
    """One linked-data page: the IRI asked for, its path on this server, and the format key."""

    iri: str
    path: str
    format_key: str  # "html" or an RDF format key (turtle, ntriples, jsonld, rdfxml)
    public_base: str
    vocab_iri: str
    endpoint: str = ""  # this server's SPARQL endpoint: the `schema:target` of the examples it serves

    def answer(self, store: Any, context: dict[str, Any]) -> tuple[str, bool, int, bytes]:
        """("page:STATUS", False, 0, body), in the worker process (the fields of an `Answer`)."""
        status, body = render_page(store, self, context)
        return f"page:{status}", False, 0, body


def _local_link(public_base: str) -> Any:
    """IRIs under the public base become paths on this server; other IRIs stay as they are."""

    def link(iri: str) -> str:
        if iri.startswith(public_base):
            return "/" + iri[len(public_base) :]
        return iri

    return link


def render_page(store: Any, job: PageJob, context: dict[str, Any]) -> tuple[int, bytes]:
    import pyoxigraph as ox

    from drugkg.serialization import serialize_triples
    from drugkg.server.browsing import retarget_examples
    from drugkg.server.linkeddata import describe, describe_vocabulary, label_of, types_of
    from drugkg.server.monograph import DRUG_CLASS, monograph_html
    from drugkg.server.pages import TermRenderer, resource_page

    terms: list[str] = []
    if job.iri == job.vocab_iri:
        description, terms = describe_vocabulary(store)
        if len(description.outgoing) == 0:
            return 404, f"the vocabulary {job.iri} is not in this graph".encode()
    else:
        try:
            description = describe(store, job.iri)
        except ValueError:
            return 404, f"{job.iri} is not a valid IRI".encode()
        if not description.found:
            return 404, f"{job.iri} is not in this graph".encode()
        if job.path.startswith("examples/") and job.endpoint:
            description.outgoing = retarget_examples(description.outgoing, job.endpoint)
    if job.format_key != "html":
        return 200, serialize_triples(description.triples(), job.format_key)
    render = TermRenderer(_local_link(job.public_base), lambda t: label_of(store, t))
    alternates = [
        ("Turtle", f"/{job.path}?format=turtle"),
        ("JSON-LD", f"/{job.path}?format=jsonld"),
        ("N-Triples", f"/{job.path}?format=ntriples"),
    ]
    monograph = ""
    if ox.NamedNode(DRUG_CLASS) in types_of(description):
        monograph = monograph_html(store, job.iri, render.link)
    html = resource_page(description, render, alternates=alternates, terms=terms, before=monograph)
    return 200, html.encode("utf-8")
