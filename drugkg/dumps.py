"""Dumps that any RDF tool reads offline: Turtle/TriG prefixes without local-name escapes, JSON-LD
with its context embedded, and a gzipped copy of each dump.

Older parsers (Virtuoso 7.2 among them) keep the backslash of a local-name escape such as
`res:drug\\/baclofen` in the IRI, so the prefixes given to the writer end at the last `/` or `#`
of every drugkg IRI (`drug:baclofen`, not `res:drug\\/baclofen`).
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from drugkg.namespaces import BASE, RESOURCE, TURTLE_PREFIXES

__all__ = [
    "CONTEXT_FILE",
    "CONTEXT_IRI",
    "compact_iri",
    "compact_jsonld",
    "dump_prefixes",
    "gzip_copy",
    "prefix_for_namespace",
]

CONTEXT_FILE = "context.jsonld"
CONTEXT_IRI = BASE + CONTEXT_FILE  # the reusable context's stable IRI, served by `drugkg serve`
_BASE_IRI = re.compile(rb"<" + re.escape(BASE.encode()) + rb"[^<>\s]*>")
_PN_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_URI_SCHEMES = {"http", "https", "urn", "mailto", "file", "ftp", "tag", "data"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# a local name that Turtle and SPARQL read without escapes
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def prefix_for_namespace(namespace: str, taken: Iterable[str] = ()) -> str | None:
    """A readable Turtle prefix for a namespace under drugkg's base (`…/resource/drug/` -> `drug`,
    `…/graph/monograph/` -> `graph-monograph`), or None when none can be made."""
    if not namespace.startswith(BASE):
        return None
    rest = namespace[len(BASE) :].strip("/#")
    if namespace.startswith(str(RESOURCE)) and rest != "resource":
        rest = rest[len("resource/") :]
    name = rest.replace("/", "-") if rest else "base"
    taken = set(taken)
    if name in taken or name in _URI_SCHEMES:
        name = "drugkg-" + name
    return name if _PN_PREFIX.fullmatch(name) and name not in taken else None


def dump_prefixes(ntriples: bytes, graph_names: Iterable[str] = ()) -> dict[str, str]:
    """The shared prefixes plus one per namespace of a drugkg IRI found in `ntriples` or `graph_names`."""
    iris = {m[1:-1].decode() for m in set(_BASE_IRI.findall(ntriples))}  # distinct first: far fewer
    namespaces = {iri[: max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris}
    namespaces.update(g[: max(g.rfind("/"), g.rfind("#")) + 1] for g in graph_names if g.startswith(BASE))
    prefixes = dict(TURTLE_PREFIXES)
    known = set(prefixes.values())
    for namespace in sorted(namespaces - known):
        name = prefix_for_namespace(namespace, prefixes)
        if name is not None:
            prefixes[name] = namespace
    return prefixes


def compact_iri(iri: str, extra: Mapping[str, str] | None = None) -> str | None:
    """A prefixed name for `iri` that Turtle and SPARQL read as it is (no escapes), with the shared
    prefixes, a drugkg namespace's prefix (`drug:baclofen`) or `extra`; None when none fits."""
    namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
    candidates = {**TURTLE_PREFIXES, **(extra or {})}
    if namespace.startswith(BASE) and namespace not in candidates.values():
        name = prefix_for_namespace(namespace, candidates)
        if name is not None:
            candidates[name] = namespace
    best = None
    for prefix, ns in candidates.items():
        rest = iri[len(ns) :]
        if (
            iri.startswith(ns)
            and (rest == "" or _PLAIN_LOCAL.fullmatch(rest))
            and (best is None or len(ns) > len(best[1]))
        ):
            best = (prefix, ns)
    return None if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


def namespace_for_prefix(prefix: str) -> str | None:
    """The namespace a prefix of `compact_iri` stands for (`drug` -> `…/resource/drug/`), if drugkg's."""
    if prefix in TURTLE_PREFIXES:
        return TURTLE_PREFIXES[prefix]
    if _PN_PREFIX.fullmatch(prefix) and prefix not in _URI_SCHEMES:
        return f"{RESOURCE}{prefix}/"
    return None


class _Compactor:
    """Rewrites pyoxigraph's expanded JSON-LD (node objects with full IRIs) in compact form against a
    context of prefixes only. pyoxigraph writes expanded JSON-LD only, and a JSON-LD processor
    (rdflib, pyld) takes minutes at a million triples; the tests read the result back with
    pyoxigraph and rdflib and compare it with the N-Triples."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self._by_length = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        if iri.startswith("_:"):
            return iri
        hit = self._cache.get(iri)
        if hit is None:
            hit = iri
            for ns, prefix in self._by_length:
                local = iri[len(ns) :]
                if iri.startswith(ns) and not local.startswith("//"):
                    hit = f"{prefix}:{local}"
                    break
            self._cache[iri] = hit
        return hit

    def value(self, value: dict[str, Any]) -> Any:
        if "@id" in value:
            return {"@id": self.iri(value["@id"])}
        if "@language" in value:
            return value
        datatype = value.get("@type")
        if datatype is None or datatype == _XSD_STRING:
            return value["@value"] if isinstance(value.get("@value"), str) else value
        return {**value, "@type": self.iri(datatype)}

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == "@graph":
                out["@graph"] = [self.node(n) for n in values]
            elif key == _RDF_TYPE and all("@id" in v and not v["@id"].startswith("_:") for v in values):
                out["@type"] = _one([self.iri(v["@id"]) for v in values])
            elif key.startswith("@"):
                out[key] = values
            else:
                out[self.iri(key)] = _one([self.value(v) for v in values])
        return out


def _one(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def compact_jsonld(expanded: list[dict[str, Any]], prefixes: Mapping[str, str]) -> dict[str, Any]:
    """A JSON-LD document with its context embedded: the prefixes, and the nodes in compact form."""
    compactor = _Compactor(prefixes)
    return {"@context": dict(prefixes), "@graph": [compactor.node(n) for n in expanded]}


def gzip_copy(path: Path) -> Path:
    """Write `path`.gz next to `path` (no file name or time in the header: the same bytes every build)."""
    target = path.with_name(path.name + ".gz")
    with (
        path.open("rb") as src,
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out,
    ):
        shutil.copyfileobj(src, out, 1 << 20)
    return target
