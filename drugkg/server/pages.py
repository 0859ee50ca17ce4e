"""HTML pages: the YASGUI query page, resource pages, the dumps listing, error pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from drugkg.catalogue import CatalogueQuery
from drugkg.dumps import compact_iri
from drugkg.namespaces import TURTLE_PREFIXES, XREF_PREFIXES
from drugkg.server.binding import bind_defaults
from drugkg.server.linkeddata import Description, types_of

__all__ = [
    "QUERY_PAGE_CSP",
    "TermRenderer",
    "catalogue_entries",
    "dumps_page",
    "error_page",
    "layout",
    "query_page",
    "resource_page",
]

# The query page may load code and styles from this server only, and talk to this server only:
# no CDN, and none of YASGUI's optional look-ups elsewhere (prefix.cc, LOV).
QUERY_PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'"
)

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1f3b5c;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:baseline}
header a{color:#dfe9f5;text-decoration:none}header a.home{color:#fff;font-weight:700;font-size:1.15rem}
main{padding:1rem 1.4rem;max-width:72rem}
h1{font-size:1.5rem;margin:.3rem 0}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #d8dde5}
.iri{font-family:ui-monospace,monospace;font-size:.85rem;color:#56627a;word-break:break-all}
.types a{background:#e6eef8;border-radius:3px;padding:.1rem .4rem;margin-right:.3rem;font-size:.9rem}
table.props{border-collapse:collapse;width:100%}table.props td{vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #eceff3}
table.props td.p{width:28%;font-weight:600}
.lit .dt{color:#7a8599;font-size:.8rem}.bnode{margin:.2rem 0 .2rem .8rem;border-left:3px solid #d8dde5;padding-left:.6rem}
.note{color:#56627a;font-size:.9rem}.muted{color:#7a8599}
#picker{display:flex;flex-wrap:wrap;gap:.4rem;margin:.3rem 0 .8rem}
#picker button{border:1px solid #b9c6d8;background:#fff;border-radius:4px;padding:.3rem .6rem;cursor:pointer;font-size:.85rem}
#picker button:hover{background:#e6eef8}
"""


def layout(title: str, body: str, *, head: str = "") -> str:
    """A whole HTML page with the site header."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · drugkg</title><link rel="icon" href="data:,"><style>{_STYLE}</style>{head}</head>
<body><header><a class="home" href="/">drugkg</a><a href="/">Query</a><a href="/vocab">Vocabulary</a>
<a href="/.well-known/void">Dataset (VoID)</a><a href="/.well-known/sparql-examples">Examples</a><a href="/dumps/">Dumps</a>
<a href="/sparql">Service description</a></header>
<main>{body}</main></body></html>
"""


def error_page(status: int, message: str) -> str:
    return layout(f"{status}", f"<h1>{status}</h1><p>{escape(message)}</p>")


# ---------------------------------------------------------------- query page


def catalogue_entries(queries: Sequence[CatalogueQuery]) -> list[dict[str, str]]:
    """The catalogue as the query page needs it: name, title, question and runnable text."""
    entries = []
    for query in queries:
        try:
            text = bind_defaults(query)
        except ValueError:
            text = query.text  # a default that is not a valid term: leave the parameter unbound
        entries.append(
            {
                "name": query.name,
                "title": query.title,
                "question": query.question,
                "query": text,
            }
        )
    return entries


def query_page(
    queries: Sequence[CatalogueQuery], endpoint: str, *, base: str = "", prefixes: dict[str, str] | None = None
) -> str:
    """The YASGUI page, pointed at `endpoint`, with a picker of the catalogue's questions. Result
    IRIs under `base` link to this server's pages, shown compactly with `prefixes`."""
    entries = catalogue_entries(queries)
    config = {"endpoint": endpoint, "queries": entries, "base": base, "prefixes": prefixes or TURTLE_PREFIXES}
    data = json.dumps(config).replace("</", "<\\/")
    head = '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">'
    if entries:
        picker = "<p class='note'>Questions from the catalogue (each opens in its own tab):</p><div id='picker'></div>"
    else:
        picker = "<p class='note'>The query catalogue is empty.</p>"
    body = f"""<h1>Query drugkg</h1>
<p class="note">SPARQL endpoint: <code>{escape(endpoint)}</code> (read-only; SPARQL 1.1 Protocol).</p>
{picker}
<div id="yasgui"></div>
<script type="application/json" id="drugkg-config">{data}</script>
<script src="/static/yasgui/yasgui.min.js"></script>
<script src="/static/query-page.js"></script>"""
    return layout("Query", body, head=head)


# ---------------------------------------------------------------- resource pages


def _curie(iri: str) -> str | None:
    """A prefixed name that parses as Turtle (drug:baclofen, HP:0001250), or None."""
    return compact_iri(iri, XREF_PREFIXES)


class TermRenderer:
    """Renders RDF terms as HTML, with links rewritten to this server and labels where known."""

    def __init__(self, link: Callable[[str], str], label: Callable[[Any], str | None]) -> None:
        self.link = link
        self.label = label

    def name(self, term: Any) -> str:
        if isinstance(term, ox.NamedNode):
            return self.label(term) or _curie(term.value) or term.value
        return str(term)

    def term(self, term: Any) -> str:
        if isinstance(term, ox.NamedNode):
            href = self.link(term.value)
            text = self.label(term)
            short = _curie(term.value) or term.value
            title = escape(term.value, quote=True)
            if text:
                return f'<a href="{escape(href, quote=True)}" title="{title}">{escape(text)}</a> <span class="iri">{escape(short)}</span>'
            return f'<a href="{escape(href, quote=True)}" title="{title}">{escape(short)}</a>'
        if isinstance(term, ox.Literal):
            extra = ""
            if term.language:
                extra = f"@{term.language}"
            elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                extra = _curie(term.datatype.value) or term.datatype.value
            dt = f' <span class="dt">{escape(extra)}</span>' if extra else ""
            return f'<span class="lit">{escape(term.value)}{dt}</span>'
        return f'<span class="muted">{escape(str(term))}</span>'


def _property_rows(
    description: Description,
    subject: Any,
    render: TermRenderer,
    depth: int,
    skip_types: bool,
) -> str:
    grouped: dict[ox.NamedNode, list[Any]] = {}
    for predicate, obj in description.values(subject):
        if skip_types and predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            continue
        grouped.setdefault(predicate, []).append(obj)
    rows = []
    for predicate in sorted(grouped, key=lambda p: render.name(p).lower()):
        cells = []
        for obj in grouped[predicate]:
            if isinstance(obj, ox.BlankNode) and depth < 6:
                inner = _property_rows(description, obj, render, depth + 1, skip_types=False)
                cells.append(f'<div class="bnode"><table class="props">{inner}</table></div>')
            else:
                cells.append(f"<div>{render.term(obj)}</div>")
        rows.append(f'<tr><td class="p">{render.term(predicate)}</td><td>{"".join(cells)}</td></tr>')
    return "".join(rows)


def resource_page(
    description: Description,
    render: TermRenderer,
    *,
    alternates: Iterable[tuple[str, str]] = (),
    terms: Sequence[str] = (),
    before: str = "",
) -> str:
    """The page of one resource: label, types, its properties, the statements that point to it.

    For the vocabulary document, `terms` lists the vocabulary terms, each given its own section
    with an anchor so that `/vocab#Term` lands on it.
    """
    node = ox.NamedNode(description.iri)
    title = render.label(node) or _curie(description.iri) or description.iri
    types = types_of(description)
    type_html = "".join(render.term(t) for t in types)
    links = " · ".join(f'<a href="{escape(href, quote=True)}">{escape(name)}</a>' for name, href in alternates)
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<div class="iri">{escape(description.iri)}</div>',
        f'<p class="types">{type_html}</p>' if types else "",
        f'<p class="note">Also as: {links}</p>' if links else "",
        before,
        f'<h2>Properties</h2><table class="props">{_property_rows(description, node, render, 0, True)}</table>',
    ]
    for term in terms:
        term_node = ox.NamedNode(term)
        anchor = term.rsplit("#", 1)[-1]
        term_types = "".join(render.term(o) for p, o in description.values(term_node) if p.value.endswith("#type"))
        parts.append(
            f'<h2 id="{escape(anchor, quote=True)}">{escape(render.name(term_node))} '
            f'<span class="iri">{escape(term)}</span></h2><p class="types">{term_types}</p>'
            f'<table class="props">{_property_rows(description, term_node, render, 0, True)}</table>'
        )
    if description.incoming:
        rows = "".join(
            f'<tr><td>{render.term(t.subject)}</td><td class="p">{render.term(t.predicate)}</td></tr>'
            for t in description.incoming
        )
        more = (
            f"<p class='note'>Only the first {len(description.incoming)} are shown; ask the SPARQL endpoint for all.</p>"
            if description.incoming_truncated
            else ""
        )
        parts.append(f'<h2>Pointing here</h2><table class="props">{rows}</table>{more}')
    return layout(title, "\n".join(parts))


def dumps_page(files: Sequence[Path]) -> str:
    rows = "".join(
        f'<tr><td><a href="/dumps/{escape(f.name, quote=True)}">{escape(f.name)}</a></td>'
        f'<td style="text-align:right">{f.stat().st_size:,} bytes</td></tr>'
        for f in files
    )
    body = (
        "<h1>Dumps</h1><p class='note'>The whole graph, in several formats, as built. "
        "Each loads into any SPARQL 1.1 store.</p>"
        f'<table class="props">{rows}</table>'
    )
    return layout("Dumps", body)
