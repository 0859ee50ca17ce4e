"""The CURIEs of the KGX export: cross-references in Biolink's spelling, drugkg's own by kind."""

from __future__ import annotations

import drugkg.export.biolink as bl
from drugkg.namespaces import RESOURCE, VOCAB, XREF_PREFIXES

__all__ = ["RESOURCE_PREFIX", "VOCAB_PREFIX", "drugkg_curie", "expand_drugkg_curie", "xref_curie"]

# KGX CURIEs allow no "/" after the colon, so each kind of resource has its own prefix:
# drugkg.finding:pain = https://w3id.org/drugkg/resource/finding/pain (kgxfiles.prefix_map lists them).
RESOURCE_PREFIX = "drugkg"
VOCAB_PREFIX = "drugkg.vocab"  # drugkg.vocab: = https://w3id.org/drugkg/vocab#
_V = str(VOCAB)
_R = str(RESOURCE)
_XREF_NAMESPACES = sorted(((ns, p) for p, ns in XREF_PREFIXES.items()), key=lambda x: -len(x[0]))


def xref_curie(iri: str) -> str | None:
    for ns, prefix in _XREF_NAMESPACES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{bl.BIOLINK_PREFIX.get(prefix, prefix)}:{iri[len(ns) :]}"
    return None


def drugkg_curie(iri: str) -> str | None:
    if iri.startswith(_R):
        kind, _, slug = iri[len(_R) :].partition("/")
        if kind and slug and "/" not in slug and ":" not in slug:
            return f"{RESOURCE_PREFIX}.{kind}:{slug}"
        return None
    if iri.startswith(_V):
        return f"{VOCAB_PREFIX}:{iri[len(_V) :]}"
    return None


def expand_drugkg_curie(curie: str) -> str:
    """The IRI of a drugkg CURIE of this export (drugkg.KIND:SLUG or drugkg.vocab:TERM)."""
    prefix, _, local = curie.partition(":")
    if prefix == VOCAB_PREFIX:
        return _V + local
    if prefix.startswith(RESOURCE_PREFIX + "."):
        return f"{_R}{prefix[len(RESOURCE_PREFIX) + 1 :]}/{local}"
    raise ValueError(f"not a drugkg CURIE: {curie}")
