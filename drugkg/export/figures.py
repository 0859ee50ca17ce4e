"""Figure-like values of a statement (a dose, a strength range, a concentration, a titration) as
KGX columns: `drugkg_<property>__<sub-property>`, recursively, so a dose's value and unit travel
with the edge."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox

from drugkg.errors import DrugkgError
from drugkg.export.queries import STRUCTURED_VALUES

__all__ = ["Figures", "figure_columns", "local_name", "read_figures", "snake_case"]

Term = ox.NamedNode | ox.Literal
# figure IRI -> property IRI -> values
Figures = dict[str, dict[str, set[Term]]]


def read_figures(store: ox.Store) -> Figures:
    found: Figures = {}
    for sol in store.query(STRUCTURED_VALUES, use_default_graph_as_union=True):  # type: ignore[union-attr]
        r, p, o = sol["r"], sol["p"], sol["o"]
        if isinstance(r, ox.NamedNode) and isinstance(o, (ox.NamedNode, ox.Literal)):
            found.setdefault(r.value, {}).setdefault(p.value, set()).add(o)
    return found


def figure_columns(
    column: str, terms: list[Term | None], figures: Figures, render: Callable[[Term], str]
) -> dict[str, str]:
    """`column`__<sub-property> for the figures among `terms` (a dose's value and unit, a range's
    minimum, ...), recursively; one entry per term, "" where it has none, so the entries line up
    with the column's values."""
    found = [figures.get(t.value, {}) if isinstance(t, ox.NamedNode) else {} for t in terms]
    row: dict[str, str] = {}
    for sub in sorted({p for values in found for p in values}):
        name = f"{column}__{snake_case(local_name(sub))}"
        subterms = [_only(values.get(sub, set()), sub) for values in found]
        row[name] = "|".join("" if t is None else render(t) for t in subterms)
        row.update(figure_columns(name, subterms, figures, render))
    return row


def _only(terms: set[Term], prop: str) -> Term | None:
    if len(terms) > 1:
        raise DrugkgError(
            f"a value has {len(terms)} values of {prop}: {', '.join(sorted(t.value for t in terms))}",
            expected="at most one (the shapes require it; validate the build)",
        )
    return next(iter(terms), None)


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def snake_case(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
