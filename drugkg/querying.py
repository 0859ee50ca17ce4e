"""Run catalogue and ad-hoc SPARQL queries with typed parameters: on a build's embedded store, on an
rdflib graph, or on a remote SPARQL endpoint, and write the results in the W3C formats.

Parameters are never pasted into query text. They are turned into RDF terms first (an IRI must be
a valid absolute IRI; a string becomes a plain literal whatever it holds) and then bound, on every
engine, where drugkg.sparql.params finds that exact: a VALUES block of the serialised terms opening
the query's WHERE group (embedded store, remote endpoint), or rdflib's `initBindings`. Every query
first goes through drugkg's policy (drugkg.sparql.policy), whatever engine answers it.

Every result, from whichever engine, is handed back as a pyoxigraph result object
(`QuerySolutions`, `QueryBoolean` or `QueryTriples`), so the writers below are the same for all.
"""

from __future__ import annotations

import difflib
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from drugkg.buildfolder import STORE_DIR, check_build
from drugkg.catalogue import CatalogueQuery, load_catalogue
from drugkg.errors import DrugkgError
from drugkg.namespaces import TURTLE_PREFIXES
from drugkg.rdfconvert import OxTerm
from drugkg.sparql import (
    QueryRefused,
    analyse,
    binding_problem,
    request_dataset,
    store_options,
    with_values,
)
from drugkg.sparql.terms import (
    SHORTHAND_PREFIXES,
    XSD_STRING,
    adhoc_parameters,
    bind_parameters,
    parse_param_assignments,
    resolve_term,
)

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "SHORTHAND_PREFIXES",
    "Result",
    "Table",
    "adhoc_parameters",
    "bind_parameters",
    "cap_rows",
    "find_query",
    "open_build_store",
    "parse_param_assignments",
    "query_form",
    "render_table",
    "resolve_term",
    "run_on_endpoint",
    "run_on_graph",
    "run_on_store",
    "show_term",
    "to_table",
    "with_values",
    "write_result",
]

log = logging.getLogger("drugkg.query")

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "json": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


# ---------------------------------------------------------------- finding queries


def find_query(name: str, catalogue: Sequence[CatalogueQuery] | None = None) -> CatalogueQuery:
    """The catalogue query called `name`; an error suggesting close names otherwise."""
    queries = list(load_catalogue() if catalogue is None else catalogue)
    for q in queries:
        if q.name == name:
            return q
    names = [q.name for q in queries]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name and name.lower() in n and n not in close][: 3 - len(close)]
    hint = f"did you mean: {', '.join(close)}? " if close else ""
    raise DrugkgError(f"no query named {name!r} in the catalogue; {hint}see 'drugkg query --list'")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the keyword after the prologue (SELECT when there is none).

    The query goes through drugkg's policy (drugkg.sparql): a refused query raises QueryRefused.
    """
    return analyse(text).form or "SELECT"


# ---------------------------------------------------------------- engines


def open_build_store(data: Path) -> ox.Store:
    """The read-only store of the checked build folder `data` (see `drugkg.cli.buildpolicy` for when to build)."""
    data = Path(data)
    check_build(data)
    try:
        return ox.Store.read_only(str(data / STORE_DIR))
    except OSError as err:
        raise DrugkgError(f"cannot open the store: {err}", file=str(data / STORE_DIR)) from None


def _syntax_error(err: Exception) -> DrugkgError:
    message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return DrugkgError(f"SPARQL syntax error: {message}", expected="a valid SPARQL 1.1 query")


def run_on_store(
    store: ox.Store,
    text: str,
    bindings: Mapping[str, OxTerm] | None = None,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
) -> Result:
    """Evaluate on an Oxigraph store, under drugkg's policy and over the request's dataset.

    The dataset (drugkg.sparql.dataset): `default_graphs` / `named_graphs` if given, else the
    query's FROM / FROM NAMED, else the union of all graphs as the default graph. Parameters go
    in as a VALUES block of typed terms opening the WHERE group, only where that is exact
    (drugkg.sparql.params); Oxigraph (0.5.13) then joins from the bound values, whereas its
    `substitutions` left property paths to be evaluated unbound (1.3 s instead of 0.25 s at 1M).
    """
    query = analyse(text)
    dataset = request_dataset(query.dataset, default_graphs, named_graphs, base=base_iri)
    bound = with_values(text, bindings or {})
    try:
        return store.query(bound, base_iri=base_iri, **store_options(dataset))
    except SyntaxError as err:
        raise _syntax_error(err) from None
    except (RuntimeError, OSError, ValueError) as err:
        raise DrugkgError(f"the query failed: {err}") from None


def run_on_graph(graph: Any, text: str, bindings: Mapping[str, OxTerm] | None = None) -> Result:
    """Evaluate with rdflib's engine (initBindings) and hand back the pyoxigraph result type."""
    import rdflib
    from pyparsing import ParseException

    if analyse(text).dataset:
        raise QueryRefused(
            "FROM / FROM NAMED are not run on rdflib graphs: rdflib would load the graphs "
            "from their IRIs over the network",
            400,
        )
    for name in bindings or {}:
        problem = binding_problem(text, name)
        if problem is not None:
            raise QueryRefused(f"cannot bind the parameter ?{name}: {problem}", 400)
    init = {name: _to_rdflib(term) for name, term in (bindings or {}).items()}
    try:
        result = graph.query(text, initBindings=init)
    except ParseException as err:
        raise DrugkgError(
            f"SPARQL syntax error: line {err.lineno}, column {err.col}: {err.msg}", expected="a valid SPARQL 1.1 query"
        ) from None
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        data = result.serialize(format="nt")
        return ox.parse(data, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]
    data = result.serialize(format="json")
    assert isinstance(data, bytes), rdflib.__version__
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


def _to_rdflib(term: OxTerm) -> Any:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise DrugkgError(f"cannot bind {term!r}")


def run_on_endpoint(
    url: str, text: str, bindings: Mapping[str, OxTerm] | None = None, *, timeout: float = 60.0
) -> Result:
    """POST the query (SPARQL 1.1 Protocol) to `url`; parameters go in as a VALUES block of typed terms."""
    import httpx

    query = with_values(text, bindings or {})
    form = query_form(query)
    graph = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    try:
        response = httpx.post(url, data={"query": query}, headers={"Accept": accept}, timeout=timeout)
    except httpx.HTTPError as err:
        raise DrugkgError(f"cannot reach the endpoint: {err}", file=url) from None
    if response.status_code >= 400:
        detail = response.text.strip().splitlines()[0][:300] if response.text.strip() else response.reason_phrase
        raise DrugkgError(f"the endpoint answered {response.status_code}: {detail}", file=url)
    try:
        if graph:
            return ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as err:
        raise DrugkgError(f"the endpoint sent an unreadable or truncated result: {err}", file=url) from None


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Table:
    """A result held in memory: variables and rows of terms (None where unbound), or a boolean, or triples."""

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[OxTerm | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()


def to_table(result: Result) -> Table:
    if isinstance(result, ox.QueryBoolean):
        return Table("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        rows = tuple(tuple(solution[name] for name in names) for solution in result)
        return Table("SELECT", names, rows)
    return Table("CONSTRUCT", triples=tuple(t if isinstance(t, ox.Triple) else t.triple for t in result))


def cap_rows(result: Result, max_rows: int) -> tuple[Result, int, bool]:
    """At most `max_rows` solutions or triples of `result` (0: all): (result, how many kept, whether cut)."""
    import itertools

    if max_rows <= 0 or isinstance(result, ox.QueryBoolean):
        return result, 0, False
    kept = list(itertools.islice(result, max_rows + 1))
    cut = len(kept) > max_rows
    kept = kept[:max_rows]
    if not isinstance(result, ox.QuerySolutions):
        return kept, len(kept), cut  # type: ignore[return-value]
    names = [v.value for v in result.variables]
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if s[n] is None else str(s[n]) for n in names) for s in kept]
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    return ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV), len(kept), cut


def write_result(result: Result, fmt: str, out: IO[bytes]) -> None:
    """Write `result` to `out` in `fmt`: table (for people) or a W3C format written by pyoxigraph."""
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        if fmt == "table":
            out.write(render_table(to_table(result)).encode("utf-8"))
            return
        if fmt not in RESULT_FORMATS:
            raise DrugkgError(f"format {fmt!r} is for graphs", expected=f"one of table, {', '.join(RESULT_FORMATS)}")
        result.serialize(out, format=RESULT_FORMATS[fmt])
        if fmt in ("csv", "tsv") and isinstance(result, ox.QueryBoolean):
            out.write(b"\n")
        return
    graph_fmt = "turtle" if fmt == "table" else fmt
    if graph_fmt not in GRAPH_FORMATS:
        raise DrugkgError(
            f"a {graph_fmt} table cannot hold a graph (CONSTRUCT or DESCRIBE result)",
            expected=f"one of table, {', '.join(GRAPH_FORMATS)}",
        )
    triples = [t if isinstance(t, ox.Triple) else t.triple for t in result]
    prefixes = TURTLE_PREFIXES if GRAPH_FORMATS[graph_fmt] is ox.RdfFormat.TURTLE else None
    out.write(ox.serialize(triples, format=GRAPH_FORMATS[graph_fmt], prefixes=prefixes) or b"")


_MAX_CELL = 60


def show_term(term: OxTerm | None) -> str:
    """A cell for people: IRIs as CURIEs where a project prefix fits, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        from drugkg.dumps import compact_iri  # prefixed names that parse as Turtle (drug:baclofen)

        return compact_iri(term.value) or term.value
    if isinstance(term, ox.Literal):
        return term.value.replace("\n", " ")
    return str(term)


def render_table(table: Table) -> str:
    if table.form == "ASK":
        return ("yes" if table.boolean else "no") + "\n"
    header = list(table.variables)
    body = [[show_term(t) for t in row] for row in table.rows]
    body = [[c if len(c) <= _MAX_CELL else c[: _MAX_CELL - 1] + "…" for c in row] for row in body]
    widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(header)]
    buf = io.StringIO()

    def line(cells: Sequence[str]) -> None:
        buf.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")

    line(header)
    line(["-" * w for w in widths])
    for row in body:
        line(row)
    buf.write(f"({len(body)} row{'s' if len(body) != 1 else ''})\n")
    return buf.getvalue()
