"""Make a catalogue query runnable as text: its parameters' defaults as a VALUES block in WHERE."""

from __future__ import annotations

from drugkg.catalogue import CatalogueQuery
from drugkg.sparql import with_values
from drugkg.sparql.terms import resolve_term

__all__ = ["bind_defaults"]


def bind_defaults(query: CatalogueQuery) -> str:
    """The query text with a `VALUES` block, opening its WHERE group, binding each parameter that has a default.

    Terms are typed as `drugkg query` binds them and written by pyoxigraph, never pasted.
    """
    bound = {p.name: resolve_term(p, p.default) for p in query.parameters if p.default is not None}
    return with_values(query.text, bound)
