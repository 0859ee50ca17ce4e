"""What a parameter value names in the graph: a cross-reference such as `HP:0001250` read as the
drugkg resource that is its exact match, and for a value that names nothing, the closest matches
by label, name or cross-reference, so an empty answer says why.

This is about the value's meaning in the data; how values are typed and bound is
`drugkg.querying` (`bind_parameters`, `resolve_term`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from drugkg.catalogue import CatalogueQuery, Parameter
from drugkg.dumps import namespace_for_prefix
from drugkg.namespaces import BASE
from drugkg.rdfconvert import OxTerm

__all__ = ["HINT_HEADER", "Resolution", "resolve_parameters", "values_hint"]

HINT_HEADER = "X-Drugkg-Parameter-Hint"
Run = Callable[[str, Mapping[str, "OxTerm"]], object]  # run_on_store / run_on_endpoint with the target bound

_EXISTS = "ASK { ?value ?p ?o }"
_EXACT_MATCHES = """
SELECT DISTINCT ?resource WHERE {
  ?resource <http://www.w3.org/2004/02/skos/core#exactMatch> ?value .
  FILTER(STRSTARTS(STR(?resource), ?namespace))
} ORDER BY ?resource
"""
_NAMES = """
SELECT ?resource ?name WHERE {
  { ?resource <http://www.w3.org/2000/01/rdf-schema#label> ?name }
  UNION { ?resource <http://www.w3.org/2004/02/skos/core#altLabel> ?name }
  UNION { ?resource <http://www.w3.org/2004/02/skos/core#exactMatch> ?name }
  FILTER(STRSTARTS(STR(?resource), ?namespace))
}
"""
_MAX_SUGGESTIONS = 5
_KIND_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)")


@dataclass
class Resolution:
    """The bindings to run with, and what to tell the user about them."""

    bindings: dict[str, OxTerm]
    notes: list[str] = field(default_factory=list)  # values read as something else
    unknown: list[str] = field(default_factory=list)  # values that name nothing, with suggestions


def _namespace(param: Parameter) -> str | None:
    """The namespace of the parameter's kind of resource (from its default), if under drugkg's base."""
    if not param.default:
        return None
    namespace = re.sub(r"[^/#]*$", "", param.default.strip("<>"))
    return namespace if namespace.startswith(BASE) and namespace != BASE else None


def _short(iri: str, namespace: str | None = None) -> str:
    """A resource as a user gives it: its short name in the parameter's namespace, else `<IRI>`."""
    if namespace and iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
        return iri[len(namespace) :]
    return f"<{iri}>"


def _local(iri: str) -> str:
    return re.split(r"[/#:_]", iri.rstrip("/"))[-1].lower()


def _rows(result: object) -> list[dict[str, str]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def _suggestions(run: Run, namespace: str, given: str) -> tuple[list[str], bool]:
    """Resources of the namespace whose slug, name or cross-reference is closest to `given` (and True),
    or, when none is close, the first few there are (and False)."""
    keys: dict[str, set[str]] = {}
    for row in _rows(run(_NAMES, {"namespace": ox.Literal(namespace)})):
        resource = row["resource"]
        keys.setdefault(_local(resource), set()).add(resource)
        keys.setdefault(row["name"].lower(), set()).add(resource)
        keys.setdefault(_local(row["name"]), set()).add(resource)
    wanted = _local(given)
    out: list[str] = []
    for key in difflib.get_close_matches(wanted, list(keys), n=_MAX_SUGGESTIONS * 2, cutoff=0.6):
        out += [r for r in sorted(keys[key]) if r not in out]
    if out:
        return out[:_MAX_SUGGESTIONS], True
    return sorted({r for rs in keys.values() for r in rs})[:_MAX_SUGGESTIONS], False


def _expand_kind_curie(term: ox.NamedNode) -> ox.NamedNode:
    """`population:elderly` (a prefixed name as drugkg shows it, read as an IRI of scheme
    `population`) as the drugkg IRI it stands for; any other term as it is."""
    match = _KIND_CURIE.fullmatch(term.value)
    namespace = match and namespace_for_prefix(match.group(1))
    return ox.NamedNode(namespace + match.group(2)) if match and namespace else term


def _resolve_one(run: Run, param: Parameter, term: ox.NamedNode) -> tuple[OxTerm, str | None, str | None]:
    """(term to bind, note, unknown-message) for one IRI parameter."""
    term = _expand_kind_curie(term)
    if bool(run(_EXISTS, {"value": term})):
        return term, None, None
    namespace = _namespace(param)
    if namespace is None:
        return term, None, None
    matches = [r["resource"] for r in _rows(run(_EXACT_MATCHES, {"value": term, "namespace": ox.Literal(namespace)}))]
    if len(matches) == 1:
        note = f"{param.name}: {_short(term.value)} is read as {_short(matches[0])}, its exact match in drugkg"
        return ox.NamedNode(matches[0]), note, None
    if len(matches) > 1:
        listed = ", ".join(_short(m, namespace) for m in matches[:_MAX_SUGGESTIONS])
        return term, None, f"{param.name}: {_short(term.value)} matches several resources ({listed}); give one of them"
    found, close = _suggestions(run, namespace, term.value)
    kind = namespace[len(BASE) :].strip("/").split("/")[-1]
    listed = ", ".join(_short(c, namespace) for c in found)
    hint = f"; {'closest' if close else 'some there are'}: {param.name}={listed}" if found else ""
    return term, None, f"{param.name}: no {kind} {_short(term.value)} in the graph, so nothing can match{hint}"


_VALUES_ROW = re.compile(r"VALUES\s*\(([^)]*)\)\s*\{\s*\(([^)]*)\)\s*\}")
_IRI = re.compile(r"<([^<>\s]+)>")


def values_hint(run: Run, text: str) -> str | None:
    """For an empty answer over HTTP: the drugkg resources named in the query's first VALUES row
    (where catalogue queries take their parameters) that the graph does not have, with the closest
    ones; None when every one exists."""
    match = _VALUES_ROW.search(text)
    if match is None:
        return None
    notes = []
    for iri in _IRI.findall(match.group(2)):
        namespace = re.sub(r"[^/#]*$", "", iri)
        if not iri.startswith(BASE + "resource/") or bool(run(_EXISTS, {"value": ox.NamedNode(iri)})):
            continue
        found, close = _suggestions(run, namespace, iri)
        listed = ", ".join(f"<{c}>" for c in found)
        notes.append(
            f"no resource <{iri}> in the graph"
            + (f"; {'closest' if close else 'some there are'}: {listed}" if found else "")
        )
    return " | ".join(notes) or None


def resolve_parameters(run: Run, query: CatalogueQuery, bindings: Mapping[str, OxTerm]) -> Resolution:
    """Check each IRI parameter's value against the graph `run` queries (the union of its graphs)."""
    out = Resolution(dict(bindings))
    for param in query.parameters:
        term = bindings.get(param.name)
        if param.kind != "IRI" or not isinstance(term, ox.NamedNode):
            continue
        resolved, note, unknown = _resolve_one(run, param, term)
        out.bindings[param.name] = resolved
        if note:
            out.notes.append(note)
        if unknown:
            out.unknown.append(unknown)
    return out
