"""Make a catalogue query runnable as text: its parameters' defaults as a VALUES block in WHERE."""

from __future__ import annotations

import re

import pyoxigraph as ox

from drugkg.catalogue import CatalogueQuery, Parameter
from drugkg.server.safety import LEXICAL_TOKENS

__all__ = ["bind_defaults", "parameter_term"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_WHERE = re.compile(r"(?<![\w?$:])WHERE\s*\{", re.IGNORECASE)


def parameter_term(param: Parameter) -> ox.NamedNode | ox.Literal:
    """The default value of a parameter as a typed RDF term (ValueError when it does not fit its kind)."""
    if param.default is None:
        raise ValueError(f"parameter {param.name} has no default")
    if param.kind == "IRI":
        return ox.NamedNode(param.default)
    if param.kind == "string":
        return ox.Literal(param.default)
    return ox.Literal(
        param.default,
        datatype=ox.NamedNode(
            _XSD + ("decimal" if param.kind == "decimal" else "integer")
        ),
    )


def _where_brace(text: str) -> int | None:
    """Index just after the `{` opening the WHERE clause, skipping comments, strings and IRIs."""
    skipped = [(m.start(), m.end()) for m in LEXICAL_TOKENS.finditer(text)]
    for match in _WHERE.finditer(text):
        if not any(start <= match.start() < end for start, end in skipped):
            return match.end()
    return None


def bind_defaults(query: CatalogueQuery) -> str:
    """The query text with a `VALUES` block binding each parameter that has a default.

    The block opens the WHERE group, so filters and patterns inside see the values (a VALUES
    clause after the query would be joined only after them). Terms are written by pyoxigraph,
    never pasted. Without a WHERE keyword, or without defaults, the text is returned as it is.
    """
    bound = [
        (p.name, parameter_term(p)) for p in query.parameters if p.default is not None
    ]
    position = _where_brace(query.text)
    if not bound or position is None:
        return query.text
    names = " ".join(f"?{name}" for name, _ in bound)
    values = " ".join(str(term) for _, term in bound)
    block = (
        f"\n  VALUES ({names}) {{ ({values}) }}  # parameters, as given in the header"
    )
    return query.text[:position] + block + query.text[position:]
