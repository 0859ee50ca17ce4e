"""Parameter values as RDF terms: `NAME=VALUE` from a command line or a form, checked against the
parameter's kind and turned into a typed term (an IRI must be a valid absolute IRI; a string becomes
a plain literal whatever it holds). Binding the terms into a query is `drugkg.sparql.params`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from drugkg.catalogue import CatalogueQuery, Parameter
from drugkg.errors import DrugkgError
from drugkg.names import search_key
from drugkg.namespaces import RESOURCE, TURTLE_PREFIXES, XREF_PREFIXES
from drugkg.rdfconvert import OxTerm, decimal_lexical

__all__ = [
    "SHORTHAND_PREFIXES",
    "XSD_DECIMAL",
    "XSD_INTEGER",
    "XSD_STRING",
    "adhoc_parameters",
    "bind_parameters",
    "parse_param_assignments",
    "resolve_term",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = ox.NamedNode(_XSD + "string")
XSD_DECIMAL = ox.NamedNode(_XSD + "decimal")
XSD_INTEGER = ox.NamedNode(_XSD + "integer")

# CURIE prefixes accepted in parameter values: the project's own, then the cross-reference ones.
SHORTHAND_PREFIXES: dict[str, str] = {**TURTLE_PREFIXES, "res": str(RESOURCE), **XREF_PREFIXES}


def parse_param_assignments(items: Iterable[str]) -> dict[str, str]:
    """`["k=v", ...]` from the command line to a dict; a malformed item is an error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise DrugkgError(f"bad parameter {item!r}", expected="NAME=VALUE, for example population=elderly")
        if name in out:
            raise DrugkgError(f"parameter {name!r} given twice")
        out[name] = value
    return out


def bind_parameters(query: CatalogueQuery, given: Mapping[str, str]) -> dict[str, OxTerm]:
    """Typed terms for every declared parameter: the given value or the default; errors name what is wrong."""
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        listed = ", ".join(p.name for p in query.parameters) or "none"
        raise DrugkgError(f"query {query.name!r} has no parameter {unknown[0]!r}", expected=f"one of: {listed}")
    terms: dict[str, OxTerm] = {}
    for param in query.parameters:
        if param.name in given:
            value = given[param.name]
        elif param.default is not None:
            value = param.default
        else:
            raise DrugkgError(
                f"query {query.name!r} needs the parameter {param.name!r} ({param.kind})",
                expected=f"--param {param.name}=VALUE",
            )
        terms[param.name] = resolve_term(param, value)
    return terms


def resolve_term(param: Parameter, value: str) -> OxTerm:
    """The RDF term a parameter value stands for, checked against the parameter's kind.

    IRI parameters accept a full IRI (`https://...`, optionally in angle brackets), a CURIE with a
    known prefix (`drugkg:Overdose`, `HP:0001250`), or a bare slug
    (`elderly`) that is read in the namespace of the parameter's default value.
    """
    if param.kind == "IRI":
        return ox.NamedNode(_expand_iri(param, value.strip()))
    if param.kind == "string":
        return ox.Literal(value)
    if param.kind == "name":
        return ox.Literal(search_key(value.strip()))
    if param.kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise DrugkgError(f"parameter {param.name!r}: {value!r} is not an integer", expected="digits, e.g. 12")
        return ox.Literal(str(int(value.strip())), datatype=XSD_INTEGER)
    if param.kind == "decimal":
        text = value.strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
            raise DrugkgError(f"parameter {param.name!r}: {value!r} is not a decimal number", expected="e.g. 10 or 2.5")
        return ox.Literal(decimal_lexical(number), datatype=XSD_DECIMAL)
    raise DrugkgError(f"parameter {param.name!r} has an unknown kind {param.kind!r}")


def _expand_iri(param: Parameter, value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in SHORTHAND_PREFIXES and not local.startswith("//"):
        iri = SHORTHAND_PREFIXES[prefix] + local
    elif sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", prefix):
        iri = value
    elif not sep and param.default and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", value):
        namespace = re.sub(r"[^/#]*$", "", param.default.strip("<>"))
        iri = namespace + value
    else:
        how = "a full IRI, a CURIE such as population:elderly"
        if param.default:
            how += f", or a short name read in {re.sub(r'[^/#]*$', '', param.default)}"
        raise DrugkgError(f"parameter {param.name!r}: {value!r} is not an IRI", expected=how)
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise DrugkgError(
            f"parameter {param.name!r}: {iri!r} is not a valid IRI ({err})",
            expected="an absolute IRI without spaces, quotes, braces or angle brackets",
        ) from None
    return iri


def adhoc_parameters(given: Mapping[str, str]) -> dict[str, OxTerm]:
    """Terms for `--param` values of an ad-hoc query (no header): IRIs and CURIEs become IRIs, the rest strings."""
    terms: dict[str, OxTerm] = {}
    for name, value in given.items():
        text = value.strip()
        prefix, sep, _ = text.partition(":")
        if (
            (text.startswith("<") and text.endswith(">"))
            or (sep and prefix in SHORTHAND_PREFIXES)
            or re.match(r"(https?|urn|ftp|mailto):", text)
        ):
            terms[name] = ox.NamedNode(_expand_iri(Parameter(name, "IRI"), text))
        else:
            terms[name] = ox.Literal(value)
    return terms
