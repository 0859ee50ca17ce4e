"""Bind query parameters exactly: a VALUES block opening the WHERE group, only where that is exact.

A parameter `?x = v` must give exactly the solutions of the unbound query that have `?x = v`. A
VALUES block joined at the start of the WHERE group does so when `?x` is bound in every solution
of that group (then the join is a filter on `?x`, which commutes with OPTIONAL, MINUS, FILTER,
BIND of other variables, ORDER BY, DISTINCT and GROUP BY ?x). It is also exact when no pattern
binds `?x` at all (it is only used in expressions): the join then substitutes the value.

Everything else is refused with a message naming the parameter and the reason: a variable bound
only in some solutions (inside OPTIONAL, one UNION branch, MINUS, a subquery), a BIND or AS target,
a variable aggregated rather than grouped, a query with LIMIT or OFFSET (the cut would apply to the
bound answer), and the short form `CONSTRUCT WHERE`. The analysis runs on rdflib's algebra of the
query (rdflib.plugins.sparql), cached by query text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from drugkg.rdfconvert import OxTerm
from drugkg.sparql.policy import QueryRefused, QueryText, analyse

__all__ = ["binding_problem", "with_values"]

_MODIFIERS = frozenset(("Slice", "Distinct", "Reduced", "OrderBy", "Project"))


def _variables(items: Iterable[Any]) -> set[str]:
    from rdflib.term import Variable

    return {str(item) for item in items if isinstance(item, Variable)}


def _bgp_certain(node: Any) -> set[str]:
    out: set[str] = set()
    for s, p, o in node.get("triples") or ():
        out |= _variables((s, p, o))
    return out


def _values_certain(node: Any) -> set[str]:
    rows = node.get("res") or []
    if not rows:
        return set()
    sets = [{str(k) for k, v in row.items() if v != "UNDEF"} for row in rows]
    return set.intersection(*sets)


def _aggregate_certain(node: Any) -> set[str]:
    group = node.get("p")
    keys = _variables(group.get("expr") or ()) if group is not None else set()
    return keys & certain(group.get("p")) if keys else set()


def certain(node: Any) -> set[str]:
    """Variables bound in every solution of the algebra node (a safe under-estimate)."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return _bgp_certain(node)
    if name == "Join":
        return certain(node.p1) | certain(node.p2)
    if name in ("LeftJoin", "Minus"):
        return certain(node.p1)
    if name == "Union":
        return certain(node.p1) & certain(node.p2)
    if name == "Graph":
        # The graph variable is left out: Oxigraph 0.5.13 leaves it unbound for a VALUES row with
        # UNDEF inside GRAPH ?g (W3C bindings/graph), so binding it could change Oxigraph's answer.
        return certain(node.p)
    if name == "Project":
        return certain(node.p) & _variables(node.PV)
    if name == "values":
        return _values_certain(node)
    if name == "AggregateJoin":
        return _aggregate_certain(node)
    if name in ("Filter", "Extend", "OrderBy", "Distinct", "Reduced", "Slice", "ToMultiSet"):
        return certain(node.p)
    return set()


def _children(node: Any) -> Iterable[Any]:
    for key in ("p", "p1", "p2"):
        child = node.get(key)
        if getattr(child, "name", None):
            yield child


def _sample_of_itself(node: Any, var: str, samples: Mapping[str, str]) -> bool:
    return samples.get(str(node.get("expr"))) == var


def _samples(node: Any) -> dict[str, str]:
    """rdflib writes `SELECT ?x ... GROUP BY ?x` as `Extend(?x, SAMPLE(?x))`: the aggregate vars of those samples."""
    out: dict[str, str] = {}
    for aggregate in node.get("A") or ():
        if aggregate.name == "Aggregate_Sample" and _variables((aggregate.vars,)):
            out[str(aggregate.res)] = str(aggregate.vars)
    return out


def _walk(node: Any, samples: dict[str, str]) -> Iterable[tuple[str, Any]]:
    """(name, node) of every pattern node, parents first."""
    name = node.name
    if name == "AggregateJoin":
        samples.update(_samples(node))
    yield name, node
    for child in _children(node):
        yield from _walk(child, samples)


def _pattern_bound(node: Any) -> tuple[set[str], set[str]]:
    """(variables any pattern may bind, variables that are BIND/AS targets), over the whole query."""
    bound: set[str] = set()
    assigned: set[str] = set()
    samples: dict[str, str] = {}
    for _ in _walk(node, samples):  # first gather every aggregate's samples
        pass
    for name, child in _walk(node, samples):
        if name == "BGP":
            bound |= _bgp_certain(child)
        elif name == "Graph":
            bound |= _variables((child.term,))
        elif name == "values":
            bound |= {str(k) for row in child.get("res") or [] for k in row}
        elif name == "Extend":
            var = str(child.var)
            if not _sample_of_itself(child, var, samples):
                assigned.add(var)
    return bound, assigned


def _where_pattern(node: Any) -> tuple[Any, bool, Any]:
    """(the WHERE pattern under the solution modifiers, whether they include LIMIT/OFFSET, the AggregateJoin or None)."""
    sliced = False
    while getattr(node, "name", None) in _MODIFIERS:
        sliced = sliced or node.name == "Slice"
        node = node.p
    above = node
    while getattr(above, "name", None) in ("Extend", "Filter"):  # SELECT expressions and HAVING
        above = above.p
    if getattr(above, "name", None) == "AggregateJoin":
        return above.p.p, sliced, above
    return node, sliced, None


def _left_spine_ok(node: Any, name: str) -> bool:
    """A VALUES block opening the group lands at the leftmost leaf of its algebra: moving it to the
    top is exact when `name` is already bound left of every OPTIONAL, MINUS, BIND and FILTER it passes."""
    kind = getattr(node, "name", None)
    if kind == "Join":
        return _left_spine_ok(node.p1, name)
    if kind in ("LeftJoin", "Minus"):
        return name in certain(node.p1) and _left_spine_ok(node.p1, name)
    if kind in ("Extend", "Filter"):
        return name in certain(node.p) and _left_spine_ok(node.p, name)
    return True


@functools.lru_cache(maxsize=512)
def _algebra(text: str) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(text)).algebra
    except RecursionError:
        return "the query is nested too deeply to analyse"
    except Exception as err:
        return f"rdflib cannot read the query ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})"


def binding_problem(text: str, name: str) -> str | None:
    """Why binding `?name` by a VALUES block would not be exact, or None when it is."""
    query = analyse(text)
    if name not in query.variables:
        return "the query has no such variable"
    if query.where_brace is None:
        return "the query has no WHERE group to bind it in"
    if query.construct_short:
        return "CONSTRUCT WHERE (the short form) has no separate WHERE group; write the template out"
    algebra = _algebra(text)
    if isinstance(algebra, str):
        return f"it cannot be checked: {algebra}"
    bound, assigned = _pattern_bound(algebra.p)
    if name in assigned:
        return "it is the target of a BIND or of an AS in the SELECT clause"
    pattern, sliced, aggregate = _where_pattern(algebra.p)
    if name not in bound:
        return None  # only used in expressions: the VALUES join substitutes it
    if aggregate is not None and name not in _variables(aggregate.p.get("expr") or ()):
        return "it is aggregated, not a GROUP BY variable"
    if name not in certain(pattern) or not _left_spine_ok(pattern, name):
        return (
            "it is not bound in every solution of the WHERE group before each OPTIONAL, MINUS, BIND "
            "and FILTER (it occurs only inside one of them, a UNION branch, a VALUES with UNDEF, "
            "a subquery, a GRAPH name, or a later pattern)"
        )
    if sliced:
        return "the query has LIMIT or OFFSET, which would cut the bound answer differently"
    return None


def _values_block(bindings: Mapping[str, OxTerm]) -> str:
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(str(term) for term in bindings.values())
    return f"\n  VALUES ({names}) {{ ({row}) }}\n"


def with_values(text: str, bindings: Mapping[str, OxTerm]) -> str:
    """The query with a VALUES block of `bindings` opening its WHERE group; QueryRefused (400) where not exact.

    Terms are serialised by pyoxigraph (N-Triples syntax, escaped), never taken from user text.
    """
    if not bindings:
        return text
    query: QueryText = analyse(text)
    for name in bindings:
        problem = binding_problem(text, name)
        if problem is not None:
            raise QueryRefused(f"cannot bind the parameter ?{name}: {problem}", 400)
    assert query.where_brace is not None  # binding_problem checked it
    position = query.where_brace + 1
    return text[:position] + _values_block(bindings) + text[position:]
