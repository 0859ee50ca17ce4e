"""Content negotiation: pick a result or RDF format from a `format` parameter or `Accept`."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import mimeparse

__all__ = [
    "GRAPH_FORMATS",
    "HTML",
    "RESULT_FORMATS",
    "Format",
    "NotAcceptable",
    "choose",
    "media_types",
]


@dataclass(frozen=True)
class Format:
    """A format by its key (the name the worker knows), its media type and the aliases asked for."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # values of the `format` parameter that select it

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "+json"))
        return f"{self.media_type}; charset=utf-8" if text or "json" in self.media_type else self.media_type


# Lists run from least to most preferred: mimeparse breaks ties in favour of the later entry,
# so `*/*` and a missing Accept give the last one (JSON results, Turtle graphs).
RESULT_FORMATS: tuple[Format, ...] = (
    Format("tsv", "text/tab-separated-values", (), ("tsv",)),
    Format("csv", "text/csv", (), ("csv",)),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        ("xml", "srx"),
    ),
    Format(
        "json",
        "application/sparql-results+json",
        ("application/json",),
        ("json", "srj"),
    ),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf", "xml", "rdf/xml", "rdf+xml"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ("application/json",),
        ("jsonld", "json-ld", "json"),
    ),
    Format(
        "ntriples",
        "application/n-triples",
        ("text/plain",),
        ("ntriples", "nt", "n-triples"),
    ),
    # N3 clients (SPARQLWrapper's N3) get Turtle, which N3 parsers read.
    Format(
        "turtle",
        "text/turtle",
        ("application/x-turtle", "text/n3", "text/rdf+n3"),
        ("turtle", "ttl", "n3"),
    ),
)
HTML = Format("html", "text/html", ("application/xhtml+xml",), ("html",))


class NotAcceptable(Exception):
    """No format on offer satisfies the request; the message lists what is on offer."""


def media_types(formats: tuple[Format, ...]) -> list[str]:
    return [f.media_type for f in formats]


def choose(
    formats: tuple[Format, ...],
    accept: str | None,
    format_param: str | Sequence[str] | None = None,
) -> Format:
    """The format to answer with: a `format` parameter wins over `Accept`; raise NotAcceptable.

    `format_param` may hold several values (SPARQLWrapper sends `format=tsv&format=text/tab-separated-values`):
    the first one offered here is taken.
    """
    wanted = [format_param] if isinstance(format_param, str) else list(format_param or [])
    wanted = [w.strip().lower() for w in wanted if w and w.strip()]
    if wanted:
        for value in wanted:
            for fmt in reversed(formats):
                if value in fmt.names or value == fmt.media_type or value in fmt.aliases:
                    return fmt
        offer = ", ".join(media_types(formats))
        raise NotAcceptable(f"format={wanted[0]!r} is not offered here; offered: {offer}")
    if not accept or not accept.strip():
        return formats[-1]
    if len(accept) > _CACHED_ACCEPT_LENGTH:
        return _by_accept.__wrapped__(formats, accept)
    return _by_accept(formats, accept)


_CACHED_ACCEPT_LENGTH = 512  # the cache holds at most 256 of these


@functools.lru_cache(maxsize=256)
def _by_accept(formats: tuple[Format, ...], accept: str) -> Format:
    """The format `accept` prefers (cached: clients send the same few Accept headers again and again)."""
    candidates: list[tuple[str, Format]] = []
    for fmt in formats:  # aliases rank below their format's own media type
        candidates.extend((alias, fmt) for alias in fmt.aliases)
    for fmt in formats:
        candidates.append((fmt.media_type, fmt))
    try:
        best = mimeparse.best_match([media for media, _ in candidates], accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        return formats[-1]  # an Accept header that does not parse is treated as absent
    for media, fmt in reversed(candidates):
        if media == best:
            return fmt
    offer = ", ".join(media_types(formats))
    raise NotAcceptable(f"none of the accepted types ({accept}) is offered here; offered: {offer}")
